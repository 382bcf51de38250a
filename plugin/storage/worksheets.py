"""The worksheet's rows: candidates' links (expiry, revocation, a per-link rate limit), their drafts and
their corrections to the analysis. Signing the link is plugin/worksheet/links.py's job."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import select, update

from plugin.extensions import db
from plugin.storage import audit
from plugin.storage.models import (
    AuditAction,
    Candidate,
    WorksheetCorrection,
    WorksheetDraft,
    WorksheetLink,
    as_utc,
    utcnow,
)
from schemas.history import MAX_JOBS

RATE_WINDOW = timedelta(minutes=10)


class LinkState(StrEnum):
    """Why a link opens its worksheet or not."""

    OPEN = "open"
    UNKNOWN = "unknown"  # never issued, or its candidate was erased
    EXPIRED = "expired"
    REVOKED = "revoked"
    LIMITED = "limited"  # too many requests in the current window


@dataclass(frozen=True)
class LinkCheck:
    state: LinkState
    link: WorksheetLink | None = None
    candidate: Candidate | None = None


def new_link(candidate_id: int, *, days: int, commit: bool = True) -> WorksheetLink:
    """A link for the candidate, valid `days` from now; committed, or only flushed into the caller's
    transaction with `commit=False`."""
    link = WorksheetLink(id="wsl_" + secrets.token_urlsafe(24), candidate_id=candidate_id,
                         expires_at=utcnow() + timedelta(days=days))
    db.session.add(link)
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return link


def reusable_link(candidate_id: int, *, days_left: int) -> WorksheetLink | None:
    """The candidate's newest link that is not withdrawn and has at least `days_left` days to run."""
    return db.session.scalar(select(WorksheetLink).where(
        WorksheetLink.candidate_id == candidate_id, WorksheetLink.revoked_at.is_(None),
        WorksheetLink.expires_at >= utcnow() + timedelta(days=days_left))
        .order_by(WorksheetLink.expires_at.desc()).limit(1))


def withdrawn_and_unexpired(candidate_id: int) -> bool:
    """Whether a recruiter withdrew a link of the candidate that would otherwise still run."""
    return db.session.scalar(select(WorksheetLink.id).where(
        WorksheetLink.candidate_id == candidate_id, WorksheetLink.revoked_at.is_not(None),
        WorksheetLink.expires_at > utcnow()).limit(1)) is not None


def check_link(link_id: str, *, limit: int) -> LinkCheck:
    """The link's state, counting this request against its rate limit (committed)."""
    link = db.session.get(WorksheetLink, link_id)
    if link is None:
        db.session.rollback()
        return LinkCheck(LinkState.UNKNOWN)
    now = utcnow()
    if link.revoked_at is not None:
        return LinkCheck(LinkState.REVOKED, link)
    if as_utc(link.expires_at) <= now:
        return LinkCheck(LinkState.EXPIRED, link)
    if not _count_hit(link, limit=limit):
        return LinkCheck(LinkState.LIMITED, link)
    return LinkCheck(LinkState.OPEN, link, db.session.get(Candidate, link.candidate_id))


def _count_hit(link: WorksheetLink, *, limit: int) -> bool:
    """One more request in the link's window (a new window once the old one is over); False past the limit.
    Conditional UPDATEs only: of concurrent requests at a window's end one opens the next window and the
    rest count in it, and none can take the last slot twice."""
    now = utcnow()
    started = link.window_started_at
    if started is None or as_utc(started) <= now - RATE_WINDOW:
        seen = (WorksheetLink.window_started_at.is_(None) if started is None
                else WorksheetLink.window_started_at == started)
        opened = db.session.execute(update(WorksheetLink).where(WorksheetLink.id == link.id, seen)
                                    .values(window_started_at=now, window_hits=1)
                                    .execution_options(synchronize_session=False))
        if opened.rowcount == 1:
            db.session.commit()
            return True
    counted = db.session.execute(update(WorksheetLink)
                                 .where(WorksheetLink.id == link.id, WorksheetLink.window_hits < limit)
                                 .values(window_hits=WorksheetLink.window_hits + 1)
                                 .execution_options(synchronize_session=False))
    db.session.commit()
    return counted.rowcount == 1


def revoke(link_id: str, *, candidate_id: int | None = None) -> bool:
    """Withdraw a link for good (only the candidate's own when `candidate_id` is given)."""
    query = update(WorksheetLink).where(WorksheetLink.id == link_id, WorksheetLink.revoked_at.is_(None))
    if candidate_id is not None:
        query = query.where(WorksheetLink.candidate_id == candidate_id)
    done = db.session.execute(query.values(revoked_at=utcnow()).execution_options(synchronize_session=False))
    db.session.commit()
    return done.rowcount == 1


