"""The audit log of each connection: analyses stored, write-backs delivered or failed for good, the
candidate's corrections and re-analysis requests, by whom and when.

An entry is added in the same transaction as what it records, so neither stands without the other. It holds
ids and fixed words only; its candidate's erasure deletes it (foreign key cascade)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, select

from plugin.extensions import db
from plugin.storage.models import (
    Analysis,
    AuditAction,
    AuditActor,
    AuditEntry,
    Candidate,
    DeliveryStatus,
)


@dataclass(frozen=True)
class Who:
    """Who acted: a kind of actor, and the recruiter's account id when it was one."""

    actor: AuditActor
    recruiter_id: int | None = None


WORKER = Who(AuditActor.WORKER)
CANDIDATE = Who(AuditActor.CANDIDATE)
CRM = Who(AuditActor.CRM)


def on_pages(recruiter_id: int | None) -> Who:
    """Who uses the pages: a recruiter's account, or an administrator signed in with the API token."""
    return Who(AuditActor.RECRUITER, recruiter_id) if recruiter_id is not None else Who(
        AuditActor.ADMINISTRATOR)


def record(candidate: Candidate, who: Who, action: AuditAction, *, analysis_id: int | None = None,
           detail: str = "") -> None:
    """Add an entry to the caller's transaction (the caller commits)."""
    db.session.add(AuditEntry(connection_id=candidate.connection_id, candidate_id=candidate.id,
                              actor=who.actor, recruiter_id=who.recruiter_id, action=action,
                              analysis_id=analysis_id, detail=detail[:200]))


def record_write_back(analysis_id: int, status: str, *, reason: str | None = None) -> None:
    """A write-back delivered or failed for good, in the caller's transaction; other states are not
    entries (a superseded one was never due)."""
    action = {DeliveryStatus.DELIVERED: AuditAction.WRITE_BACK_DELIVERED,
              DeliveryStatus.DEAD: AuditAction.WRITE_BACK_FAILED}.get(DeliveryStatus(status))
    owner = db.session.execute(select(Candidate.id, Candidate.connection_id)
                               .join(Analysis, Analysis.candidate_id == Candidate.id)
                               .where(Analysis.id == analysis_id)).first()
    if action is None or owner is None:
        return
    db.session.add(AuditEntry(connection_id=owner.connection_id, candidate_id=owner.id,
                              actor=AuditActor.WORKER, action=action, analysis_id=analysis_id,
                              detail=(reason or "")[:200]))


def newest_first(connection_id: str) -> Select:
    """The connection's entries, newest first (page it with plugin.storage.pool.page)."""
    return (select(AuditEntry).where(AuditEntry.connection_id == connection_id)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()))


def crm_ids(entries: list[AuditEntry]) -> dict[int, str]:
    """The CRM ids of these entries' candidates, for links to their profiles."""
    ids = {entry.candidate_id for entry in entries}
    if not ids:
        return {}
    rows = db.session.execute(select(Candidate.id, Candidate.external_id).where(Candidate.id.in_(ids)))
    return {candidate_id: external_id for candidate_id, external_id in rows}
