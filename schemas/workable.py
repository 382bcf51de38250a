"""Workable: webhook envelopes (unknown fields excluded), and a candidate's `experience_entries` as
employments, their HTML summaries read as text.

Workable signs the whole body, but its candidate reflects the state when the request was sent, not when
the event happened; the worker reads the candidate from the API instead (docs/connectors.md, "Workable")."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from html.parser import HTMLParser
from typing import Any

from marshmallow import EXCLUDE, Schema, fields, validate

from schemas.crm_history import Employment
from schemas.history import MAX_ID_CHARS, Identifier

# the candidate events Workable sends (it has no candidate-updated event): the worker reads the candidate
CHANGE_EVENTS = ("candidate_created", "candidate_moved")
_API_DATE = re.compile(r"((?:19|20)[0-9]{2})-(0[1-9]|1[0-2])(-[0-3][0-9](T.*)?)?")
# elements after which the text continues on a new line (the engine reads a line break as a sentence end)
_BLOCKS = frozenset({"p", "div", "li", "br", "ul", "ol", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
                     "blockquote", "section", "article", "pre", "table"})


class CandidateSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    id = Identifier(required=True, validate=validate.Length(min=1, max=MAX_ID_CHARS))


class EnvelopeSchema(Schema):
    """`{id, fired_at, resource_type, event_type, data}` as independent implementations read it. Only
    `event_type` is required: a field whose shape is unconfirmed must not make every delivery refused (and
    sent again); `id` is read by the signature check, `fired_at` by `fired_at()`."""

    class Meta:
        unknown = EXCLUDE

    event_type = fields.String(required=True, validate=validate.Length(min=1, max=64))
    fired_at = fields.Raw(load_default=None, allow_none=True)
    data = fields.Raw(load_default=None, allow_none=True)


def fired_at(value: Any) -> datetime | None:
    """The envelope's `fired_at` (ISO 8601 with a zone) as an aware time; anything else as unknown."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        found = datetime.fromisoformat(value)
    except ValueError:
        return None
    return found if found.tzinfo is not None else None


class _TextOfHtml(HTMLParser):
    """The text of an HTML fragment, block elements ending lines; scripts and styles dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def html_to_text(value: Any) -> str | None:
    """A summary's text: tags gone, entities decoded, one line per paragraph or list item."""
    if not isinstance(value, str) or not value:
        return None
    parser = _TextOfHtml()
    parser.feed(value)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line) or None


def month_of(value: Any) -> str | None:
    """An entry's date ("YYYY-MM-DD", or a datetime) as "YYYY-MM"; anything else as unknown."""
    found = _API_DATE.fullmatch(value) if isinstance(value, str) else None
    return f"{found.group(1)}-{found.group(2)}" if found else None


def _entry(raw: Any) -> Employment | None:
    if not isinstance(raw, dict):
        return None
    text = {key: value if isinstance(value := raw.get(key), str) else None for key in ("title", "company")}
    start = month_of(raw.get("start_date"))
    # an entry that is not current keeps its end; a current one (or no end at all) reads as ongoing
    end = None if raw.get("current") is True else month_of(raw.get("end_date"))
    return Employment(text["title"], text["company"], start, end, html_to_text(raw.get("summary")))


def employments(entries: Any) -> list[Employment]:
    """Every usable `experience_entries[]` row of a candidate."""
    rows: Iterable[Any] = entries if isinstance(entries, list) else []
    return [job for job in (_entry(raw) for raw in rows) if job is not None]


def candidate_of(answer: Any) -> dict[str, Any] | None:
    """The candidate of `GET /spi/v3/candidates/{id}`: under `candidate`, or the object itself."""
    if isinstance(answer, dict) and isinstance(answer.get("candidate"), dict):
        found: dict[str, Any] = answer["candidate"]
        return found
    return answer if isinstance(answer, dict) and "id" in answer else None
