"""Greenhouse end to end on real parts: the `passion` CLI, gunicorn, Celery worker processes and Redis,
against the stand-in Greenhouse HTTP server (tests/greenhouse_fake.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
import requests
from celery import Celery

from tests.greenhouse.conftest import JOBS, WORKSHEET
from tests.greenhouse_fake import CLIENT_ID, CLIENT_SECRET, FakeGreenhouse, greenhouse_server
from tests.integration.stack import base_env, free_port, passion, processes, wait_until, web_argv, worker_argv

pytestmark = pytest.mark.integration
RESEARCH = ["avoid:client_contact", "passion:research"]


def _env(tmp_path, redis_url: str, fake: FakeGreenhouse, port: int, **extra: str) -> dict[str, str]:
    return base_env(tmp_path, BROKER_URL=redis_url, SECRET_KEY="e2e-secret",
                    DATABASE_URL=f"sqlite:///{tmp_path / 'gh.db'}", PUBLIC_URL=f"http://127.0.0.1:{port}",
                    GREENHOUSE_API_URL=fake.base_url, GREENHOUSE_TOKEN_URL=f"{fake.base_url}/token",
                    **extra)


def _create(env: dict[str, str], secret: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "workers.cli", "connections", "create", "--provider",
                           "greenhouse", "--name", "Greenhouse", "--client-id", CLIENT_ID, "--json"],
                          env={**env, "PASSION_GREENHOUSE_CLIENT_SECRET": secret}, capture_output=True,
                          text=True, timeout=120)


def _deliver(fake: FakeGreenhouse, connection: dict[str, str], action: str, cid: int) -> requests.Response:
    body, headers = fake.webhook(connection["secret"], action, cid)
    return requests.post(connection["webhook_url"], data=body, headers=headers, timeout=30)


def _setup(tmp_path, redis_url: str, fake: FakeGreenhouse, **extra: str) -> tuple[dict[str, str], dict]:
    env = _env(tmp_path, redis_url, fake, free_port(), **extra)
    passion(env, "db-upgrade")
    refused = _create(env, "wrong-secret")
    assert refused.returncode != 0 and "credentials did not work" in refused.stderr
    created = _create(env, CLIENT_SECRET)
    assert created.returncode == 0, created.stderr
    return env, json.loads(created.stdout.strip().splitlines()[-1])


def test_event_fetch_write_back_echo_and_reconciliation(tmp_path, redis_url, redis_client):
    with greenhouse_server() as fake:
        env, connection = _setup(tmp_path, redis_url, fake)
        assert connection["webhook_url"].endswith(f"/webhooks/{connection['id']}")
        port = int(env["PASSION_PUBLIC_URL"].rsplit(":", 1)[1])
        with processes([web_argv(port), worker_argv()], env, tmp_path, env["PASSION_PUBLIC_URL"]):
            fake.add_candidate(501, JOBS, worksheet=WORKSHEET)
            accepted = _deliver(fake, connection, "new_candidate_application", 501)
            assert accepted.status_code == 202, accepted.text
            wait_until(lambda: fake.field_values(501) == RESEARCH, timeout=90,
                       what="the field written back")

            echo = _deliver(fake, connection, "update_candidate", 501)
            assert echo.status_code == 202 and echo.json()["analysis_queued"] is False

            fake.add_candidate(502, JOBS)  # changed in Greenhouse while the webhook was disabled
            Celery(broker=redis_url).send_task("workers.reconcile_crms", queue="passion")
            wait_until(lambda: fake.field_values(502) == ["worksheet:awaiting"], timeout=90,
                       what="the missed candidate found by reconciliation")
            time.sleep(2)  # room for a wrong extra write-back to show up
        assert len(fake.patches()) == 2
        assert fake.too_early == []


@pytest.mark.slow
def test_a_backlog_under_rate_limits_and_a_token_expiry_completes_never_early(tmp_path, redis_url,
                                                                              redis_client):
    """Every other API call answers 429 (Retry-After: 1 s); the token is revoked mid-backlog.

    Eight candidates are enough: half written back before the token goes and the rest after it (both pool
    processes still contending for the connection's one call in flight, one refresh between them), half
    of them with a worksheet. Each 429 costs a second, so a larger backlog only runs longer.
    """
    backlog = 8
    with greenhouse_server() as fake:
        env, connection = _setup(tmp_path, redis_url, fake)
        port = int(env["PASSION_PUBLIC_URL"].rsplit(":", 1)[1])
        fake.rate_limit_every = 2
        ids = list(range(600, 600 + backlog))
        for cid in ids:
            fake.add_candidate(cid, JOBS, worksheet=WORKSHEET if cid % 2 else None)
        with processes([web_argv(port), worker_argv()], env, tmp_path, env["PASSION_PUBLIC_URL"]):
            started = time.monotonic()
            for cid in ids:
                assert _deliver(fake, connection, "new_candidate_application", cid).status_code == 202
            wait_until(lambda: sum(bool(fake.field_values(cid)) for cid in ids) >= backlog // 2,
                       timeout=200, interval=0.5, what="half the backlog written back")
            fake.expire_tokens()  # the access token stops working mid-backlog
            wait_until(lambda: all(fake.field_values(cid) for cid in ids), timeout=200,
                       interval=1.0, what="every candidate of the backlog written back")
            elapsed = time.monotonic() - started
        statuses = [c.status for c in fake.calls]
        print(f"backlog={backlog} calls={len(statuses)} 429s={statuses.count(429)} "
              f"401s={statuses.count(401)} tokens={fake.token_requests} elapsed={elapsed:.1f}s")
        assert fake.too_early == []
        assert statuses.count(429) >= backlog
        assert statuses.count(401) >= 1 and fake.token_requests == 3  # the check, the first, the refresh
        assert all(fake.field_values(cid) == (RESEARCH if cid % 2 else ["worksheet:awaiting"]) for cid in ids)
