"""A CRM's work history as the canonical one: the same cleaning, order and limits whichever CRM (and
whichever of its routes, webhook or API) it came from, so that an unchanged record hashes the same."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from schemas.history import (
    MAX_DESCRIPTION_CHARS,
    MAX_JOBS,
    MAX_PHRASE_CHARS,
    MAX_PHRASES_PER_LIST,
    MAX_SHORT_TEXT_CHARS,
    CandidateHistorySchema,
)
from schemas.worksheet import assign_sections, parse_worksheet

_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x09\x0b-\x1f\x7f\ud800-\udfff]")


@dataclass(frozen=True)
class Employment:
    """One employment row, whichever way it arrived, dates already as "YYYY-MM"."""

    title: str | None
    employer: str | None
    start: str | None
    end: str | None
    description: str | None = None  # Lever's parsed resume summary; Greenhouse has none


def clean_text(value: str | None, limit: int) -> str | None:
    """One line: control characters and runs of spaces as one space, cut at `limit`."""
    cleaned = " ".join(_CONTROL.sub(" ", value or "").split())[:limit]
    return cleaned or None


def clean_description(value: str | None) -> str | None:
    """Lines kept (the engine reads a description sentence by sentence, a line break ending one), each
    cleaned as one line, empty ones dropped."""
    lines = (" ".join(line.split()) for line in _CONTROL_BUT_LINES.sub(" ", value or "").splitlines())
    kept = "\n".join(line for line in lines if line)[:MAX_DESCRIPTION_CHARS].strip()
    return kept or None


def _order(job: Employment) -> tuple[bool, str, str, str, str]:
    """Sorted descending: current jobs first, then by start and end, latest first, so that any order
    received gives the same history (and the same hash)."""
    return (job.end is None, job.start or "", job.end or "", job.title or "", job.employer or "")


def build_history(candidate_id: int | str, employments: list[Employment],
                  worksheet: str | None) -> dict[str, Any]:
    """The canonical history: rows without a title dropped, most recent first, the 30 latest kept,
    likes and dislikes from the worksheet text when there is one. Validated like any inbound history."""
    rows = [Employment(clean_text(e.title, MAX_SHORT_TEXT_CHARS),
                       clean_text(e.employer, MAX_SHORT_TEXT_CHARS), e.start,
                       e.end if not (e.start and e.end and e.end < e.start) else None,
                       clean_description(e.description))
            for e in employments]
    rows = sorted((row for row in rows if row.title), key=_order, reverse=True)[:MAX_JOBS]
    phrases = assign_sections(parse_worksheet(worksheet), [(r.title or "", r.employer) for r in rows])
    jobs = [{"title": row.title, "employer": row.employer, "start": row.start, "end": row.end,
             "description": row.description or "", "likes": _phrases(likes), "dislikes": _phrases(dislikes)}
            for row, (likes, dislikes) in zip(rows, phrases, strict=True)]
    history: dict[str, Any] = CandidateHistorySchema().load(
        {"candidate_id": str(candidate_id), "jobs": jobs})
    return history


def _phrases(items: list[str]) -> list[str]:
    kept = (clean_text(item, MAX_PHRASE_CHARS) for item in items)
    return [item for item in kept if item][:MAX_PHRASES_PER_LIST]


def has_worksheet(history: dict[str, Any]) -> bool:
    """Whether any job carries a like or a dislike: without, themes wait for the worksheet."""
    return any(job.get("likes") or job.get("dislikes") for job in history.get("jobs", []))
