"""Persistence: CRM connections, candidates with their current history, analyses, webhook events."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plugin.extensions import db
from plugin.storage.crypto import decrypt, encrypt
from plugin.storage.tag_sets import TAG_SET


class CandidateStatus(StrEnum):
    """Where a candidate's current history version is on its way to an analysis."""

    QUEUED = "queued"
    ANALYZED = "analyzed"
    ENQUEUE_FAILED = "enqueue_failed"  # the broker refused the task; the sweeper queues it again
    FAILED = "failed"  # the engine raised on this history; a re-analysis resets it


WAITING = (CandidateStatus.QUEUED, CandidateStatus.ENQUEUE_FAILED)


class DeliveryStatus(StrEnum):
    """Where an analysis's write-back to the CRM is."""

    PENDING = "pending"
    DELIVERED = "delivered"
    SUPERSEDED = "superseded"  # a newer history version arrived before it went out
    DEAD = "dead"  # retries ran out or the CRM refused it for good; `passion replay` retries


class EventStatus(StrEnum):
    """What became of an accepted webhook delivery."""

    ACCEPTED = "accepted"
    STALE = "stale"  # older than what was already applied, or than the candidate's erasure
    IGNORED = "ignored"  # a ping, or an action we do not use: kept so its signature cannot be reused


def utcnow() -> datetime:
    """Timezone-aware now, as a callable default so it is evaluated per row."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every one we store is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def new_connection_id() -> str:
    return "con_" + secrets.token_hex(8)


class Connection(db.Model):
    """One recruiter CRM account plugged into the service; every other row belongs to one."""

    __tablename__ = "connections"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_connection_id)
    provider: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    signing_secrets_encrypted: Mapped[str] = mapped_column(Text)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    callback_url: Mapped[str | None] = mapped_column(String(2000))
    # the CRM API's credentials (e.g. Greenhouse OAuth client id and secret), encrypted like the secrets
    crm_credentials_encrypted: Mapped[str | None] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # https origins that may frame the CRM panel (space-separated, as in the CSP); None: none may
    frame_ancestors: Mapped[str | None] = mapped_column(Text)

    candidates: Mapped[list[Candidate]] = relationship(
        back_populates="connection", cascade="all, delete-orphan", passive_deletes=True)

    def signing_secrets(self, secret_key: str) -> list[str]:
        """Every secret currently accepted (more than one while a rotation overlaps)."""
        return list(json.loads(decrypt(secret_key, self.signing_secrets_encrypted)))

    def set_signing_secrets(self, secret_key: str, values: list[str]) -> None:
        self.signing_secrets_encrypted = encrypt(secret_key, json.dumps(values))

    def credentials(self, secret_key: str) -> dict[str, str]:
        """The CRM API's credentials ({} for a connector that calls no API)."""
        if not self.crm_credentials_encrypted:
            return {}
        return dict(json.loads(decrypt(secret_key, self.crm_credentials_encrypted)))

    def set_credentials(self, secret_key: str, values: dict[str, str]) -> None:
        self.crm_credentials_encrypted = encrypt(secret_key, json.dumps(values))

    @property
    def frame_ancestor_origins(self) -> list[str]:
        return self.frame_ancestors.split() if self.frame_ancestors else []


