"""Replayed deliveries: a webhook-id seen before changes nothing, an old capture is refused outright,
and dedupe is scoped so that neither a refusal nor another agency can block a delivery id."""

from __future__ import annotations

from datetime import timedelta

from plugin.extensions import db
from plugin.storage.connections import create_connection
from plugin.storage.models import Candidate, WebhookEvent
from tests.hardening.support import snapshot
from tests.webhook_sender import event, history, signed_delivery

CREATED = event("candidate.created", history("c-1", ["legal research"]))


def _send(client, connection_id: str, body: bytes, headers: dict[str, str]):
    return client.post(f"/webhooks/{connection_id}", data=body, headers=headers)


def test_the_same_signed_request_replayed_is_a_no_op(app, client, connection, redis_client) -> None:
    """Byte-for-byte the same request, as an attacker (or a retrying proxy) would resend it."""
    body, headers = signed_delivery(connection.secret, CREATED, msg_id="msg_once")
    assert _send(client, connection.id, body, headers).status_code == 202
    before = snapshot(app, redis_client)
    for _ in range(3):
        again = _send(client, connection.id, body, headers)
        assert (again.status_code, again.json["status"]) == (200, "duplicate")
    assert snapshot(app, redis_client) == before


def test_a_reused_id_with_a_new_body_is_ignored(app, client, connection, redis_client) -> None:
    """Dedupe is on the id: a second body under the same id is never applied."""
    body, headers = signed_delivery(connection.secret, CREATED, msg_id="msg_reused")
    assert _send(client, connection.id, body, headers).status_code == 202
    before = snapshot(app, redis_client)
    other = event("candidate.updated", history("c-1", ["something else entirely"]))
    body, headers = signed_delivery(connection.secret, other, msg_id="msg_reused")
    assert _send(client, connection.id, body, headers).status_code == 200
    assert snapshot(app, redis_client) == before
    with app.app_context():
        assert db.session.query(Candidate).one().history["jobs"][0]["likes"] == ["legal research"]


def test_an_old_capture_is_refused_before_dedupe(app, client, connection, redis_client) -> None:
    """Outside the tolerance window the signature check fails first: 401, not a friendly 200."""
    body, headers = signed_delivery(connection.secret, CREATED, msg_id="msg_old",
                                    age=timedelta(minutes=6))
    assert _send(client, connection.id, body, headers).status_code == 401
    with app.app_context():
        assert db.session.query(WebhookEvent).count() == 0


def test_a_replayed_creation_does_not_resurrect_a_deleted_candidate(app, client, connection,
                                                                    redis_client) -> None:
    created, created_headers = signed_delivery(connection.secret, CREATED, msg_id="msg_create")
    assert _send(client, connection.id, created, created_headers).status_code == 202
    deleted, deleted_headers = signed_delivery(
        connection.secret, event("candidate.deleted", {"candidate_id": "c-1"}), msg_id="msg_delete")
    assert _send(client, connection.id, deleted, deleted_headers).status_code == 202
    assert _send(client, connection.id, created, created_headers).status_code == 200
    with app.app_context():
        assert db.session.query(Candidate).count() == 0


def test_a_refused_delivery_does_not_burn_its_id(app, client, connection, redis_client) -> None:
    """The CRM fixes its payload and retries under the same id: that must get through."""
    bad = event("candidate.created", {"candidate_id": "c-1", "jobs": [{"title": None}]})
    body, headers = signed_delivery(connection.secret, bad, msg_id="msg_fixed")
    assert _send(client, connection.id, body, headers).status_code == 422
    body, headers = signed_delivery(connection.secret, CREATED, msg_id="msg_fixed")
    assert _send(client, connection.id, body, headers).status_code == 202


def test_ids_are_deduplicated_per_connection(app, client, connection, redis_client) -> None:
    """Another agency using (or guessing) the same id cannot make our delivery a duplicate."""
    with app.app_context():
        other = create_connection(provider="standard", name="Other agency")
    for issued in (connection, other):
        body, headers = signed_delivery(issued.secret, CREATED, msg_id="msg_shared")
        assert _send(client, issued.id, body, headers).status_code == 202
    with app.app_context():
        assert db.session.query(Candidate).count() == 2
