"""Lever end to end on real parts: the `passion` CLI, gunicorn, Celery worker processes and Redis, against
the stand-in Lever HTTP server (tests/lever_fake.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
import requests
from celery import Celery

from tests.integration.stack import base_env, free_port, passion, processes, wait_until, web_argv, worker_argv
from tests.lever.conftest import RESUME_2022, RESUME_2024
from tests.lever_fake import API_KEY, SIGNATURE_TOKEN, FakeLever, lever_server

pytestmark = pytest.mark.integration
AWAITING = ["worksheet:awaiting"]


def _env(tmp_path, redis_url: str, fake: FakeLever, port: int) -> dict[str, str]:
    return base_env(tmp_path, BROKER_URL=redis_url, SECRET_KEY="e2e-secret",
                    DATABASE_URL=f"sqlite:///{tmp_path / 'lever.db'}", PUBLIC_URL=f"http://127.0.0.1:{port}",
                    LEVER_API_URL=fake.base_url)


def _create(env: dict[str, str], key: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "workers.cli", "connections", "create", "--provider",
                           "lever", "--name", "Lever", "--signature-token", SIGNATURE_TOKEN, "--json"],
                          env={**env, "PASSION_LEVER_API_KEY": key}, capture_output=True, text=True,
                          timeout=120)


def _setup(tmp_path, redis_url: str, fake: FakeLever) -> tuple[dict[str, str], dict]:
    env = _env(tmp_path, redis_url, fake, free_port())
    passion(env, "db-upgrade")
    refused = _create(env, "wrong-key")
    assert refused.returncode != 0 and "API key did not work" in refused.stderr
    created = _create(env, API_KEY)
    assert created.returncode == 0, created.stderr
    return env, json.loads(created.stdout.strip().splitlines()[-1])


def _deliver(fake: FakeLever, connection: dict[str, str], contact: str) -> requests.Response:
    return requests.post(connection["webhook_url"], data=fake.webhook("candidateStageChange", contact),
                         headers={"Content-Type": "application/json"}, timeout=30)


def _tagged(fake: FakeLever, contact: str, tags: list[str]) -> bool:
    found = fake.tags_of(contact)
    return bool(found) and all(value == tags for value in found.values())


def test_event_fetch_tags_on_every_opportunity_and_reconciliation(tmp_path, redis_url, redis_client):
    with lever_server() as fake:
        env, connection = _setup(tmp_path, redis_url, fake)
        port = int(env["PASSION_PUBLIC_URL"].rsplit(":", 1)[1])
        with processes([web_argv(port), worker_argv()], env, tmp_path, env["PASSION_PUBLIC_URL"]):
            fake.add_opportunity("contact-501", [RESUME_2024])
            fake.add_opportunity("contact-501", [RESUME_2022])
            accepted = _deliver(fake, connection, "contact-501")
            assert accepted.status_code == 202 and accepted.json()["analysis_queued"] is True
            wait_until(lambda: _tagged(fake, "contact-501", AWAITING), timeout=90,
                       what="the tags on both opportunities")

            fake.add_opportunity("contact-502", [[]])  # changed in Lever: no event names it
            Celery(broker=redis_url).send_task("workers.reconcile_crms", queue="passion")
            wait_until(lambda: _tagged(fake, "contact-502", AWAITING), timeout=90,
                       what="the missed contact found by reconciliation")
            # the next sweep reads contact-501 again (our addTags updated it) and finds nothing new
            Celery(broker=redis_url).send_task("workers.reconcile_crms", queue="passion")
            wait_until(lambda: len(fake.api_calls("/resumes")) >= 6, timeout=60, what="the re-read")
            time.sleep(2)  # room for a wrong extra write-back to show up
        assert len(fake.tag_calls()) == 3  # two opportunities, then one: nothing written twice
        assert fake.too_early == [] and fake.emptied_bucket == 0


@pytest.mark.slow
def test_a_backlog_under_rate_limits_completes_never_early(tmp_path, redis_url, redis_client):
    """Every other API call answers 429 (Retry-After: 1 s); Lever's own bucket is never emptied.

    Eight contacts are enough: about sixty calls, three times Lever's burst of 20, with both pool processes
    contending for the connection's one call in flight. Each 429 costs a second, so the run grows with
    the backlog and a larger one proves nothing more.
    """
    backlog = 8
    with lever_server() as fake:
        env, connection = _setup(tmp_path, redis_url, fake)
        port = int(env["PASSION_PUBLIC_URL"].rsplit(":", 1)[1])
        fake.rate_limit_every, fake.retry_after = 2, 1
        contacts = [f"contact-{n}" for n in range(600, 600 + backlog)]
        for contact in contacts:
            fake.add_opportunity(contact, [RESUME_2024])
        with processes([web_argv(port), worker_argv()], env, tmp_path, env["PASSION_PUBLIC_URL"]):
            started = time.monotonic()
            for contact in contacts:
                assert _deliver(fake, connection, contact).status_code == 202
            wait_until(lambda: all(_tagged(fake, c, AWAITING) for c in contacts), timeout=300,
                       interval=1.0, what="every contact of the backlog tagged")
            elapsed = time.monotonic() - started
        statuses = [c.status for c in fake.calls]
        print(f"backlog={backlog} calls={len(statuses)} 429s={statuses.count(429)} elapsed={elapsed:.1f}s")
        assert fake.too_early == [] and fake.emptied_bucket == 0
        assert statuses.count(429) >= backlog
