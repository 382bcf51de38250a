"""Issue 13, findings 1 (receiver part) and 7: a webhook body still arriving holds no transaction, and
nothing after the commit can turn a stored event into a 503.

A real threaded HTTP server, real sockets, SQLite and PostgreSQL. On SQLite every transaction takes the
one write lock (BEGIN IMMEDIATE), so a transaction open while a body drips locks every tenant out; on
PostgreSQL it shows as a session "idle in transaction".
"""

from __future__ import annotations

import sqlite3
import time

import pytest
import requests
from sqlalchemy import create_engine, text

from plugin.storage.connections import create_connection
from plugin.storage.models import Candidate, WebhookEvent
from tests.attacks.slow_clients import open_request, read_status
from tests.hardening.support import auth, post_signed
from tests.servers import threaded_server
from tests.webhook_sender import event, history, signed_delivery


def _raw_post_head(connection_id: str, body: bytes, headers: dict[str, str]) -> bytes:
    lines = [f"POST /webhooks/{connection_id} HTTP/1.1", "Host: 127.0.0.1",
             f"Content-Length: {len(body)}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _transactions_left_open(database_url: str) -> int:
    """PostgreSQL sessions of this test's database sitting inside a transaction (not ours: autocommit)."""
    engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            return int(conn.scalar(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()")))
    finally:
        engine.dispose()


def test_a_slow_body_stalls_no_other_tenant(app, database_url, redis_client):
    with app.app_context():
        slow = create_connection(provider="standard", name="Slow CRM")
        other = create_connection(provider="standard", name="Other CRM")
    body, headers = signed_delivery(slow.secret, event("candidate.created", history("slow-1", ["research"])))
    with threaded_server(app) as base_url:
        sock = open_request(base_url, _raw_post_head(slow.id, body, headers) + body[:20])
        try:
            time.sleep(0.5)  # the server has read the headers and is waiting for the rest of the body
            if database_url.startswith("postgresql"):
                assert _transactions_left_open(database_url) == 0
            other_body, other_headers = signed_delivery(
                other.secret, event("candidate.created", history("other-1", ["research"])))
            # a bound, not a speed target: a transaction held by the slow body makes these wait 15 s (503)
            answers = [
                requests.post(f"{base_url}/webhooks/{other.id}", data=other_body, headers=other_headers,
                              timeout=5).status_code,
                requests.get(f"{base_url}/api/candidates", headers=auth(other.token), timeout=5).status_code,
                requests.get(f"{base_url}/healthz", timeout=5).status_code,
            ]
            assert answers == [202, 200, 200]
            sock.sendall(body[20:])
            assert read_status(sock) == 202
        finally:
            sock.close()
    with app.app_context():
        from plugin.extensions import db

        assert {c.external_id for c in db.session.query(Candidate)} == {"slow-1", "other-1"}


def _hold_sqlite_write_lock(database_url: str) -> sqlite3.Connection:
    """Another process's writer, as the worker is while it stores an analysis."""
    locker = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None, timeout=30)
    locker.execute("BEGIN IMMEDIATE")
    return locker


def test_a_stored_event_is_never_answered_503(app, client, connection, database_url, redis_client,
                                               monkeypatch):
    """After the commit the write lock may be taken by someone else: the answer must still be 202."""
    if not database_url.startswith("sqlite"):
        pytest.skip("the lock that made a stored event answer 503 is SQLite's single write lock")
    from plugin.receiving import ingest

    lockers: list[sqlite3.Connection] = []
    real_enqueue = ingest.enqueue_analysis

    def enqueue_then_lose_the_lock(candidate_id: int, version: int) -> None:
        real_enqueue(candidate_id, version)
        lockers.append(_hold_sqlite_write_lock(database_url))

    monkeypatch.setattr(ingest, "enqueue_analysis", enqueue_then_lose_the_lock)
    try:
        response = post_signed(client, connection, event("candidate.created", history("c-1", ["research"])))
    finally:
        for locker in lockers:
            locker.rollback()
            locker.close()
    assert response.status_code == 202, response.json
    assert response.json["analysis_queued"] is True
    with app.app_context():
        from plugin.extensions import db

        assert db.session.query(WebhookEvent).count() == 1
