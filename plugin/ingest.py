"""Recording an accepted CRM event: dedupe on the delivery id, upsert or delete the candidate."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from plugin.connectors import InboundEvent
from plugin.extensions import db
from plugin.models import Candidate, Connection, WebhookEvent
from workers.analysis.hashing import history_hash


@dataclass(frozen=True)
class Outcome:
    """What the receiver answers and whether an analysis must be queued."""

    duplicate: bool = False
    candidate_id: int | None = None
    enqueue_version: int | None = None


def find_candidate(connection_id: str, external_id: str) -> Candidate | None:
    return db.session.scalar(select(Candidate).where(
        Candidate.connection_id == connection_id, Candidate.external_id == external_id))


def record_event(connection: Connection, delivery_id: str, event: InboundEvent) -> Outcome:
    """Store the event and its effect in one transaction; a redelivered id changes nothing."""
    record = WebhookEvent(connection_id=connection.id, event_id=delivery_id,
                          event_type=event.type, external_id=event.external_id)
    db.session.add(record)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return Outcome(duplicate=True)
    if event.history is None:
        outcome = _delete(connection, event.external_id)
    else:
        outcome = _upsert(connection, event.external_id, event.history)
        record.history_version = outcome.enqueue_version
    db.session.commit()
    return outcome


def forget_event(connection: Connection, delivery_id: str) -> None:
    """Undo the dedupe record when the work could not be queued, so the CRM's retry gets through."""
    db.session.execute(db.delete(WebhookEvent).where(
        WebhookEvent.connection_id == connection.id, WebhookEvent.event_id == delivery_id))
    db.session.commit()


def _upsert(connection: Connection, external_id: str, history: dict) -> Outcome:
    digest = history_hash(history)
    candidate = find_candidate(connection.id, external_id)
    if candidate is None:
        candidate = Candidate(connection_id=connection.id, external_id=external_id,
                              history=history, history_hash=digest, history_version=1,
                              status="queued")
        db.session.add(candidate)
        db.session.flush()
        return Outcome(candidate_id=candidate.id, enqueue_version=1)
    if candidate.history_hash == digest and candidate.status != "enqueue_failed":
        return Outcome(candidate_id=candidate.id)
    if candidate.history_hash != digest:
        candidate.history = history
        candidate.history_hash = digest
        candidate.history_version += 1
    candidate.status = "queued"
    return Outcome(candidate_id=candidate.id, enqueue_version=candidate.history_version)


def _delete(connection: Connection, external_id: str) -> Outcome:
    candidate = find_candidate(connection.id, external_id)
    if candidate is not None:
        db.session.delete(candidate)
    return Outcome()


def mark_enqueue_failed(candidate_id: int) -> None:
    """Remember that the analysis was never queued, so the CRM's retry queues it."""
    candidate = db.session.get(Candidate, candidate_id)
    if candidate is not None:
        candidate.status = "enqueue_failed"
        db.session.commit()
