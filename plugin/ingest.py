"""Recording an accepted CRM event: dedupe on the delivery id, upsert or delete the candidate.

One transaction per event. PostgreSQL row locks (SQLite: BEGIN IMMEDIATE) serialise concurrent events for
one candidate, so versions never collide; an event older than one already applied changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from plugin import pool
from plugin.connectors import InboundEvent
from plugin.extensions import db
from plugin.models import Candidate, Connection, WebhookEvent, as_utc, utcnow
from workers.analysis.hashing import history_hash


@dataclass(frozen=True)
class Outcome:
    """What the receiver answers and whether an analysis must be queued."""

    duplicate: bool = False
    candidate_id: int | None = None
    enqueue_version: int | None = None
    stale: bool = False


def record_event(connection: Connection, delivery_id: str, event: InboundEvent) -> Outcome:
    """Store the event and its effect in one transaction; a redelivered id changes nothing."""
    for attempt in range(3):
        if not _insert_event_record(connection, delivery_id, event):
            return Outcome(duplicate=True)
        try:
            outcome = _apply(connection, event)
            db.session.commit()
            return outcome
        except IntegrityError:  # another delivery created the same new candidate meanwhile
            db.session.rollback()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _insert_event_record(connection: Connection, delivery_id: str, event: InboundEvent) -> bool:
    db.session.add(WebhookEvent(connection_id=connection.id, event_id=delivery_id,
                                event_type=event.type, external_id=event.external_id))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def _event_time(event: InboundEvent) -> datetime | None:
    """When the event happened, never later than now: a CRM clock far ahead must not make every
    later event for the candidate look stale."""
    return None if event.occurred_at is None else min(event.occurred_at, utcnow())


def _apply(connection: Connection, event: InboundEvent) -> Outcome:
    event = replace(event, occurred_at=_event_time(event))
    candidate = pool.get_candidate(connection.id, event.external_id, lock=True)
    if candidate is not None and _is_older(event.occurred_at, candidate.last_event_at):
        return Outcome(candidate_id=candidate.id, stale=True)
    if event.history is None:
        if candidate is not None:
            db.session.delete(candidate)
        return Outcome()
    return _upsert(connection, candidate, event)


def _is_older(occurred_at: datetime | None, last_applied: datetime | None) -> bool:
    return occurred_at is not None and last_applied is not None and occurred_at < as_utc(last_applied)


def _upsert(connection: Connection, candidate: Candidate | None, event: InboundEvent) -> Outcome:
    history: dict[str, Any] = event.history or {}
    digest = history_hash(history)
    if candidate is None:
        candidate = Candidate(connection_id=connection.id, external_id=event.external_id,
                              history=history, history_hash=digest, history_version=1,
                              status="queued", queued_at=utcnow(), last_event_at=event.occurred_at)
        db.session.add(candidate)
        db.session.flush()
        return Outcome(candidate_id=candidate.id, enqueue_version=1)
    if event.occurred_at is not None:
        candidate.last_event_at = event.occurred_at
    if candidate.history_hash == digest and candidate.status != "enqueue_failed":
        return Outcome(candidate_id=candidate.id)
    if candidate.history_hash != digest:
        candidate.history = history
        candidate.history_hash = digest
        candidate.history_version += 1
    candidate.status = "queued"
    candidate.queued_at = utcnow()
    return Outcome(candidate_id=candidate.id, enqueue_version=candidate.history_version)


def mark_enqueue_failed(candidate_id: int) -> None:
    """Remember that the analysis was never queued: the sweeper, or the CRM's retry, queues it."""
    candidate = db.session.get(Candidate, candidate_id)
    if candidate is not None:
        candidate.status = "enqueue_failed"
        db.session.commit()
