"""Recording an accepted CRM event: dedupe on the delivery id, upsert or delete the candidate.

One transaction per event. PostgreSQL row locks (SQLite: BEGIN IMMEDIATE) serialise concurrent events for
one candidate, so versions never collide; an event older than one already applied changes nothing. An
erasure (deleted or anonymised) leaves only the candidate's id and its time behind, so that a late event
from before it cannot bring the history back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TypeVar

from kombu.exceptions import OperationalError as BrokerError
from sqlalchemy import String, delete, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError

from plugin.extensions import db
from plugin.queue import enqueue_analysis
from plugin.receiving.connectors import InboundEvent
from plugin.storage import pool, worksheets
from plugin.storage.models import (
    Candidate,
    CandidateErasure,
    CandidateStatus,
    Connection,
    EventStatus,
    WebhookEvent,
    as_utc,
    utcnow,
)
from schemas.hashing import history_hash

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class Outcome:
    """What the receiver answers and whether an analysis must be queued."""

    duplicate: bool = False
    candidate_id: int | None = None
    enqueue_version: int | None = None
    stale: bool = False
    fetch: tuple[str, ...] = ()  # candidate ids the worker must fetch from the CRM


class SenderChanged(Exception):
    """The connection is gone, disabled or re-keyed since the copy the delivery was verified against."""


@dataclass(frozen=True)
class Expected:
    """What the receiver saw of the connection when it verified the delivery: the insert requires it still."""

    secrets_encrypted: str


def record_event(connection_id: str, delivery_id: str, event: InboundEvent, *,
                 expect: Expected | None = None) -> Outcome:
    """Store the event and its effect in one transaction; a redelivered id changes nothing.

    Takes the connection's id, not its row: the caller's read transaction is over, and nothing here may
    wait on the network or a request body while the transaction is open. With `expect`, raises
    SenderChanged (nothing stored) unless the connection is still enabled with those secrets."""

    def store() -> Outcome:
        if not _insert_event_record(connection_id, delivery_id, event.type, event.external_id,
                                    EventStatus.ACCEPTED, expect):
            return Outcome(duplicate=True)
        outcome = _apply(connection_id, event)
        if outcome.stale:
            db.session.execute(update(WebhookEvent).where(
                WebhookEvent.connection_id == connection_id, WebhookEvent.event_id == delivery_id,
            ).values(status=EventStatus.STALE))
        return outcome

    return _committed(store)


def record_ignored(connection_id: str, delivery_id: str, event_type: str, *,
                   expect: Expected | None = None) -> bool:
    """Keep the id of a delivery we do not act on; False when it was seen before. Lever signs only a
    token and a time, not the event: an unkept ignored delivery could be resent as a deletion."""
    return _committed(lambda: _insert_event_record(connection_id, delivery_id, event_type[:64], None,
                                                   EventStatus.IGNORED, expect))


def record_history(connection_id: str, event: InboundEvent) -> Outcome:
    """Apply a history the worker fetched from the CRM (no delivery id to dedupe: an unchanged
    history, our own write-back's echo included, changes nothing and queues nothing)."""
    return _committed(lambda: _apply(connection_id, event))


def _committed(store: Callable[[], T]) -> T:
    """Run ``store`` and commit, again from the start if another transaction created the same new
    candidate meanwhile (a unique-key race two concurrent deliveries can lose once)."""
    for attempt in range(3):
        try:
            outcome = store()
            db.session.commit()
            return outcome
        except IntegrityError:
            db.session.rollback()
            if attempt == 2:
                raise
        except SenderChanged:
            db.session.rollback()
            raise
    raise AssertionError("unreachable")


def _insert_event_record(connection_id: str, delivery_id: str, event_type: str, external_id: str | None,
                         status: EventStatus, expect: Expected | None) -> bool:
    """The dedupe record, in one statement that also checks the connection; False when this delivery id
    was recorded before. Raises SenderChanged when the connection no longer matches `expect`."""
    guard = select(literal(connection_id, String), literal(delivery_id, String), literal(event_type, String),
                   literal(external_id, String), literal(utcnow(), WebhookEvent.received_at.type),
                   literal(status.value, String)).where(Connection.id == connection_id)
    if expect is not None:
        guard = guard.where(Connection.enabled.is_(True),
                            Connection.signing_secrets_encrypted == expect.secrets_encrypted)
    columns = ["connection_id", "event_id", "event_type", "external_id", "received_at", "status"]
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (dialect.insert(WebhookEvent).from_select(columns, guard)
                 .on_conflict_do_nothing(index_elements=["connection_id", "event_id"])
                 .returning(WebhookEvent.id))
    if db.session.execute(statement).first() is not None:
        return True
    if expect is not None and not _connection_matches(connection_id, expect):
        raise SenderChanged(connection_id)
    return False


def _connection_matches(connection_id: str, expect: Expected) -> bool:
    """Tell a redelivery from a connection changed under the guard (the rare path: one more read)."""
    row = db.session.execute(select(Connection.enabled, Connection.signing_secrets_encrypted)
                             .where(Connection.id == connection_id)).one_or_none()
    return row is not None and row.enabled and row.signing_secrets_encrypted == expect.secrets_encrypted


def _event_time(event: InboundEvent) -> datetime | None:
    """When the event happened, never later than now: a CRM clock far ahead must not make every
    later event for the candidate look stale."""
    return None if event.occurred_at is None else min(event.occurred_at, utcnow())


def _apply(connection_id: str, event: InboundEvent) -> Outcome:
    if event.history is None and not event.is_erasure:  # thin: the worker fetches the history
        return Outcome(fetch=event.fetch)
    event = replace(event, occurred_at=_event_time(event))
    candidate = pool.get_candidate(connection_id, event.external_id, lock=True)
    if candidate is not None and _is_older(event.occurred_at, candidate.last_event_at):
        return Outcome(candidate_id=candidate.id, stale=True)
    # a candidate and its erasure row never coexist (each replaces the other in one transaction), so an
    # update of a known candidate needs no erasure lookup
    erasure = None if candidate is not None and not event.is_erasure else _erasure(connection_id,
                                                                                     event.external_id)
    if event.is_erasure:
        if candidate is not None:
            db.session.delete(candidate)
        _remember_erasure(connection_id, erasure, event)
        return Outcome(fetch=event.fetch)  # a merge: the surviving record is fetched
    if erasure is not None:
        if _erased_after(erasure, event.occurred_at):
            return Outcome(stale=True)
        db.session.delete(erasure)  # created again in the CRM after the erasure
    if candidate is not None and not event.from_worksheet:  # CRMs have no field for the candidate's words
        event = replace(event, history=worksheets.with_candidate_words(candidate.id, event.history))
    return _upsert(connection_id, candidate, event)


def _erasure(connection_id: str, external_id: str) -> CandidateErasure | None:
    return db.session.scalar(select(CandidateErasure).with_for_update().where(
        CandidateErasure.connection_id == connection_id, CandidateErasure.external_id == external_id))


def _remember_erasure(connection_id: str, erasure: CandidateErasure | None,
                      event: InboundEvent) -> None:
    erased_at = event.occurred_at or utcnow()
    if erasure is None:
        db.session.add(CandidateErasure(connection_id=connection_id, external_id=event.external_id,
                                        erased_at=erased_at))
        db.session.flush()  # a concurrent erasure of the same id fails here and record_event retries
    elif erased_at > as_utc(erasure.erased_at):
        erasure.erased_at = erased_at


def _erased_after(erasure: CandidateErasure, occurred_at: datetime | None) -> bool:
    """An event from before (or at) the erasure is late, not a new record; one with no time is new."""
    return occurred_at is not None and occurred_at <= as_utc(erasure.erased_at)


def _is_older(occurred_at: datetime | None, last_applied: datetime | None) -> bool:
    return occurred_at is not None and last_applied is not None and occurred_at < as_utc(last_applied)


def _upsert(connection_id: str, candidate: Candidate | None, event: InboundEvent) -> Outcome:
    history, shown = pool.split_history(event.history or {})
    digest = history_hash(history)
    if candidate is None:
        candidate = Candidate(connection_id=connection_id, external_id=event.external_id,
                              history=history, history_hash=digest, history_version=1,
                              status=CandidateStatus.QUEUED, queued_at=utcnow(),
                              last_event_at=event.occurred_at)
        pool.show_as(candidate, shown)
        db.session.add(candidate)
        db.session.flush()
        return Outcome(candidate_id=candidate.id, enqueue_version=1)
    if event.occurred_at is not None:
        candidate.last_event_at = event.occurred_at
    pool.show_as(candidate, shown)  # a new name or link is applied without re-analysing
    if candidate.history_hash == digest and candidate.status != CandidateStatus.ENQUEUE_FAILED:
        return Outcome(candidate_id=candidate.id)
    if candidate.history_hash != digest:
        candidate.history = history
        candidate.history_hash = digest
        candidate.history_version += 1
    candidate.status = CandidateStatus.QUEUED
    candidate.queued_at = utcnow()
    return Outcome(candidate_id=candidate.id, enqueue_version=candidate.history_version)


def forget_delivery(connection_id: str, delivery_id: str) -> None:
    """Drop a delivery's dedupe record, so the CRM's next attempt at it is applied rather than ignored."""
    db.session.execute(delete(WebhookEvent).where(WebhookEvent.connection_id == connection_id,
                                                  WebhookEvent.event_id == delivery_id))
    db.session.commit()


def queue_analysis(outcome: Outcome) -> bool:
    """Queue the analysis an applied event asks for (False when none was queued). With the broker down
    the event is already stored: the candidate is marked so the sweeper queues it, best effort, since a
    database error here must not turn an answer for a committed event into a failure."""
    if outcome.candidate_id is None or outcome.enqueue_version is None:
        return False
    try:
        enqueue_analysis(outcome.candidate_id, outcome.enqueue_version)
    except BrokerError:
        log.warning("broker unavailable, analysis left to the sweeper candidate=%s", outcome.candidate_id)
        try:
            mark_enqueue_failed(outcome.candidate_id)
        except DBAPIError as exc:
            db.session.rollback()
            log.warning("could not mark the candidate enqueue_failed candidate=%s error=%s",
                        outcome.candidate_id, type(exc).__name__)
        return False
    return True


def mark_enqueue_failed(candidate_id: int) -> None:
    """Remember that the analysis was never queued: the sweeper, or the CRM's retry, queues it."""
    candidate = db.session.get(Candidate, candidate_id)
    if candidate is not None:
        candidate.status = CandidateStatus.ENQUEUE_FAILED
        db.session.commit()
