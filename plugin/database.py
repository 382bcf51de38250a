"""Engine-level settings that differ by database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from plugin.extensions import db


def configure_engine_events() -> None:
    """SQLite: enforce foreign keys (for cascades), WAL and a busy timeout for web + worker writers."""
    engine = db.engine
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()
