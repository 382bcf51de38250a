"""The canonical candidate history (docs/analysis.md), with the limits every inbound path enforces."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

MAX_JOBS = 30
MAX_PHRASES_PER_LIST = 10
MAX_PHRASE_CHARS = 500
MAX_DESCRIPTION_CHARS = 5_000
MAX_SHORT_TEXT_CHARS = 200
MAX_ID_CHARS = 128
MAX_URL_CHARS = 2_000

_YEAR_MONTH = re.compile(r"(19|20)[0-9]{2}-(0[1-9]|1[0-2])")  # [0-9]: "\d" matches any script's digits
# C0 controls except tab, line feed and carriage return, and lone surrogates (which UTF-8 cannot encode)
_FORBIDDEN_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
# ids allow no control character at all: a line break in an id breaks URL routing and log lines
_FORBIDDEN_IN_IDS = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
# bidirectional controls (ALM, LRM, RLM, embeddings, overrides, isolates) make one id look like another
_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# the same rules for OpenAPI (ECMA-262 syntax), so generated clients and fuzzers know them
TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*$"
IDENTIFIER_PATTERN = (r"^(?!/)(?!.*//)(?!.*/$)(?!(.*/)?\.\.?(/|$))"
                      r"[^\x00-\x1f\x7f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]*$")
YEAR_MONTH_PATTERN = r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$"
# an https URL with a host name (what marshmallow's URL validator with require_tld accepts, narrowed to a
# form JSON Schema can say: lower-case labels of at most 63 characters, then any printable path)
CRM_URL_PATTERN = r"^https://([a-z0-9]{1,63}\.)+[a-z]{2,6}(/[!-~]*)?$"


def forbidden_char(text: str) -> str | None:
    """The first character no text may hold: PostgreSQL cannot store NUL, nor UTF-8 a lone surrogate."""
    found = _FORBIDDEN_CHARS.search(text)
    return found.group() if found else None


def _unroutable(text: str) -> bool:
    """A "/" at either end or doubled: URL routing (Werkzeug's path converter) could not address it."""
    return text.startswith("/") or text.endswith("/") or "//" in text


def _has_dot_segment(text: str) -> bool:
    """"." or ".." as a "/"-separated segment: a browser resolves /pool/a/../b to another candidate."""
    return any(segment in (".", "..") for segment in text.split("/"))


def normalize_id(text: str) -> str:
    """NFC: the composed and decomposed spellings of one name are one id (stored, looked up, shown)."""
    return unicodedata.normalize("NFC", text)


def is_plausible_id(text: str) -> bool:
    """Whether an id from a URL could have been stored; one that could not is not looked up."""
    return (len(text) <= MAX_ID_CHARS and _FORBIDDEN_IN_IDS.search(text) is None
            and _BIDI_CONTROLS.search(text) is None and not _unroutable(text)
            and not _has_dot_segment(text))


class Text(fields.String):
    """A string without control characters (tab, newline and carriage return allowed)."""

    default_error_messages = {
        "control_char": "Must not contain control characters other than tab and newline (found {char})."}
    pattern = TEXT_PATTERN
    forbidden = _FORBIDDEN_CHARS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["metadata"] = {"pattern": self.pattern, **kwargs.get("metadata", {})}
        super().__init__(*args, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        found = self.forbidden.search(text)
        if found is not None:
            raise self.make_error("control_char", char=f"U+{ord(found.group()):04X}")
        return text


class Identifier(Text):
    """A CRM id, normalised to NFC: no control characters at all (tab and newline included), no
    bidirectional controls, no "." or ".." segment."""

    default_error_messages = {"control_char": "Must not contain control characters (found {char}).",
                              "slash": 'Must not begin or end with "/" nor contain "//".',
                              "dot_segment": 'Must not have "." or ".." as a "/"-separated segment.',
                              "bidi": "Must not contain bidirectional control characters (found {char})."}
    pattern = IDENTIFIER_PATTERN
    forbidden = _FORBIDDEN_IN_IDS

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = normalize_id(super()._deserialize(value, attr, data, **kwargs))
        bidi = _BIDI_CONTROLS.search(text)
        if bidi is not None:
            raise self.make_error("bidi", char=f"U+{ord(bidi.group()):04X}")
        if _unroutable(text):
            raise self.make_error("slash")
        if _has_dot_segment(text):
            raise self.make_error("dot_segment")
        return text


_phrase = Text(validate=validate.Length(min=1, max=MAX_PHRASE_CHARS))


class YearMonth(Text):
    """A "YYYY-MM" date; kept as text because the history never needs more precision."""

    default_error_messages = {"invalid_month": "Must be a date in the form YYYY-MM (1900-01 to 2099-12)."}
    pattern = YEAR_MONTH_PATTERN

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if not _YEAR_MONTH.fullmatch(text):  # fullmatch: "$" would let a trailing newline through
            raise self.make_error("invalid_month")
        return text


class JobSchema(Schema):
    """One past or current job with what the candidate liked and disliked in it."""

    class Meta:
        unknown = EXCLUDE

    title = Text(required=True, validate=validate.Length(min=1, max=MAX_SHORT_TEXT_CHARS))
    employer = Text(load_default=None, allow_none=True,
                    validate=validate.Length(max=MAX_SHORT_TEXT_CHARS))
    start = YearMonth(load_default=None, allow_none=True)
    end = YearMonth(load_default=None, allow_none=True,
                    metadata={"description": "null (or absent) for the current job; not before start"})
    description = Text(load_default="", allow_none=False,
                       validate=validate.Length(max=MAX_DESCRIPTION_CHARS))
    likes = fields.List(_phrase, load_default=list, validate=validate.Length(max=MAX_PHRASES_PER_LIST))
    dislikes = fields.List(_phrase, load_default=list,
                           validate=validate.Length(max=MAX_PHRASES_PER_LIST))

    @validates_schema
    def _end_not_before_start(self, data: dict[str, Any], **kwargs: Any) -> None:
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise ValidationError("Must not be before start.", field_name="end")


class CandidateHistorySchema(Schema):
    """A candidate's job history, most recent job first."""

    class Meta:
        unknown = EXCLUDE

    candidate_id = Identifier(required=True, validate=validate.Length(min=1, max=MAX_ID_CHARS),
                              metadata={"description": "The CRM's own id for the candidate"})
    jobs = fields.List(fields.Nested(JobSchema), required=True,
                       validate=validate.Length(max=MAX_JOBS))
    name = Text(load_default=None, allow_none=True, validate=validate.Length(max=MAX_SHORT_TEXT_CHARS),
                metadata={"description": "The candidate's name as the CRM shows it, for recruiters' pages; "
                                         "not analysed, and erased with the candidate"})
    crm_url = Text(load_default=None, allow_none=True,
                   validate=[validate.Length(max=MAX_URL_CHARS),
                             validate.URL(schemes={"https"}, require_tld=True,
                                          error="Must be an https URL of the candidate's CRM record.")],
                   metadata={"description": "https link to the candidate's record in the CRM",
                             "format": "uri", "pattern": CRM_URL_PATTERN})
