"""Questions asked from another database connection while the worker is inside a slow step: is a
transaction of ours holding the database?"""

from __future__ import annotations

import sqlite3

import psycopg
from sqlalchemy.engine import make_url

# long enough for any commit of ours to finish, far shorter than the slow step being probed
_LOCK_WAIT_SECONDS = 3.0


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
        row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'").fetchone()
    return bool(row and row[0])
