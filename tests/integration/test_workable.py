"""Workable end to end on real parts: the `passion` CLI, gunicorn, Celery worker processes and Redis, against
the stand-in Workable HTTP server (tests/workable_fake.py), its rate window shortened to 1 s on both
sides."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
import requests
from celery import Celery

from tests.integration.stack import base_env, free_port, passion, processes, wait_until, web_argv, worker_argv
from tests.workable.conftest import ENTRIES
from tests.workable_fake import API_TOKEN, SUBDOMAIN, FakeWorkable, workable_server

pytestmark = pytest.mark.integration
AWAITING = ["worksheet:awaiting"]


def _env(tmp_path, redis_url: str, fake: FakeWorkable, port: int) -> dict[str, str]:
    return base_env(tmp_path, BROKER_URL=redis_url, SECRET_KEY="e2e-secret",
                    DATABASE_URL=f"sqlite:///{tmp_path / 'workable.db'}", PUBLIC_URL=f"http://127.0.0.1:{port}",
                    WORKABLE_API_URL=fake.api_url, WORKABLE_RATE_WINDOW_SECONDS="1")


def _create(env: dict[str, str], token: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "workers.cli", "connections", "create", "--provider",
                           "workable", "--name", "Workable", "--subdomain", SUBDOMAIN, "--json"],
                          env={**env, "PASSION_WORKABLE_API_TOKEN": token}, capture_output=True, text=True,
                          timeout=120)


def test_event_fetch_tags_merged_and_reconciliation(tmp_path, redis_url, redis_client):
    with workable_server() as fake:
        fake.window_seconds = 1.0
        env = _env(tmp_path, redis_url, fake, free_port())
        passion(env, "db-upgrade")
        refused = _create(env, "wrong-token")
        assert refused.returncode != 0 and "API token did not work" in refused.stderr
        created = _create(env, API_TOKEN)
        assert created.returncode == 0, created.stderr
        connection = json.loads(created.stdout.strip().splitlines()[-1])
        port = int(env["PASSION_PUBLIC_URL"].rsplit(":", 1)[1])
        with processes([web_argv(port), worker_argv()], env, tmp_path, env["PASSION_PUBLIC_URL"]):
            fake.add_candidate("c-501", ENTRIES, tags=["senior"])
            body, headers = fake.webhook("candidate_moved", "c-501")
            accepted = requests.post(connection["webhook_url"], data=body, headers=headers, timeout=30)
            assert accepted.status_code == 200 and accepted.json()["analysis_queued"] is True
            wait_until(lambda: fake.tags_of("c-501") == ["senior", *AWAITING], timeout=90,
                       what="the tags merged beside the recruiter's")

            fake.add_candidate("c-502", [])  # moved in Workable: no event reached us
            Celery(broker=redis_url).send_task("workers.reconcile_crms", queue="passion")
            wait_until(lambda: fake.tags_of("c-502") == AWAITING, timeout=90,
                       what="the missed candidate found by reconciliation")
            # the next sweep reads both again (our PUTs updated them) and finds nothing new
            reads = len(fake.api_calls("/c-501"))
            Celery(broker=redis_url).send_task("workers.reconcile_crms", queue="passion")
            wait_until(lambda: len(fake.api_calls("/c-501")) > reads, timeout=60, what="the re-read")
            time.sleep(2)  # room for a wrong extra write-back to show up
        assert len(fake.tag_calls()) == 2  # one each: nothing written twice
        assert fake.too_early == [] and fake.over_limit == 0
