"""Per-connection state of the connectors that call a CRM's API, each change in its own short
transaction: none is ever open while a CRM call is in flight."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import select

from plugin.extensions import db
from plugin.receiving.connectors.base import CrmAccount
from plugin.storage.models import Connection, ConnectorState, utcnow


def load_account(connection_id: str) -> CrmAccount | None:
    """The connection's provider and decrypted credentials; None when it is gone or disabled."""
    try:
        connection = db.session.get(Connection, connection_id)
        if connection is None or not connection.enabled:
            return None
        return CrmAccount(connection.id, connection.provider,
                          connection.credentials(current_app.config["SECRET_KEY"]))
    finally:
        db.session.rollback()


def _state(connection_id: str) -> ConnectorState:
    state = db.session.get(ConnectorState, connection_id)
    if state is None:
        state = ConnectorState(connection_id=connection_id, failures=0)
        db.session.add(state)
    return state


def crm_objects(connection_id: str) -> dict[str, Any]:
    """What the connector created in the CRM for this connection ({} before the first write-back)."""
    state = db.session.get(ConnectorState, connection_id)
    return dict(state.crm_objects or {}) if state is not None else {}


def save_crm_objects(connection_id: str, objects: dict[str, Any]) -> None:
    _state(connection_id).crm_objects = objects
    db.session.commit()


def poll_state(connection_id: str) -> dict[str, Any]:
    """Bullhorn's polling checkpoint: `begun` (a poll may have read a batch) and `pending` (the requestId
    of a batch read but not yet acted on to the end)."""
    try:
        return dict(crm_objects(connection_id).get("poll") or {})
    finally:
        db.session.rollback()


def save_poll(connection_id: str, *, pending: int | None, begun: bool = True) -> None:
    state = _state(connection_id)
    state.crm_objects = {**(state.crm_objects or {}), "poll": {"begun": begun, "pending": pending}}
    db.session.commit()


def checkpoint(connection_id: str) -> datetime | None:
    """Where the next reconciliation starts: the last one's checkpoint, else the connection's birth."""
    try:
        state = db.session.get(ConnectorState, connection_id)
        if state is not None and state.checkpoint is not None:
            return state.checkpoint
        return db.session.scalar(select(Connection.created_at).where(Connection.id == connection_id))
    finally:
        db.session.rollback()


def save_checkpoint(connection_id: str, moment: datetime, *, changed: int | None = None) -> None:
    """A reconciliation done: the next one starts from `moment`; `changed` is how many it queued."""
    state = _state(connection_id)
    state.checkpoint = moment
    state.reconciled_at = utcnow()
    state.reconcile_changed = changed
    db.session.commit()


def record_reconcile_failure(connection_id: str, reason: str) -> None:
    """A reconciliation that failed (the next beat tries again from the same checkpoint): shown in the
    connection's status until one succeeds."""
    state = _state(connection_id)
    state.reconcile_failed_at = utcnow()
    state.reconcile_error = reason[:200]
    db.session.commit()


def record_failure(connection_id: str, reason: str) -> None:
    """A CRM call refused for good: counted and shown (`passion connections list`), never retried."""
    state = _state(connection_id)
    state.failures = (state.failures or 0) + 1
    state.last_failure = reason[:200]
    state.last_failure_at = utcnow()
    db.session.commit()


def status(connection_id: str) -> dict[str, Any]:
    """The state an operator looks at; no secrets, no personal data."""
    state = db.session.get(ConnectorState, connection_id)
    if state is None:
        return {}
    return {"reconciled_at": state.reconciled_at.isoformat() if state.reconciled_at else None,
            "failures": state.failures, "last_failure": state.last_failure,
            "last_failure_at": state.last_failure_at.isoformat() if state.last_failure_at else None}
