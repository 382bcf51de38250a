"""Listing, showing, updating, enabling and disabling connections, as operators see them: which CRM
credentials are set, never their values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from plugin.admin.setup import InvalidField
from plugin.extensions import db
from plugin.storage import connections as stored
from plugin.storage.connection_status import ConnectionStatus, status_of
from plugin.storage.models import Connection, as_utc


class NoSuchConnection(LookupError):
    """No connection has that id."""


@dataclass(frozen=True)
class ConnectionView:
    id: str
    name: str
    provider: str
    enabled: bool
    webhook_url: str
    callback_url: str | None
    frame_ancestors: list[str]
    credentials_set: list[str]
    created_at: datetime
    status: ConnectionStatus | None = None


def view(connection: Connection, *, with_status: bool = False) -> ConnectionView:
    credentials = connection.credentials(current_app.config["SECRET_KEY"])
    return ConnectionView(
        connection.id, connection.name, connection.provider, connection.enabled,
        stored.webhook_url(connection.id), connection.callback_url, connection.frame_ancestor_origins,
        sorted(name for name, value in credentials.items() if value), as_utc(connection.created_at),
        status_of(connection) if with_status else None)


def list_all() -> list[ConnectionView]:
    """Every connection, oldest first."""
    rows = db.session.scalars(db.select(Connection).order_by(Connection.created_at, Connection.id))
    return [view(connection) for connection in rows]


def get(connection_id: str) -> Connection:
    found = db.session.get(Connection, connection_id)
    if found is None:
        raise NoSuchConnection(connection_id)
    return found


def show(connection_id: str) -> ConnectionView:
    """One connection with its operations status."""
    return view(get(connection_id), with_status=True)


def update(connection_id: str, *, frame_ancestors: list[str]) -> ConnectionView:
    """Replace the origins that may frame the CRM panel; InvalidField names a bad origin."""
    connection = get(connection_id)
    try:
        stored.set_frame_ancestors(connection, frame_ancestors)
    except ValueError as exc:
        db.session.rollback()
        raise InvalidField("frame_ancestors", str(exc)) from exc
    return view(connection)


def set_enabled(connection_id: str, enabled: bool) -> ConnectionView:
    """A disabled connection refuses its webhooks (403) and its token (401)."""
    connection = get(connection_id)
    stored.set_enabled(connection, enabled)
    return view(connection)
