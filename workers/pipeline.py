"""What the tasks do: analyse a stored history, update the built-in pool, write back to the CRM."""

from __future__ import annotations

import logging
import random
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from plugin.extensions import db
from plugin.queue import DELIVERY_MAX_ATTEMPTS
from plugin.receiving.connectors import Connector, Throttled, WriteBack, WriteBackError, get_connector
from plugin.storage import audit, pool
from plugin.storage.models import (
    WAITING,
    Analysis,
    AuditAction,
    Candidate,
    CandidateStatus,
    Connection,
    DeliveryStatus,
    utcnow,
)
from schemas.analysis import dump_analysis
from workers.analysis import analysis_version, analyze_history
from workers.analysis.result import AnalysisResult

log = logging.getLogger(__name__)


def _lease_seconds() -> float:
    """Longer than a write-back call can take (its hard deadline, and DNS outside it), so a live sender is
    never overtaken; short enough that a worker killed mid-call blocks its CRM's next write-back briefly."""
    return 2 * float(current_app.config["WRITEBACK_TIMEOUT_SECONDS"]) + 30


def analyze(candidate_id: int, history_version: int) -> int | None:
    """Store the analysis of this history version; return its id when it still needs delivery.

    The engine runs between two short transactions, never inside one: a long history takes seconds, and
    an open transaction would hold SQLite's write lock (every tenant's webhooks wait) or pin a PostgreSQL
    connection meanwhile. The version is checked again when the result is stored.
    """
    candidate = db.session.get(Candidate, candidate_id)
    if candidate is None or candidate.history_version != history_version:
        db.session.rollback()
        log.info("analysis skipped candidate=%s version=%s: stale or deleted",
                 candidate_id, history_version)
        return None
    done = db.session.scalar(select(Analysis).where(
        Analysis.candidate_id == candidate_id, Analysis.history_version == history_version,
        Analysis.engine_version == analysis_version()))
    if done is not None:  # a redelivery, a sweep or a re-analysis with the same engine
        done_id, pending = done.id, done.delivery_status == DeliveryStatus.PENDING
        _settle(candidate_id, history_version)
        return done_id if pending else None
    history = {**candidate.history, "candidate_id": candidate.external_id}
    history_hash = candidate.history_hash
    db.session.rollback()  # only read so far: end the transaction before the engine runs
    result = analyze_history(history)
    return _store(candidate_id, history_version, history_hash, result)


def _store(candidate_id: int, history_version: int, history_hash: str, result: AnalysisResult
           ) -> int | None:
    """Save the engine's result and publish it to the pool, unless the history changed meanwhile."""
    candidate = db.session.get(Candidate, candidate_id)
    if candidate is None:
        db.session.rollback()
        return None
    analysis = Analysis(candidate_id=candidate_id, history_version=history_version,
                        history_hash=history_hash, engine_version=result.analysis_version,
                        result=dump_analysis(result))
    db.session.add(analysis)
    try:
        db.session.flush()
        if not pool.publish(candidate, analysis):
            db.session.rollback()
            return None
        analysis_id = analysis.id
        audit.record(candidate, audit.WORKER, AuditAction.ANALYSIS_STORED, analysis_id=analysis_id,
                     detail=f"history version {history_version}")
        db.session.commit()
    except IntegrityError:  # a concurrent duplicate delivery stored it first
        db.session.rollback()
        return None
    log.info("analysis stored candidate=%s version=%s analysis=%s",
             candidate_id, history_version, analysis_id)
    return analysis_id


def _settle(candidate_id: int, history_version: int) -> None:
    """The version is analysed: a candidate left "queued" would be swept and queued again forever."""
    db.session.execute(update(Candidate)
                       .where(Candidate.id == candidate_id,
                              Candidate.history_version == history_version,
                              Candidate.status != CandidateStatus.ANALYZED)
                       .values(status=CandidateStatus.ANALYZED).execution_options(synchronize_session=False))
    db.session.commit()


