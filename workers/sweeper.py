"""Finds accepted work that has no finished result after a grace period and queues it again.

Covers what a broker outage, a lost task or a killed worker can leave behind: every candidate still
waiting for an analysis and every analysis still waiting for its write-back is queued again. Both tasks
are idempotent, so queuing twice costs a little time and nothing else.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from plugin.extensions import db
from plugin.storage.models import (
    WAITING,
    Analysis,
    Candidate,
    CandidateErasure,
    CandidateStatus,
    DeliveryStatus,
    WebhookEvent,
    utcnow,
)

log = logging.getLogger(__name__)


def candidates_to_requeue(grace: timedelta, *, limit: int = 1000) -> list[tuple[int, int]]:
    """(candidate id, history version) of analyses queued longer ago than `grace`."""
    cutoff = utcnow() - grace
    rows = db.session.execute(
        select(Candidate.id, Candidate.history_version)
        .where(Candidate.status.in_(WAITING),
               or_(Candidate.queued_at.is_(None), Candidate.queued_at < cutoff))
        .order_by(Candidate.id).limit(limit))
    found = [(row.id, row.history_version) for row in rows]
    db.session.rollback()  # read only: no transaction stays open while the caller talks to the broker
    return found


def deliveries_to_requeue(grace: timedelta, *, limit: int = 1000) -> list[int]:
    """Ids of analyses older than `grace` whose write-back is pending, not leased, and not waiting for a
    scheduled retry (one overdue by more than `grace` was lost, and is queued again)."""
    now = utcnow()
    found = list(db.session.scalars(
        select(Analysis.id)
        .where(Analysis.delivery_status == DeliveryStatus.PENDING, Analysis.created_at < now - grace,
               or_(Analysis.lease_until.is_(None), Analysis.lease_until < now),
               or_(Analysis.retry_at.is_(None), Analysis.retry_at < now - grace))
        .order_by(Analysis.id).limit(limit)))
    db.session.rollback()
    return found


def outdated_candidates(engine_version: str, *, limit: int) -> list[tuple[int, int]]:
    """(candidate id, history version) of analysed candidates whose current history has no analysis by
    this engine version: a new engine re-analyses the pool, oldest candidates first."""
    current = select(Analysis.id).where(Analysis.candidate_id == Candidate.id,
                                        Analysis.history_version == Candidate.history_version,
                                        Analysis.engine_version == engine_version)
    rows = db.session.execute(
        select(Candidate.id, Candidate.history_version)
        .where(Candidate.status == CandidateStatus.ANALYZED, ~current.exists())
        .order_by(Candidate.id).limit(limit))
    found = [(row.id, row.history_version) for row in rows]
    db.session.rollback()
    return found


def mark_queued(candidate_id: int) -> None:
    db.session.execute(update(Candidate).where(Candidate.id == candidate_id)
                       .values(queued_at=utcnow()).execution_options(synchronize_session=False))
    db.session.commit()


def mark_delivery_queued(analysis_id: int) -> None:
    """The sweeper queued this write-back: the next sweeps leave it to that task for a grace period."""
    db.session.execute(update(Analysis).where(Analysis.id == analysis_id)
                       .values(retry_at=utcnow()).execution_options(synchronize_session=False))
    db.session.commit()


def grace_period() -> timedelta:
    return timedelta(seconds=current_app.config["SWEEP_GRACE_SECONDS"])


def forget_old_events(retention: timedelta) -> int:
    """Drop dedupe and erasure records older than any CRM's retry horizon (days, where Greenhouse needs
    16 h): no late delivery can still arrive for them."""
    cutoff = utcnow() - retention
    removed = db.session.execute(db.delete(WebhookEvent).where(WebhookEvent.received_at < cutoff))
    db.session.execute(db.delete(CandidateErasure).where(CandidateErasure.recorded_at < cutoff))
    db.session.commit()
    return int(removed.rowcount or 0)

