"""What a new user meets first (issue 14): the database the CLI uses from any folder, a busy port, the
demo token across restarts."""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from workers.cli import main

ROOT = Path(__file__).resolve().parents[2]


def _project_copy(tmp_path: Path) -> Path:
    """A checkout of the project somewhere else (the engine is linked: these commands never load it)."""
    project = tmp_path / "project"
    project.mkdir()
    for package in ("plugin", "schemas"):
        shutil.copytree(ROOT / package, project / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    (project / "workers").symlink_to(ROOT / "workers")
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    return project


def _passion(project: Path, cwd: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PASSION_")}
    env.update(PYTHONPATH=str(project), **settings)
    return subprocess.run([sys.executable, "-m", "workers.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_cli_uses_the_projects_database_from_any_folder_and_names_it(tmp_path):
    project = _project_copy(tmp_path)
    elsewhere, further = tmp_path / "elsewhere", tmp_path / "further"
    elsewhere.mkdir()
    further.mkdir()
    database = project / "var" / "passion.db"

    created = _passion(project, elsewhere, "connections", "create", "--name", "Acme", "--json")
    assert created.returncode == 0, created.stderr
    assert f"database: sqlite:///{database} (new and empty: created now)" in created.stderr
    assert not (elsewhere / "var").exists()
    issued = json.loads(created.stdout)

    listed = _passion(project, further, "connections", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert f"database: sqlite:///{database}\n" in listed.stderr
    assert json.loads(listed.stdout)["id"] == issued["id"]


def test_a_command_that_needs_connections_refuses_a_database_that_is_not_there(tmp_path):
    project = _project_copy(tmp_path)
    empty = tmp_path / "empty"
    for command in (["connections", "list"], ["connections", "new-token", "con_x"], ["replay"]):
        refused = _passion(project, tmp_path, *command, PASSION_DATA_DIR=str(empty))
        assert refused.returncode == 1, command
        assert f"no database at {empty / 'passion.db'}" in refused.stderr
        assert "PASSION_DATA_DIR" in refused.stderr and "Traceback" not in refused.stderr
    assert not (empty / "passion.db").exists()


def test_a_busy_port_is_refused_before_anything_starts(tmp_path, monkeypatch):
    data_dir = tmp_path / "data"
    monkeypatch.setenv("PASSION_DATA_DIR", str(data_dir))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["run", "--port", str(port)])
    assert result.exit_code == 1
    assert f"port {port} on 127.0.0.1 is already in use" in result.output
    assert f"passion run --port {port + 1}" in result.output and f"make run PORT={port + 1}" in result.output
    assert not data_dir.exists(), "nothing was started or created"


def test_the_demo_connection_keeps_its_token_and_says_when_it_changed(app, client, tmp_path):
    from plugin.cli.demo import _save, demo_connection, read_saved
    from plugin.storage.connections import reissue_token

    saved = tmp_path / "demo.env"
    with app.app_context():
        first, state = demo_connection(read_saved(saved))
        assert state == "new"
        _save(saved, "http://testserver", first)
        again, state = demo_connection(read_saved(saved))
    assert state == "kept"
    assert (again.id, again.token, again.secret) == (first.id, first.token, first.secret)
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert client.get("/api/themes", headers={"Authorization": f"Bearer {first.token}"}).status_code == 200

    with app.app_context():  # `passion connections new-token` on the demo connection, say
        from plugin.extensions import db
        from plugin.storage.models import Connection

        reissue_token(db.session.get(Connection, first.id))
        changed, state = demo_connection(read_saved(saved))
    assert state == "changed" and changed.token != first.token
    assert client.get("/api/themes", headers={"Authorization": f"Bearer {changed.token}"}).status_code == 200


def test_a_second_run_on_the_same_data_dir_is_refused_before_anything_starts(tmp_path, monkeypatch):
    import fcntl

    from tests.integration.stack import free_port

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    monkeypatch.setenv("PASSION_DATA_DIR", str(data_dir))
    with open(data_dir / "run.lock", "a+") as first_run:
        fcntl.flock(first_run, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = CliRunner().invoke(main, ["run", "--port", str(free_port())])
    assert result.exit_code == 1
    assert f"another `passion run` is using {data_dir}" in result.output
    assert sorted(p.name for p in data_dir.iterdir()) == ["run.lock"], "nothing was started or created"


def test_the_database_named_on_stderr_never_shows_a_password():
    from plugin.cli.database import shown

    assert shown("postgresql+psycopg://passion:s3cret@db:5432/passion") == (
        "postgresql+psycopg://passion:***@db:5432/passion")
