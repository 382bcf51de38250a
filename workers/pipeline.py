"""What the tasks do: analyse a stored history, update the built-in pool, write back to the CRM."""

from __future__ import annotations

import logging
import random
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from plugin.extensions import db
from plugin.receiving.connectors import WriteBackError, get_connector
from plugin.storage import pool
from plugin.storage.models import (
    WAITING,
    Analysis,
    Candidate,
    CandidateStatus,
    DeliveryStatus,
    utcnow,
)
from schemas.analysis import dump_analysis
from workers.analysis import analysis_version, analyze_history

log = logging.getLogger(__name__)

# longer than a write-back call can take (its HTTP timeout), so a live sender is never overtaken
LEASE_SECONDS = 120


def analyze(candidate_id: int, history_version: int) -> int | None:
    """Store the analysis of this history version; return its id when it still needs delivery."""
    candidate = db.session.get(Candidate, candidate_id)
    if candidate is None or candidate.history_version != history_version:
        log.info("analysis skipped candidate=%s version=%s: stale or deleted",
                 candidate_id, history_version)
        return None
    done = db.session.scalar(select(Analysis).where(
        Analysis.candidate_id == candidate_id, Analysis.history_version == history_version,
        Analysis.engine_version == analysis_version()))
    if done is not None:  # a redelivery, a sweep or a re-analysis with the same engine
        _settle(candidate_id, history_version)
        return done.id if done.delivery_status == DeliveryStatus.PENDING else None
    result = analyze_history({**candidate.history, "candidate_id": candidate.external_id})
    analysis = Analysis(candidate_id=candidate_id, history_version=history_version,
                        history_hash=candidate.history_hash, engine_version=result.analysis_version,
                        result=dump_analysis(result))
    db.session.add(analysis)
    try:
        db.session.flush()
        if not pool.publish(candidate, analysis):
            db.session.rollback()
            return None
        db.session.commit()
    except IntegrityError:  # a concurrent duplicate delivery stored it first
        db.session.rollback()
        return None
    log.info("analysis stored candidate=%s version=%s analysis=%s",
             candidate_id, history_version, analysis.id)
    return analysis.id


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


def deliver(analysis_id: int) -> None:
    """Write back once per history version; an analysis of an older version is never sent."""
    analysis = db.session.get(Analysis, analysis_id)
    if analysis is None or analysis.delivery_status != DeliveryStatus.PENDING:
        return
    candidate = analysis.candidate
    if candidate.history_version != analysis.history_version:
        _finish_delivery(analysis_id, DeliveryStatus.SUPERSEDED)
        return
    if not _take_lease(analysis_id):
        log.info("write-back already in progress analysis=%s", analysis_id)
        return
    connection = candidate.connection
    try:
        get_connector(connection.provider).write_back(connection, candidate, analysis,
                                                      current_app.config)
    except WriteBackError as exc:
        _release_lease(analysis_id, str(exc))
        raise
    _finish_delivery(analysis_id, DeliveryStatus.DELIVERED)
    log.info("write-back done analysis=%s candidate=%s", analysis_id, candidate.id)


def _take_lease(analysis_id: int) -> bool:
    """Claim the write-back for LEASE_SECONDS; False when another worker holds it."""
    now = utcnow()
    claimed = db.session.execute(
        update(Analysis)
        .where(Analysis.id == analysis_id, Analysis.delivery_status == DeliveryStatus.PENDING,
               or_(Analysis.lease_until.is_(None), Analysis.lease_until < now))
        .values(lease_until=now + timedelta(seconds=LEASE_SECONDS),
                delivery_attempts=Analysis.delivery_attempts + 1)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return claimed.rowcount == 1


def _release_lease(analysis_id: int, error: str) -> None:
    db.session.execute(update(Analysis).where(Analysis.id == analysis_id)
                       .values(lease_until=None, last_error=error[:200]))
    db.session.commit()


def _finish_delivery(analysis_id: int, status: str) -> None:
    db.session.execute(update(Analysis).where(Analysis.id == analysis_id,
                                              Analysis.delivery_status == DeliveryStatus.PENDING)
                       .values(delivery_status=status, lease_until=None,
                               delivered_at=utcnow() if status == DeliveryStatus.DELIVERED else None,
                               **({"last_error": None} if status == DeliveryStatus.DELIVERED else {})))
    db.session.commit()


def mark_dead(analysis_id: int, reason: str) -> None:
    """Give up on a write-back; it stays visible and can be replayed."""
    log.warning("write-back dead-lettered analysis=%s reason=%s", analysis_id, reason)
    _finish_delivery(analysis_id, DeliveryStatus.DEAD)


def backoff_seconds(retries: int, retry_after: float | None, *, longest: float) -> float:
    """Exponential backoff with jitter, never sooner than the CRM's Retry-After, never past `longest`.

    `longest` stays below the broker's visibility timeout: Redis hands a task whose countdown runs longer
    to another worker, and the copies multiply. A longer Retry-After is shortened to it; the CRM says
    429 again and the next retry waits once more.
    """
    ceiling = min(longest, 2.0 * 2**retries)
    return min(longest, max(retry_after or 0.0, random.uniform(ceiling / 2, ceiling)))