def links_of(candidate_id: int) -> list[WorksheetLink]:
    return list(db.session.scalars(select(WorksheetLink).where(WorksheetLink.candidate_id == candidate_id)
                                   .order_by(WorksheetLink.created_at.desc())))


def draft_of(candidate_id: int) -> WorksheetDraft | None:
    return db.session.get(WorksheetDraft, candidate_id)


def save_draft(candidate_id: int, jobs: list[dict[str, Any]], *, submitted: bool = False) -> None:
    """Replace the candidate's draft with validated jobs; committed."""
    draft = db.session.get(WorksheetDraft, candidate_id)
    if draft is None:
        draft = WorksheetDraft(candidate_id=candidate_id, jobs=jobs)
        db.session.add(draft)
    draft.jobs = jobs
    draft.updated_at = utcnow()
    if submitted:
        draft.submitted_at, draft.submitted_jobs = utcnow(), jobs
    db.session.commit()


def jobs_to_show(candidate_id: int, crm_jobs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the worksheet opens on: the draft, then the history's jobs it does not hold (added in the CRM
    since); before any draft, the history's jobs."""
    draft = db.session.get(WorksheetDraft, candidate_id)
    if draft is None:
        return crm_jobs
    held = {_job_key(job) for job in draft.jobs}
    return [*draft.jobs, *(job for job in crm_jobs if _job_key(job) not in held)][:MAX_JOBS]


def _job_key(job: dict[str, Any]) -> tuple[str, str]:
    return (" ".join((job.get("title") or "").casefold().split()),
            " ".join((job.get("employer") or "").casefold().split()))


def with_candidate_words(candidate_id: int, history: dict[str, Any] | None) -> dict[str, Any] | None:
    """A CRM event's history with what the candidate last sent through the worksheet kept: their likes and
    dislikes go back into the same job (title and employer) where the CRM's has none, and the jobs they
    added that the CRM does not list are kept after the CRM's. Without this, any CRM edit would erase
    their words, since no CRM has a field for them."""
    draft = db.session.get(WorksheetDraft, candidate_id)
    if history is None or draft is None or not draft.submitted_jobs:
        return history
    sent = {_job_key(job): job for job in draft.submitted_jobs}
    jobs = []
    for job in history.get("jobs", []):
        own = sent.pop(_job_key(job), None)
        if own is not None and not job.get("likes") and not job.get("dislikes"):
            job = {**job, "likes": own.get("likes", []), "dislikes": own.get("dislikes", [])}
        jobs.append(job)
    jobs += list(sent.values())
    return {**history, "jobs": jobs[:MAX_JOBS]}


def corrections_of(candidate_id: int) -> list[WorksheetCorrection]:
    return list(db.session.scalars(select(WorksheetCorrection)
                                   .where(WorksheetCorrection.candidate_id == candidate_id)
                                   .order_by(WorksheetCorrection.kind, WorksheetCorrection.theme)))


def set_correction(candidate: Candidate, *, kind: str, theme: str, rejected: bool, note: str) -> None:
    """Record the candidate's word on one theme, and that they gave it in the audit log (without the note);
    an empty note on an accepted theme removes the row."""
    found = db.session.scalar(select(WorksheetCorrection).where(
        WorksheetCorrection.candidate_id == candidate.id, WorksheetCorrection.kind == kind,
        WorksheetCorrection.theme == theme))
    if not rejected and not note:
        if found is None:
            return
        db.session.delete(found)
        audit.record(candidate, audit.CANDIDATE, AuditAction.CORRECTION_REMOVED, detail=f"{kind} {theme}")
    else:
        if found is None:
            db.session.add(WorksheetCorrection(candidate_id=candidate.id, kind=kind, theme=theme,
                                               rejected=rejected, note=note))
        else:
            found.rejected, found.note = rejected, note
        said = ("not me" if rejected else "kept") + (", with a note" if note else "")
        audit.record(candidate, audit.CANDIDATE, AuditAction.CORRECTION_SAVED,
                     detail=f"{kind} {theme}: {said}")
    db.session.commit()


def corrections_as_fields(candidate_id: int) -> list[dict[str, Any]]:
    """The corrections as written back beside the analysis (schemas.webhooks.CorrectionFieldsSchema)."""
    return [{"kind": c.kind, "theme": c.theme, "rejected": c.rejected, "note": c.note}
            for c in corrections_of(candidate_id)]