class Candidate(db.Model):
    """A candidate as the CRM knows them, with the latest history it sent."""

    __tablename__ = "candidates"
    # the pool's "recent" order is this index's; its filters, the GIN index of the tag set (PostgreSQL)
    __table_args__ = (UniqueConstraint("connection_id", "external_id"),
                      Index("ix_candidates_connection_updated", "connection_id", "updated_at", "id"),
                      Index("ix_candidates_tag_set", "tag_set", postgresql_using="gin")
                      .ddl_if(dialect="postgresql"))

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[str] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(128))
    # shown to recruiters only; kept outside `history` so a new name or link never re-analyses
    name: Mapped[str | None] = mapped_column(String(200))
    crm_url: Mapped[str | None] = mapped_column(String(2000))
    # lower-cased name, job titles and employers, one per line: what the pool's text search reads
    search_text: Mapped[str | None] = mapped_column(Text)
    history: Mapped[dict[str, Any]] = mapped_column(JSON)
    history_hash: Mapped[str] = mapped_column(String(64))
    history_version: Mapped[int] = mapped_column(default=1)
    # indexed: the sweeper (every minute) and /metrics look for candidates by status
    status: Mapped[str] = mapped_column(String(20), default=CandidateStatus.QUEUED, index=True)
    profile: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the written-back fields
    # the current analysis's tags, namespaced ("passion:research"), written with candidate_tags' rows by
    # plugin.storage.pool.publish: what the pool's filters and facet counts read (plugin/storage/tag_sets.py)
    tag_set: Mapped[list[str]] = mapped_column(TAG_SET, default=list)
    # what the last write-back put in the CRM's own fields: an unchanged one is not sent again
    crm_written: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # when the CRM says the newest applied event happened: an older event arriving later is ignored
    last_event_at: Mapped[datetime | None]
    queued_at: Mapped[datetime | None]  # last time an analysis was queued; the sweeper waits from here
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    connection: Mapped[Connection] = relationship(back_populates="candidates")
    analyses: Mapped[list[Analysis]] = relationship(
        back_populates="candidate", cascade="all, delete-orphan", passive_deletes=True,
        order_by="Analysis.id")
    tags: Mapped[list[CandidateTag]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True)

    @property
    def latest_analysis(self) -> Analysis | None:
        return self.analyses[-1] if self.analyses else None


class Analysis(db.Model):
    """One engine run over one history version; delivered back to the CRM at most once."""

    __tablename__ = "analyses"
    __table_args__ = (UniqueConstraint("candidate_id", "history_version", "engine_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    history_version: Mapped[int]
    history_hash: Mapped[str] = mapped_column(String(64))
    engine_version: Mapped[str] = mapped_column(String(64))
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # indexed: the sweeper looks for pending write-backs every minute
    delivery_status: Mapped[str] = mapped_column(String(20), default=DeliveryStatus.PENDING, index=True)
    delivery_attempts: Mapped[int] = mapped_column(default=0)
    delivered_at: Mapped[datetime | None]
    # a worker holds the write-back until then, so a redelivered task or the sweeper cannot send twice
    lease_until: Mapped[datetime | None]
    # when a scheduled retry is due: until then (and a grace period) the sweeper leaves it to that retry
    retry_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(200))

    candidate: Mapped[Candidate] = relationship(back_populates="analyses")


class CandidateTag(db.Model):
    """A filterable fact from a candidate's current analysis (passion, aversion, mixed or skill)."""

    __tablename__ = "candidate_tags"
    # (candidate, kind, value): the pool's facet counts read the matching candidates' tags by index alone
    __table_args__ = (Index("ix_candidate_tags_kind_value", "kind", "value"),
                      Index("ix_candidate_tags_candidate_kind_value", "candidate_id", "kind", "value"))

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(255))
    label: Mapped[str] = mapped_column(String(255))
    strength: Mapped[float | None]  # a passion's or aversion's recurrence strength: the pool sorts by it


class CandidateErasure(db.Model):
    """A candidate the CRM deleted or anonymised, by id only: an older event arriving late (a retry, a
    queue that reorders) must not bring their history back. Forgotten after the event retention period."""

    __tablename__ = "candidate_erasures"
    __table_args__ = (UniqueConstraint("connection_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[str] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(128))
    erased_at: Mapped[datetime]  # when the CRM says the erasure happened (receipt time if it does not say)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookEvent(db.Model):
    """A delivery we accepted; its id makes redeliveries harmless. Holds no personal data."""

    __tablename__ = "webhook_events"
    # the connection's status reads its newest event and the last day's count by the second index
    __table_args__ = (UniqueConstraint("connection_id", "event_id"),
                      Index("ix_webhook_events_connection_received", "connection_id", "received_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[str] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(255))
    event_type: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str | None] = mapped_column(String(128))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(20), default=EventStatus.ACCEPTED)


class ConnectorState(db.Model):
    """What a connector that calls the CRM's API keeps per connection: the CRM objects it created (the
    Greenhouse field and its option ids), the reconciliation checkpoint, and the last failure shown."""

    __tablename__ = "connector_states"

    connection_id: Mapped[str] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), primary_key=True)
    crm_objects: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # the next reconciliation asks for candidates changed since then (overlapping the last one a little)
    checkpoint: Mapped[datetime | None]
    reconciled_at: Mapped[datetime | None]
    reconcile_changed: Mapped[int | None]  # candidates the last successful reconciliation queued a fetch of
    # the last reconciliation that failed (retryable or not) and why; older than reconciled_at: recovered
    reconcile_failed_at: Mapped[datetime | None]
    reconcile_error: Mapped[str | None] = mapped_column(String(200))
    failures: Mapped[int] = mapped_column(default=0)  # CRM calls refused for good (dead-lettered)
    last_failure: Mapped[str | None] = mapped_column(String(200))  # the reason, no personal data
    last_failure_at: Mapped[datetime | None]


