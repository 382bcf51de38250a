"""Bullhorn end to end on real parts: the `passion` CLI (login checked, subscription created), gunicorn,
Celery worker processes and Redis, against the stand-in Bullhorn HTTP server (tests/bullhorn_fake.py):
the poll task reads the subscription, the worker fetches and analyses, the field is written once, our own
echo writes nothing more, and a deletion erases the candidate."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time

import pytest
from celery import Celery

from tests.bullhorn.conftest import ROWS
from tests.bullhorn_fake import CLIENT_ID, CLIENT_SECRET, PASSWORD, USERNAME, FakeBullhorn, bullhorn_server
from tests.integration.stack import base_env, free_port, passion, processes, wait_until, web_argv, worker_argv

pytestmark = pytest.mark.integration
FIELD = "customText5"


def _env(tmp_path, redis_url: str, fake: FakeBullhorn, port: int) -> dict[str, str]:
    return base_env(tmp_path, BROKER_URL=redis_url, SECRET_KEY="e2e-secret",
                    DATABASE_URL=f"sqlite:///{tmp_path / 'bullhorn.db'}", PUBLIC_URL=f"http://127.0.0.1:{port}",
                    BULLHORN_AUTH_URL=fake.auth_url, BULLHORN_LOGIN_URL=fake.login_url)


def _create(env: dict[str, str], password: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "workers.cli", "connections", "create", "--provider",
                           "bullhorn", "--name", "Bullhorn", "--client-id", CLIENT_ID, "--username", USERNAME,
                           "--field", FIELD, "--json"],
                          env={**env, "PASSION_BULLHORN_CLIENT_SECRET": CLIENT_SECRET,
                               "PASSION_BULLHORN_PASSWORD": password},
                          capture_output=True, text=True, timeout=120)


def _candidates(tmp_path) -> list[str]:
    with sqlite3.connect(tmp_path / "bullhorn.db") as database:
        return [row[0] for row in database.execute("SELECT external_id FROM candidates")]


def test_poll_fetch_field_written_once_and_deletion_erased(tmp_path, redis_url, redis_client):
    with bullhorn_server() as fake:
        env = _env(tmp_path, redis_url, fake, free_port())
        passion(env, "db-upgrade")
        refused = _create(env, "wrong-password")
        assert refused.returncode != 0 and "Bullhorn login did not work" in refused.stderr
        created = _create(env, PASSWORD)
        assert created.returncode == 0, created.stderr
        json.loads(created.stdout.strip().splitlines()[-1])
        assert len(fake.subscriptions) == 1
        port = int(env["PASSION_PUBLIC_URL"].rsplit(":", 1)[1])
        beat = Celery(broker=redis_url)
        with processes([web_argv(port), worker_argv()], env, tmp_path, env["PASSION_PUBLIC_URL"]):
            fake.add_candidate(8592, ROWS)
            beat.send_task("workers.poll_crms", queue="passion")
            wait_until(lambda: fake.field_of(8592, FIELD) == "worksheet:awaiting", timeout=90,
                       what="the field written after the polled event")
            assert _candidates(tmp_path) == ["8592"]
            # the next poll reads our own UPDATED [customText5] and drops it
            beat.send_task("workers.poll_crms", queue="passion")
            wait_until(lambda: all(not s["queue"] for s in fake.subscriptions.values()), timeout=60,
                       what="our echo polled")
            fake.delete(8592)
            beat.send_task("workers.poll_crms", queue="passion")
            wait_until(lambda: _candidates(tmp_path) == [], timeout=60, what="the deleted candidate erased")
            time.sleep(2)  # room for a wrong extra write-back to show up
        assert [c.body for c in fake.updates()] == [{FIELD: "worksheet:awaiting"}]