def mark_failed(candidate_id: int, history_version: int) -> None:
    """The engine raised on this history: show it (status "failed") rather than retry it forever, whether
    it was waiting for its first analysis or analysed by an older engine (a backfill)."""
    db.session.rollback()
    db.session.execute(update(Candidate)
                       .where(Candidate.id == candidate_id,
                              Candidate.history_version == history_version,
                              Candidate.status.in_((*WAITING, CandidateStatus.ANALYZED)))
                       .values(status=CandidateStatus.FAILED).execution_options(synchronize_session=False))
    db.session.commit()
    log.error("analysis failed candidate=%s version=%s", candidate_id, history_version)


class ConnectionBusy(Exception):
    """Another write-back to the same connection is in flight: this one waits its turn, unsent."""


def deliver(analysis_id: int) -> None:
    """Write back once per history version; an analysis of an older version is never sent.

    Everything the call needs is read and the lease taken in one short transaction, which has ended before
    the HTTP call starts: on SQLite an open transaction holds the write lock for every tenant, on
    PostgreSQL it pins a connection "idle in transaction".
    """
    prepared = _prepare_delivery(analysis_id)
    if prepared is None:
        return
    connector, write_back = prepared
    try:
        connector.send_write_back(write_back, current_app.config)
    except Throttled:  # held back by our own gate: no call was made, so no attempt either
        _release_lease(analysis_id, None, uncount=True)
        raise
    except WriteBackError as exc:
        _release_lease(analysis_id, str(exc))
        raise
    _finish_delivery(analysis_id, DeliveryStatus.DELIVERED)
    if write_back.written is not None:
        _remember_written(analysis_id, write_back.written)
    log.info("write-back done analysis=%s", analysis_id)


def _remember_written(analysis_id: int, written: dict[str, object]) -> None:
    """What the CRM's fields now hold: the next write-back with the same values is not sent."""
    owner = select(Analysis.candidate_id).where(Analysis.id == analysis_id).scalar_subquery()
    db.session.execute(update(Candidate).where(Candidate.id == owner).values(crm_written=written)
                       .execution_options(synchronize_session=False))
    db.session.commit()


def _prepare_delivery(analysis_id: int) -> tuple[Connector, WriteBack] | None:
    """The write-back to send, with its lease taken and committed; None when there is nothing to send."""
    analysis = db.session.get(Analysis, analysis_id)
    if analysis is None or analysis.delivery_status != DeliveryStatus.PENDING:
        db.session.rollback()
        return None
    candidate = analysis.candidate
    connection = candidate.connection
    refusal = _refusal(analysis, candidate, connection)
    if refusal is not None:
        status, reason = refusal
        _finish_delivery(analysis_id, status, error=reason)
        if status == DeliveryStatus.DEAD:
            log.warning("write-back dead-lettered analysis=%s reason=%s", analysis_id, reason)
        return None
    connector = get_connector(connection.provider)
    write_back = connector.prepare_write_back(connection, candidate, analysis, current_app.config)
    if write_back is None:  # no callback URL: the pool was updated when the analysis was stored
        _finish_delivery(analysis_id, DeliveryStatus.DELIVERED, sent=False)
        return None
    if not _take_lease(analysis_id, connection.id):
        log.info("write-back already in progress analysis=%s", analysis_id)
        return None
    return connector, write_back


def _refusal(analysis: Analysis, candidate: Candidate, connection: Connection
             ) -> tuple[str, str | None] | None:
    """Why this write-back must not go out at all, as (final status, reason); None when it may."""
    if candidate.history_version != analysis.history_version:
        return DeliveryStatus.SUPERSEDED, None
    if not connection.enabled:
        return DeliveryStatus.DEAD, "connection disabled"
    if analysis.delivery_attempts >= DELIVERY_MAX_ATTEMPTS:
        return DeliveryStatus.DEAD, f"gave up after {analysis.delivery_attempts} attempts"
    return None


