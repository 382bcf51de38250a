"""The fast intake path: one guarded transaction per delivery, a per-process copy of the connection that
is trusted only to accept, and back-pressure that refuses before anything is stored."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from plugin.extensions import db
from plugin.queue import QUEUE
from plugin.receiving import backpressure
from plugin.storage.connections import drop_old_secrets, rotate_secret, set_enabled
from plugin.storage.models import Candidate, Connection, WebhookEvent
from tests.conftest import queued_tasks
from tests.webhook_sender import event, history, signed_delivery


def _send(client, connection_id, secret, payload, **kwargs):
    body, headers = signed_delivery(secret, payload, **kwargs)
    return client.post(f"/webhooks/{connection_id}", data=body, headers=headers)


def _stored(app) -> tuple[int, int]:
    with app.app_context():
        events = db.session.scalar(select(func.count()).select_from(WebhookEvent))
        candidates = db.session.scalar(select(func.count()).select_from(Candidate))
        db.session.rollback()
    return events, candidates


def _change(app, connection_id, change):
    with app.app_context():
        result = change(db.session.get(Connection, connection_id))
        db.session.remove()
    return result


def test_every_accepted_delivery_is_stored_and_queued_once(client, connection, app, redis_client):
    answers = [_send(client, connection.id, connection.secret,
                     event("candidate.created", history(f"c-{n}", ["research"]))).status_code
               for n in range(12)]
    again = _send(client, connection.id, connection.secret,
                  event("candidate.created", history("c-0", ["research"])), msg_id="msg_twice")
    twice = _send(client, connection.id, connection.secret,
                  event("candidate.created", history("c-0", ["research"])), msg_id="msg_twice")
    assert answers == [202] * 12 and again.status_code == 202 and twice.status_code == 200
    assert _stored(app) == (13, 12)
    assert queued_tasks(redis_client) == ["workers.analyze_candidate"] * 12


def test_a_connection_disabled_after_it_was_cached_refuses_and_stores_nothing(
        client, connection, app, redis_client):
    first = _send(client, connection.id, connection.secret,
                  event("candidate.created", history("c-1", ["a"])))
    assert first.status_code == 202  # the copy is cached now
    _change(app, connection.id, lambda row: set_enabled(row, False))
    refused = _send(client, connection.id, connection.secret,
                    event("candidate.created", history("c-2", ["a"])))
    assert refused.status_code == 403
    assert _stored(app) == (1, 1)
    _change(app, connection.id, lambda row: set_enabled(row, True))
    assert _send(client, connection.id, connection.secret,
                 event("candidate.created", history("c-2", ["a"]))).status_code == 202


def test_a_secret_rotated_after_caching_verifies_and_a_dropped_one_does_not(
        client, connection, app, redis_client):
    assert _send(client, connection.id, connection.secret,
                 event("candidate.created", history("c-1", ["a"]))).status_code == 202
    new_secret = _change(app, connection.id, rotate_secret)
    # the cached copy knows only the old secret: the refusal is checked again on a fresh read
    assert _send(client, connection.id, new_secret,
                 event("candidate.created", history("c-2", ["a"]))).status_code == 202
    _change(app, connection.id, drop_old_secrets)
    # the cached copy still holds the old secret: the insert's guard sees the change, nothing is stored
    stale = _send(client, connection.id, connection.secret,
                  event("candidate.created", history("c-3", ["a"])))
    assert stale.status_code == 401
    assert _stored(app) == (2, 2)


def test_a_deleted_connection_is_404_though_it_was_cached(client, connection, app, redis_client):
    assert _send(client, connection.id, connection.secret,
                 event("candidate.created", history("c-1", ["a"]))).status_code == 202

    def delete(row):
        db.session.delete(row)
        db.session.commit()

    _change(app, connection.id, delete)
    gone = _send(client, connection.id, connection.secret,
                 event("candidate.created", history("c-2", ["a"])))
    assert gone.status_code == 404


@pytest.fixture
def bounded(app, monkeypatch):
    """A backlog bound of 3, read on every delivery."""
    monkeypatch.setattr(backpressure, "CHECK_SECONDS", 0.0)
    app.config.update(INTAKE_MAX_BACKLOG=3, INTAKE_RETRY_AFTER_SECONDS=17)
    return app


def test_a_full_queue_answers_503_with_retry_after_and_stores_nothing(
        client, connection, bounded, redis_client):
    for n in range(3):
        assert _send(client, connection.id, connection.secret,
                     event("candidate.created", history(f"c-{n}", ["a"]))).status_code == 202
    payload = event("candidate.created", history("c-late", ["a"]))
    refused = _send(client, connection.id, connection.secret, payload, msg_id="msg_late")
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "17"
    assert "limit 3" in refused.json["message"]
    assert _stored(bounded) == (3, 3)
    redis_client.rpop(QUEUE)  # a worker takes one analysis: the CRM's retry of the same delivery lands
    retried = _send(client, connection.id, connection.secret, payload, msg_id="msg_late")
    assert retried.status_code == 202
    assert _stored(bounded) == (4, 4)


def test_no_bound_and_no_broker_refuse_nothing(client, connection, bounded, redis_client, monkeypatch):
    bounded.config["INTAKE_MAX_BACKLOG"] = 0
    for n in range(4):
        assert _send(client, connection.id, connection.secret,
                     event("candidate.created", history(f"c-{n}", ["a"]))).status_code == 202
    bounded.config["INTAKE_MAX_BACKLOG"] = 1
    monkeypatch.setattr(backpressure, "_queue_length", lambda: None)  # the broker did not answer
    assert _send(client, connection.id, connection.secret,
                 event("candidate.created", history("c-9", ["a"]))).status_code == 202
