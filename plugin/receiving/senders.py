"""The addressed connection as the receiver needs it, read once per process rather than twice per delivery.

A cached copy is trusted only to accept: the event's insert is guarded by the connection's row (still
there, enabled, the same signing secrets; `ingest.record_event(expect=...)`), so a connection disabled,
rotated or deleted since it was read fails the guard and the delivery is verified again against a fresh
read. A refusal (404, 401, 403) is always confirmed by a fresh read, so a connection created or enabled a
moment ago is never refused on a stale copy.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from plugin.extensions import db
from plugin.storage.models import Connection

CACHE_SECONDS = 60.0  # how long a copy serves before it is read again, guard or not
_EXTENSION = "webhook_senders"


@dataclass(frozen=True)
class SenderCopy:
    """A detached copy of the connection's row: what verify() and the insert's guard read."""

    connection: Connection
    read_at: float

    @property
    def secrets_encrypted(self) -> str:
        return self.connection.signing_secrets_encrypted


def find(connection_id: str, *, fresh: bool = False) -> SenderCopy | None:
    """The connection's copy (read in a transaction ended at once); None when there is no such connection."""
    cache: dict[str, SenderCopy] = current_app.extensions.setdefault(_EXTENSION, {})
    now = time.monotonic()
    cached = cache.get(connection_id)
    if cached is not None and not fresh and now - cached.read_at < CACHE_SECONDS:
        return cached
    copy = _read(connection_id, now)
    if copy is None:
        cache.pop(connection_id, None)
    else:
        cache[connection_id] = copy
    return copy


def _read(connection_id: str, now: float) -> SenderCopy | None:
    try:
        row = db.session.execute(select(
            Connection.id, Connection.provider, Connection.enabled, Connection.signing_secrets_encrypted,
        ).where(Connection.id == connection_id)).one_or_none()
    finally:
        db.session.rollback()  # release the lock (SQLite) or the snapshot (PostgreSQL) before the body
    if row is None:
        return None
    detached = Connection(id=row.id, provider=row.provider, enabled=row.enabled,
                          signing_secrets_encrypted=row.signing_secrets_encrypted)
    return SenderCopy(detached, now)
