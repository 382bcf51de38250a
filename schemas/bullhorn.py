"""Bullhorn's REST shapes read as ours: `CandidateWorkHistory` rows (dates as epoch milliseconds, `comments`
the closest thing to a description) as employments, and the event-subscription batch reduced to which
candidates to read again or erase."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from schemas.crm_history import Employment

# CandidateWorkHistory's fields we read (BH-docs entityref/_candidateworkhistory.md)
WORK_HISTORY_FIELDS = "id,title,companyName,startDate,endDate,comments"
_EARLIEST_MS = 0  # 1970: a date before it is a data-entry slip, read as unknown
_LATEST_MS = 4_102_444_800_000  # 2100


def month_of(value: Any) -> str | None:
    """An epoch-milliseconds timestamp as "YYYY-MM" (UTC); anything else as unknown."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not _EARLIEST_MS <= value < _LATEST_MS:
        return None
    return datetime.fromtimestamp(value / 1000, UTC).strftime("%Y-%m")


def _text(raw: dict[str, Any], key: str) -> str | None:
    value = raw.get(key)
    return value if isinstance(value, str) else None


def employments(rows: Iterable[Any]) -> list[Employment]:
    """Every usable work-history row; no end date reads as ongoing."""
    return [Employment(_text(raw, "title"), _text(raw, "companyName"), month_of(raw.get("startDate")),
                       month_of(raw.get("endDate")), _text(raw, "comments"))
            for raw in rows if isinstance(raw, dict)]


def data_of(answer: Any) -> Any:
    """An answer's `data` (entity and query calls wrap their records in it)."""
    return answer.get("data") if isinstance(answer, dict) else None


@dataclass(frozen=True)
class Deletion:
    """A DELETED Candidate event: whom to erase, its `eventId` (the idempotency key) and when."""

    candidate_id: str
    event_id: str
    occurred_at: datetime | None


@dataclass(frozen=True)
class PolledEvents:
    """One event-subscription batch as ids: who to read again, who to erase."""

    request_id: int | None
    changed: tuple[str, ...]
    deleted: tuple[Deletion, ...]
    events: int


def read_batch(answer: Any, *, ours: frozenset[str]) -> PolledEvents:
    """`{requestId, events[]}` of `GET event/subscription/{id}`: Candidate INSERTED/UPDATED to read
    again (an UPDATED whose `updatedProperties` are all our own write-back fields dropped), DELETED to
    erase; the last event of a candidate in the batch wins. Other entities' events are dropped."""
    batch = answer if isinstance(answer, dict) else {}
    request_id = batch.get("requestId")
    events = [e for e in batch.get("events") or [] if isinstance(e, dict)]
    changed: dict[str, None] = {}
    deleted: dict[str, Deletion] = {}
    for event in events:
        kind, person = event.get("entityEventType"), _person_of(event)
        if person is None:
            continue
        if kind == "DELETED":
            deleted[person] = Deletion(person, _event_id(event), _moment(event.get("eventTimestamp")))
            changed.pop(person, None)
        elif kind in ("INSERTED", "UPDATED") and not _only_ours(event, ours):
            changed[person] = None
            deleted.pop(person, None)
    return PolledEvents(request_id if isinstance(request_id, int) and not isinstance(request_id, bool)
                        else None, tuple(changed), tuple(deleted.values()), len(events))


def _event_id(event: dict[str, Any]) -> str:
    value = event.get("eventId")
    text = value if isinstance(value, str) and value.isprintable() and 0 < len(value) <= 150 else None
    if text:
        return f"bullhorn:{text}"
    return f"bullhorn:deleted:{event.get('entityId')}:{event.get('eventTimestamp')}"


def _moment(value: Any) -> datetime | None:
    """An epoch-milliseconds timestamp as an aware datetime; anything else as unknown."""
    if month_of(value) is None:
        return None
    return datetime.fromtimestamp(value / 1000, UTC)


def _person_of(event: dict[str, Any]) -> str | None:
    """The candidate a Candidate event is about (`entityId`); None for any other entity."""
    value = event.get("entityId")
    if event.get("entityName") != "Candidate" or isinstance(value, bool):
        return None
    return str(value) if isinstance(value, int | str) and str(value).isdigit() else None


def _only_ours(event: dict[str, Any], ours: frozenset[str]) -> bool:
    changed = event.get("updatedProperties")
    return (event.get("entityEventType") == "UPDATED" and isinstance(changed, list) and bool(changed)
            and all(isinstance(name, str) and name in ours for name in changed))
