"""Engine-level settings that differ by database."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from sqlalchemy import event

from plugin.extensions import db


def configure_engine_events() -> None:
    """SQLite: a private file (0600), foreign keys (for cascades), WAL, a busy timeout, and write-locking
    transactions.

    Web and worker processes write the same file. A deferred SQLite transaction that read before another
    process committed cannot upgrade to a write (SQLITE_BUSY_SNAPSHOT), so every transaction starts with
    BEGIN IMMEDIATE and waits its turn instead; PostgreSQL uses row locks for the same purpose.
    """
    engine = db.engine
    if engine.dialect.name != "sqlite":
        return
    path = engine.url.database
    if path and path != ":memory:" and not path.startswith("file:"):
        keep_private(Path(path))

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


PRIVATE_MODE = 0o600


def keep_private(database: Path) -> None:
    """The database file, created 0600 before SQLite opens it, and its -wal and -shm made 0600 if they
    exist: they hold personal data. SQLite creates -wal and -shm with the database file's own mode."""
    # an existing file is checked below; a missing directory or no right to write there is SQLite's to report
    with contextlib.suppress(FileExistsError, FileNotFoundError, PermissionError):
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE))
    for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        with contextlib.suppress(FileNotFoundError, PermissionError):  # another owner's file stays as is
            if path.stat().st_mode & 0o077:
                path.chmod(PRIVATE_MODE)
