"""Clock skew, Retry-After as a date, and a server whose secret key changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from plugin.extensions import db
from plugin.storage.models import Candidate
from tests.webhook_sender import event, history, signed_delivery


def _send(client, issued, payload):
    body, headers = signed_delivery(issued.secret, payload)
    return client.post(f"/webhooks/{issued.id}", data=body, headers=headers)


def test_a_crm_clock_far_ahead_does_not_freeze_the_candidate(client, connection, app):
    future = datetime.now(UTC) + timedelta(days=30)
    _send(client, connection, event("candidate.created", history("c-1", ["research"]), at=future))
    update = _send(client, connection, event("candidate.updated", history("c-1", ["writing"])))
    assert update.json["status"] == "accepted"
    with app.app_context():
        assert db.session.query(Candidate).one().history_version == 2


def test_a_changed_secret_key_is_a_clear_server_error(client, connection, app):
    app.config["SECRET_KEY"] = "a different key"
    response = _send(client, connection, event("candidate.created", history("c-1", ["research"])))
    assert response.status_code == 500
    assert response.json["message"] == "Server misconfigured: stored secrets cannot be decrypted."
