"""Where a connection stands, read from what is already recorded: accepted webhook events, write-backs
by delivery status, the audit log's failed write-backs, and the connector's state (reconciliation,
refused CRM calls). Counts, times and reasons only: no candidate's data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection as SqlConnection
from sqlalchemy import func, or_, select

from plugin.extensions import db
from plugin.receiving.connectors import PROVIDERS, pull_connector
from plugin.storage.models import (
    Analysis,
    AuditAction,
    AuditEntry,
    Candidate,
    Connection,
    ConnectorState,
    DeliveryStatus,
    WebhookEvent,
    as_utc,
    utcnow,
)

RECENT_FAILURES = 5


@dataclass(frozen=True)
class Failure:
    at: datetime
    what: str  # write-back, CRM call, reconciliation
    reason: str


@dataclass(frozen=True)
class Reconciliation:
    succeeded_at: datetime | None
    changed: int | None
    failed_at: datetime | None
    error: str | None

    @property
    def ok(self) -> bool | None:
        """Whether the newest attempt succeeded; None before the first."""
        if self.failed_at is None:
            return None if self.succeeded_at is None else True
        return self.succeeded_at is not None and as_utc(self.succeeded_at) >= as_utc(self.failed_at)


@dataclass(frozen=True)
class ConnectionStatus:
    reads_crm: bool
    last_event_at: datetime | None
    events_last_day: int
    reconciliation: Reconciliation
    dead_letters: int
    pending_write_backs: int
    crm_refusals: int
    recent_failures: list[Failure]


def status_of(connection: Connection) -> ConnectionStatus:
    """The connection's operations status, in a few indexed aggregate queries."""
    state = db.session.get(ConnectorState, connection.id)
    last_event_at = db.session.scalar(select(func.max(WebhookEvent.received_at)).where(
        WebhookEvent.connection_id == connection.id))
    day = db.session.scalar(select(func.count(WebhookEvent.id)).where(
        WebhookEvent.connection_id == connection.id,
        WebhookEvent.received_at >= utcnow() - timedelta(days=1)))
    deliveries: dict[str, int] = dict(db.session.execute(
        select(Analysis.delivery_status, func.count(Analysis.id))
        .join(Candidate, Analysis.candidate_id == Candidate.id)
        .where(Candidate.connection_id == connection.id,
               Analysis.delivery_status.in_((DeliveryStatus.DEAD, DeliveryStatus.PENDING)))
        .group_by(Analysis.delivery_status)).all())
    return ConnectionStatus(
        reads_crm=pull_connector(connection.provider) is not None,
        last_event_at=_utc(last_event_at), events_last_day=int(day or 0),
        reconciliation=Reconciliation(
            _utc(state.reconciled_at) if state else None, state.reconcile_changed if state else None,
            _utc(state.reconcile_failed_at) if state else None, state.reconcile_error if state else None),
        dead_letters=deliveries.get(DeliveryStatus.DEAD, 0),
        pending_write_backs=deliveries.get(DeliveryStatus.PENDING, 0),
        crm_refusals=(state.failures or 0) if state else 0,
        recent_failures=_recent_failures(connection.id, state))


def _recent_failures(connection_id: str, state: ConnectorState | None) -> list[Failure]:
    """Write-backs failed for good (the audit log keeps their reason), the last refused CRM call and
    the last failed reconciliation, newest first."""
    entries = db.session.execute(
        select(AuditEntry.at, AuditEntry.detail)
        .where(AuditEntry.connection_id == connection_id, AuditEntry.action == AuditAction.WRITE_BACK_FAILED)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(RECENT_FAILURES))
    found = [Failure(as_utc(at), "write-back", detail or "refused by the CRM") for at, detail in entries]
    if state is not None and state.last_failure_at is not None:
        found.append(Failure(as_utc(state.last_failure_at), "CRM call", state.last_failure or ""))
    if state is not None and state.reconcile_failed_at is not None:
        found.append(Failure(as_utc(state.reconcile_failed_at), "reconciliation",
                             state.reconcile_error or ""))
    return sorted(found, key=lambda failure: failure.at, reverse=True)[:RECENT_FAILURES]


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else as_utc(moment)


@dataclass(frozen=True)
class Aggregates:
    """Over every connection, for /metrics: no connection id, so no label grows with customers."""

    enabled: int
    disabled: int
    reconciliation_failing: int  # enabled connections whose newest reconciliation failed
    oldest_reconciliation_age: float  # seconds, over enabled connections that read their CRM; 0 if none
    crm_refusals: int
    with_dead_letters: int  # connections holding at least one dead-lettered write-back


def aggregates(conn: SqlConnection) -> Aggregates:
    """Read in the /metrics scrape's own transaction (a Core connection, not the session)."""
    counts: dict[bool, int] = dict(conn.execute(select(Connection.enabled, func.count())
                                                .group_by(Connection.enabled)).all())
    failing = conn.scalar(
        select(func.count()).select_from(ConnectorState)
        .join(Connection, Connection.id == ConnectorState.connection_id)
        .where(Connection.enabled.is_(True), ConnectorState.reconcile_failed_at.is_not(None),
               or_(ConnectorState.reconciled_at.is_(None),
                   ConnectorState.reconciled_at < ConnectorState.reconcile_failed_at)))
    since = conn.scalar(
        select(func.min(func.coalesce(ConnectorState.reconciled_at, Connection.created_at)))
        .select_from(Connection)
        .outerjoin(ConnectorState, ConnectorState.connection_id == Connection.id)
        .where(Connection.enabled.is_(True), Connection.provider.in_(_pulling())))
    oldest = 0.0 if since is None else max(0.0, (utcnow() - as_utc(since)).total_seconds())
    refusals = conn.scalar(select(func.coalesce(func.sum(ConnectorState.failures), 0)))
    dead = conn.scalar(select(func.count(func.distinct(Candidate.connection_id)))
                       .join(Analysis, Analysis.candidate_id == Candidate.id)
                       .where(Analysis.delivery_status == DeliveryStatus.DEAD))
    return Aggregates(enabled=counts.get(True, 0), disabled=counts.get(False, 0),
                      reconciliation_failing=int(failing or 0), oldest_reconciliation_age=oldest,
                      crm_refusals=int(refusals or 0), with_dead_letters=int(dead or 0))


def _pulling() -> list[str]:
    return [name for name in PROVIDERS if pull_connector(name) is not None]
