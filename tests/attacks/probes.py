"""Questions asked from another database connection while the worker is inside a slow step: is a
transaction of ours holding the database?"""

from __future__ import annotations

import sqlite3
import time

import psycopg
from sqlalchemy.engine import make_url

# long enough for any commit of ours to finish, far shorter than the slow step being probed
_LOCK_WAIT_SECONDS = 3.0
# how long a PostgreSQL transaction must sit waiting on its client to count as held
_HELD_SECONDS = 1.0


def transaction_held(database_url: str) -> bool:
    """SQLite: whether another connection is denied the write lock. PostgreSQL: whether any session on
    the database sits "idle in transaction" (waiting on its client, as one open across a call does)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        probe = sqlite3.connect(url.database or "", timeout=_LOCK_WAIT_SECONDS, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            probe.close()
    plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as conn:
        # A transaction caught between two of its statements is not held: it counts only if the same
        # one still waits on its client a moment later (a loaded machine can pause any of ours briefly).
        first = _idle_in_transaction(conn)
        if not first:
            return False
        time.sleep(_HELD_SECONDS)
        return bool(first & _idle_in_transaction(conn))


def _idle_in_transaction(conn: psycopg.Connection) -> set[tuple[int, object]]:
    rows = conn.execute("SELECT pid, xact_start FROM pg_stat_activity WHERE datname = current_database() "
                        "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'").fetchall()
    return {(row[0], row[1]) for row in rows}
