"""The whole loop on real parts: gunicorn, Celery worker processes, Redis, PostgreSQL or SQLite."""

from __future__ import annotations

import sys

import pytest

from tests.crm_fake import callback_server
from tests.integration.flow import Crm, run_flow
from tests.integration.stack import (
    base_env,
    create_connection,
    free_port,
    passion,
    processes,
    web_argv,
    worker_argv,
)
from tests.services import fresh_database

pytestmark = pytest.mark.integration


def test_external_redis_and_postgresql(tmp_path, redis_url, redis_client, postgres_admin_url):
    port = free_port()
    with fresh_database(postgres_admin_url) as database_url:
        env = base_env(tmp_path, DATABASE_URL=database_url, BROKER_URL=redis_url,
                       SECRET_KEY="e2e-secret", PUBLIC_URL=f"http://127.0.0.1:{port}")
        passion(env, "db-upgrade")
        with callback_server() as (receiver, callback_url):
            connection = create_connection(env, "--callback-url", callback_url)
            receiver.secret = connection["secret"]
            with processes([web_argv(port), worker_argv()], env, tmp_path, env["PASSION_PUBLIC_URL"]):
                run_flow(Crm(env["PASSION_PUBLIC_URL"], connection), receiver)
            assert receiver.rejected == 0


def test_embedded_defaults_with_passion_run(tmp_path):
    port = free_port()
    env = base_env(tmp_path, PUBLIC_URL=f"http://127.0.0.1:{port}")
    run_argv = [sys.executable, "-m", "workers.cli", "run", "--port", str(port), "--no-demo"]
    with processes([run_argv], env, tmp_path, env["PASSION_PUBLIC_URL"]):
        connection = create_connection(env)
        run_flow(Crm(env["PASSION_PUBLIC_URL"], connection))
    assert (tmp_path / "data" / "passion.db").exists()
