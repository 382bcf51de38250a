"""Lever: webhook bodies (unknown fields excluded), and the positions of its parsed resumes as employments.

Only a webhook's `token` and `triggeredAt` are signed, so the rest of the body is a pointer at most: which
contact to read from the API, never data to store."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

from marshmallow import EXCLUDE, Schema, fields, validate

from schemas.crm_history import Employment
from schemas.history import MAX_ID_CHARS, Identifier

# an event about a person (a contact and its opportunities): the worker must read it from the API
CHANGE_EVENTS = ("applicationCreated", "candidateStageChange", "candidateArchiveChange", "candidateHired",
                 "contactCreated", "contactUpdated")
DELETE_EVENT = "candidateDeleted"
# triggeredAt in epoch milliseconds, 2001 to 2100: a number beyond is not a time Lever sent
EARLIEST_MS, LATEST_MS = 10**12, 4_102_444_800_000


class SignedPartSchema(Schema):
    """What the signature covers; read before anything else in the body is trusted."""

    class Meta:
        unknown = EXCLUDE

    token = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    triggeredAt = fields.Integer(required=True, strict=True,  # noqa: N815 - Lever's field name
                                 validate=validate.Range(min=EARLIEST_MS, max=LATEST_MS))
    signature = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-fA-F]{64}$"))


class LeverDataSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    contactId = Identifier(load_default=None, allow_none=True,  # noqa: N815
                           validate=validate.Length(min=1, max=MAX_ID_CHARS))
    candidateId = Identifier(load_default=None, allow_none=True,  # noqa: N815
                             validate=validate.Length(min=1, max=MAX_ID_CHARS))
    opportunityId = Identifier(load_default=None, allow_none=True,  # noqa: N815
                               validate=validate.Length(min=1, max=MAX_ID_CHARS))


class LeverEventSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    event = fields.String(required=True, validate=validate.Length(min=1, max=64))
    triggeredAt = fields.Integer(required=True, strict=True)  # noqa: N815
    data = fields.Nested(LeverDataSchema, load_default=None, allow_none=True)


# --- the API's parsed resumes (GET /v1/opportunities/{id}/resumes) -------------------------------------

def _number(value: Any) -> int | None:
    """An integer, or a string of ASCII digits (parsers differ); anything else (a bool too) as None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 4:
        return int(value)
    return None


def month_of(value: Any, *, end: bool) -> str | None:
    """A parsed `{year, month}` as "YYYY-MM". A year without a month is taken as its January for a start
    and its December for an end (an end left unknown would read as a current job); no year, or one
    outside 1900-2099, is unknown."""
    if not isinstance(value, dict):
        return None
    year, month = _number(value.get("year")), _number(value.get("month"))
    if year is None or not 1900 <= year <= 2099:
        return None
    if month is None or not 1 <= month <= 12:
        month = 12 if end else 1
    return f"{year:04d}-{month:02d}"


def _position(raw: Any) -> Employment | None:
    if not isinstance(raw, dict):
        return None
    text = {key: value if isinstance(value := raw.get(key), str) else None
            for key in ("title", "org", "summary")}
    return Employment(text["title"], text["org"], month_of(raw.get("start"), end=False),
                      month_of(raw.get("end"), end=True), text["summary"])


def _same_job(job: Employment) -> tuple[str, str, str, str]:
    """Two resumes' copies of one position: the same title and employer (case, spacing and Unicode form
    aside) and the same months."""
    def norm(value: str | None) -> str:
        return unicodedata.normalize("NFC", " ".join((value or "").split())).casefold()
    return norm(job.title), norm(job.employer), job.start or "", job.end or ""


def employments(resumes: Iterable[Any]) -> list[Employment]:
    """Every position of every parsed resume (`data[].parsedData.positions[]`), each job once: of the
    copies of one position, the one with the longest summary (then by text, whatever order Lever listed
    them in, so that the history hashes the same)."""
    copies: dict[tuple[str, str, str, str], list[Employment]] = {}
    for resume in resumes:
        parsed = resume.get("parsedData") if isinstance(resume, dict) else None
        positions = parsed.get("positions") if isinstance(parsed, dict) else None
        for raw in positions if isinstance(positions, list) else []:
            job = _position(raw)
            if job is not None:
                copies.setdefault(_same_job(job), []).append(job)
    return [max(found, key=lambda j: (len(j.description or ""), j.description or "", j.title or "",
                                      j.employer or ""))
            for _, found in sorted(copies.items())]