def _take_lease(analysis_id: int, connection_id: str) -> bool:
    """Claim the write-back for _lease_seconds() and count the attempt; False when another worker holds it.

    ConnectionBusy when another write-back to the same connection holds a lease: a slow CRM occupies at
    most one worker at a time. The connection row is locked first so that two workers cannot both find
    it free (PostgreSQL, FOR NO KEY UPDATE, which webhooks inserting candidates do not wait for; SQLite's
    BEGIN IMMEDIATE already serialises the transaction).
    """
    now = utcnow()
    db.session.execute(select(Connection.id).where(Connection.id == connection_id)
                       .with_for_update(key_share=True))
    in_flight = db.session.scalar(
        select(func.count(Analysis.id)).join(Candidate, Analysis.candidate_id == Candidate.id)
        .where(Candidate.connection_id == connection_id, Analysis.id != analysis_id,
               Analysis.delivery_status == DeliveryStatus.PENDING, Analysis.lease_until > now))
    if in_flight and in_flight >= current_app.config["WRITEBACK_CONCURRENCY_PER_CONNECTION"]:
        db.session.rollback()
        raise ConnectionBusy(connection_id)
    claimed = db.session.execute(
        update(Analysis)
        .where(Analysis.id == analysis_id, Analysis.delivery_status == DeliveryStatus.PENDING,
               Analysis.delivery_attempts < DELIVERY_MAX_ATTEMPTS,
               or_(Analysis.lease_until.is_(None), Analysis.lease_until < now))
        .values(lease_until=now + timedelta(seconds=_lease_seconds()), retry_at=None,
                delivery_attempts=Analysis.delivery_attempts + 1)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return claimed.rowcount == 1


def _release_lease(analysis_id: int, error: str | None, *, uncount: bool = False) -> None:
    """The call failed, or (`uncount`) never went out and takes back the attempt its lease counted;
    until the task records when it retries (schedule_retry), the sweeper waits too."""
    values: dict[str, object] = {"lease_until": None, "retry_at": utcnow()}
    if error is not None:
        values["last_error"] = error[:200]
    if uncount:
        values["delivery_attempts"] = Analysis.delivery_attempts - 1
    db.session.execute(update(Analysis).where(Analysis.id == analysis_id).values(**values))
    db.session.commit()


def attempts_made(analysis_id: int) -> int:
    """Write-back attempts counted in the database, whichever task chain made them."""
    attempts = db.session.scalar(select(Analysis.delivery_attempts).where(Analysis.id == analysis_id))
    db.session.commit()
    return int(attempts or 0)


def schedule_retry(analysis_id: int, countdown: float) -> None:
    """Record when the next attempt is due, so that the sweeper leaves this write-back to the queued
    retry instead of starting a second chain beside it."""
    db.session.execute(update(Analysis).where(Analysis.id == analysis_id,
                                              Analysis.delivery_status == DeliveryStatus.PENDING)
                       .values(retry_at=utcnow() + timedelta(seconds=countdown)))
    db.session.commit()


def _finish_delivery(analysis_id: int, status: str, *, error: str | None = None,
                     sent: bool = True) -> None:
    """Settle a pending write-back; one delivered (`sent`: to a CRM, not only to the pool) or failed for good
    is an audit entry in the same transaction."""
    finished = db.session.execute(
        update(Analysis).where(Analysis.id == analysis_id, Analysis.delivery_status == DeliveryStatus.PENDING)
        .values(delivery_status=status, lease_until=None, retry_at=None,
                delivered_at=utcnow() if status == DeliveryStatus.DELIVERED else None,
                **({"last_error": None} if status == DeliveryStatus.DELIVERED else {}),
                **({"last_error": error[:200]} if error else {})))
    if finished.rowcount == 1 and sent:
        audit.record_write_back(analysis_id, status, reason=error)
    db.session.commit()


def mark_dead(analysis_id: int, reason: str) -> None:
    """Give up on a write-back; it stays visible and can be replayed."""
    log.warning("write-back dead-lettered analysis=%s reason=%s", analysis_id, reason)
    _finish_delivery(analysis_id, DeliveryStatus.DEAD, error=reason)


def backoff_seconds(retries: int, retry_after: float | None, *, longest: float) -> float:
    """Exponential backoff with jitter, never sooner than the CRM's Retry-After, never past `longest`.

    `longest` stays below the broker's visibility timeout: Redis hands a task whose countdown runs longer
    to another worker, and the copies multiply. A longer Retry-After is shortened to it; the CRM says
    429 again and the next retry waits once more.
    """
    ceiling = min(longest, 2.0 * 2**retries)
    return min(longest, max(retry_after or 0.0, random.uniform(ceiling / 2, ceiling)))
