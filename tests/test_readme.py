"""The README's shell examples, run exactly as written: signing a webhook with openssl, verifying a
write-back, and the quick start in a fresh copy of the project (slow: it installs the project)."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from tests.servers import threaded_server

ROOT = Path(__file__).resolve().parents[1]


def readme_block(marker: str, readme: Path = ROOT / "README.md") -> str:
    """The fenced block right after `<!-- MARKER ... -->` in the README."""
    found = re.search(rf"<!-- {re.escape(marker)}\b[^>]*-->\s*```sh\n(.*?)```", readme.read_text(), re.S)
    assert found, f"no block marked {marker!r} in {readme}"
    return found.group(1)


def bash(script: str, env: dict[str, str], cwd: Path, timeout: float = 60, *, inherit: bool = True
         ) -> subprocess.CompletedProcess[str]:
    """Run a README block with bash, stopping at its first failing command."""
    return subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=cwd,
                          env={**os.environ, **env} if inherit else env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def served(app):
    """The app behind a real HTTP server on a free port; yields its base URL."""
    with threaded_server(app) as url:
        yield url


def test_the_openssl_signing_example_is_accepted_as_written(app, served, connection, tmp_path):
    webhook_url = f"{served}/webhooks/{connection.id}"
    sent = bash(readme_block("signing: send"), {"WEBHOOK_URL": webhook_url, "SECRET": connection.secret},
                tmp_path)
    assert sent.returncode == 0, sent.stderr
    assert '"status": "accepted"' in sent.stdout.replace('":"', '": "'), sent.stdout

    from plugin.extensions import db
    from plugin.storage.models import Candidate

    with app.app_context():
        assert db.session.query(Candidate).filter_by(external_id="crm-1").count() == 1

    wrong_key = bash(readme_block("signing: send"), {"WEBHOOK_URL": webhook_url,
                                                     "SECRET": "whsec_" + "QUJD" * 11}, tmp_path)
    assert "no valid v1 signature" in wrong_key.stdout


def test_the_verification_example_accepts_a_real_write_back_and_refuses_a_changed_one(
        app, client, callback_connection, tmp_path):
    from plugin.extensions import db
    from plugin.storage.models import Analysis
    from tests.conftest import ingest_and_analyze
    from workers import pipeline

    receiver, issued = callback_connection
    captured: list[tuple[dict[str, str], bytes]] = []
    handle = receiver.handle
    receiver.handle = lambda headers, body: (captured.append((headers, body)), handle(headers, body))[1]
    ingest_and_analyze(app, client, issued, {"candidate_id": "crm-7", "jobs": [
        {"title": "Clerk", "start": "2020-01", "end": None, "likes": ["legal research"], "dislikes": []}]})
    with app.app_context():
        pipeline.deliver(db.session.query(Analysis).one().id)
    (headers, body), = captured
    assert receiver.deliveries, "the reference library accepted it too"

    env = {"SECRET": issued.secret, "ID": headers["webhook-id"], "TS": headers["webhook-timestamp"],
           "SIGNATURE": headers["webhook-signature"]}
    (tmp_path / "body.json").write_bytes(body)
    valid = bash(readme_block("signing: verify"), env, tmp_path)
    assert (valid.returncode, valid.stdout.strip()) == (0, "valid signature"), valid.stderr

    (tmp_path / "body.json").write_bytes(body.replace(b"crm-7", b"crm-8"))
    changed = bash(readme_block("signing: verify"), env, tmp_path)
    assert (changed.returncode, changed.stdout.strip()) == (1, "INVALID signature")


def _fresh_copy(target: Path) -> Path:
    """The project as a fresh clone has it: the files git tracks (as they are in the work tree)."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


@pytest.mark.slow
@pytest.mark.integration
@pytest.mark.timeout(1200)
def test_the_quick_start_works_word_for_word_in_a_fresh_copy(tmp_path):
    from tests.integration.stack import free_port, wait_until

    project = _fresh_copy(tmp_path / "passion-tagger")
    port = free_port()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PASSION_", "VIRTUAL_ENV", "PYTHON"))}
    env["PORT"] = str(port)  # `make run` reads PORT from the environment: a free port here
    log_path = tmp_path / "terminal-1.log"
    with open(log_path, "wb") as log:
        terminal_1 = subprocess.Popen(["bash", "-c", readme_block("quickstart: terminal 1")], cwd=project,
                                      env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until(lambda: "Passion Tagger is ready" in log_path.read_text()
                   or terminal_1.poll() is not None, timeout=1000, interval=2, what="make run's ready block")
        terminal = log_path.read_text()
        assert "Passion Tagger is ready" in terminal, terminal[-3000:]
        block = terminal[terminal.rindex("=" * 78, 0, terminal.index("Passion Tagger is ready")):]
        assert "3 of 3 demo candidates accepted, 3 analysed" in block
        assert "celery@" not in terminal and "Booting worker" not in terminal  # logs are in var/logs

        terminal_2 = bash(readme_block("quickstart: terminal 2"), env, project, timeout=120, inherit=False)
        assert terminal_2.returncode == 0, terminal_2.stderr
        assert f"database: sqlite:///{project / 'var' / 'passion.db'}" in terminal_2.stderr
        assert "Demo CRM" in terminal_2.stdout
        assert '"status": "analyzed"' in terminal_2.stdout.replace('":"', '": "')
    finally:
        with contextlib.suppress(ProcessLookupError):  # the group may have ended already
            os.killpg(terminal_1.pid, signal.SIGTERM)
        terminal_1.wait(60)