class PageSession(db.Model):
    """A browser signed in to the recruiter pages. The cookie holds a random id, this row its hash:
    signing out deletes the row, so a cookie saved before then opens nothing."""

    __tablename__ = "page_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    connection_id: Mapped[str] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"), index=True)
    # who signed in: a recruiter's account, or None for the connection's API token (an administrator)
    recruiter_id: Mapped[int | None] = mapped_column(ForeignKey("recruiters.id", ondelete="CASCADE"),
                                                     index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Recruiter(db.Model):
    """A person's account on one connection's pages, created by an administrator; only the password's
    hash (werkzeug.security, scrypt) is kept. Deleting it ends its page sessions."""

    __tablename__ = "recruiters"

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[str] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # lower-cased: one sign-in name
    password_hash: Mapped[str] = mapped_column(String(255))
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SignInFailure(db.Model):
    """A refused sign-in, by the hash of what it was counted against (an email or a client address), so
    the limit holds across every web process; rows older than the window are deleted as new ones come."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (Index("ix_sign_in_failures_key_at", "key_hash", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class WorksheetLink(db.Model):
    """A candidate's personal worksheet link: the URL carries this id signed with the app's key, and this
    row decides whether it still opens anything (expiry, revocation) and counts its recent requests."""

    __tablename__ = "worksheet_links"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    # a fixed-window request counter: the per-link rate limit, shared by every web process
    window_started_at: Mapped[datetime | None]
    window_hits: Mapped[int] = mapped_column(default=0)


class WorksheetDraft(db.Model):
    """What a candidate typed on the worksheet, saved as they go, and what they last sent; one per
    candidate, so that a later visit starts from their own words."""

    __tablename__ = "worksheet_drafts"

    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"),
                                              primary_key=True)
    jobs: Mapped[list[Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None]
    # the jobs as last sent: a later CRM event, which has no field for likes and dislikes, gets them back
    submitted_jobs: Mapped[list[Any] | None] = mapped_column(JSON)


class WorksheetCorrection(db.Model):
    """A candidate's "that's not me" or note on one theme, by theme id rather than analysis id, so it
    outlives every re-analysis; never written by the worker."""

    __tablename__ = "worksheet_corrections"
    __table_args__ = (UniqueConstraint("candidate_id", "kind", "theme"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # passion | aversion
    theme: Mapped[str] = mapped_column(String(64))
    rejected: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AuditActor(StrEnum):
    """Who did what an audit entry records."""

    RECRUITER = "recruiter"  # a recruiter's account on the pages (recruiter_id says which)
    ADMINISTRATOR = "administrator"  # the pages, signed in with the connection's API token
    CRM = "crm"  # the API, called with the connection's API token
    WORKER = "worker"
    CANDIDATE = "candidate"  # the candidate, through their worksheet link


class AuditAction(StrEnum):
    ANALYSIS_STORED = "analysis_stored"
    WRITE_BACK_DELIVERED = "write_back_delivered"
    WRITE_BACK_FAILED = "write_back_failed"  # failed for good (dead-lettered)
    CORRECTION_SAVED = "correction_saved"
    CORRECTION_REMOVED = "correction_removed"
    REANALYSIS_REQUESTED = "reanalysis_requested"


class AuditEntry(db.Model):
    """One thing done to a candidate's analysis, by whom and when. Ids only (no names, phrases, emails or
    notes); erased with its candidate (foreign key cascade), like everything else about them."""

    __tablename__ = "audit_entries"
    # a connection's log is read newest first, a page at a time
    __table_args__ = (Index("ix_audit_entries_connection_at", "connection_id", "at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[str] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    actor: Mapped[str] = mapped_column(String(16))
    # kept as a bare id: the entry still says which account acted after the account is deleted
    recruiter_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(String(32))
    analysis_id: Mapped[int | None]
    # ids and fixed words only: a history version, a theme id, a write-back failure's reason
    detail: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)
