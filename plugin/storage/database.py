"""Engine-level settings that differ by database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from plugin.extensions import db


def configure_engine_events() -> None:
    """SQLite: foreign keys (for cascades), WAL, a busy timeout, and write-locking transactions.

    Web and worker processes write the same file. A deferred SQLite transaction that read before another
    process committed cannot upgrade to a write (SQLITE_BUSY_SNAPSHOT), so every transaction starts with
    BEGIN IMMEDIATE and waits its turn instead; PostgreSQL uses row locks for the same purpose.
    """
    engine = db.engine
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin_immediate(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
