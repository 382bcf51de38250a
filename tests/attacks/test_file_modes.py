"""Issue 13, finding 12 (files): the embedded SQLite database, its -wal and -shm, and the generated key are
readable by their owner only, whatever the umask; so is the data directory."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from plugin import create_app
from plugin.extensions import db
from plugin.storage.connections import create_connection
from plugin.storage.migrations_runner import upgrade_database


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_data_files_are_created_owner_only(tmp_path: Path, redis_url: str) -> None:
    data_dir = tmp_path / "data"
    previous = os.umask(0o022)  # the common default, which made passion.db 0644
    try:
        app = create_app({"TESTING": True, "DATA_DIR": str(data_dir), "BROKER_URL": redis_url})
        with app.app_context():
            upgrade_database()
            create_connection(provider="standard", name="Files CRM")  # a write: -wal and -shm exist now
            files = {name: data_dir / name for name in
                     ("passion.db", "passion.db-wal", "passion.db-shm", "secret.key")}
            modes = {name: _mode(path) for name, path in files.items()}
            db.session.remove()
            db.engine.dispose()
    finally:
        os.umask(previous)
    assert modes == dict.fromkeys(files, 0o600)
    assert _mode(data_dir) == 0o700


def test_an_existing_database_left_readable_is_made_private(tmp_path: Path, redis_url: str) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "passion.db").touch(mode=0o644)
    os.chmod(data_dir / "passion.db", 0o644)
    app = create_app({"TESTING": True, "DATA_DIR": str(data_dir), "BROKER_URL": redis_url})
    with app.app_context():
        upgrade_database()
        db.session.remove()
        db.engine.dispose()
    assert _mode(data_dir / "passion.db") == 0o600
