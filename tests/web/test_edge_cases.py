"""Clock skew, Retry-After as a date, and a server whose secret key changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from plugin.extensions import db
from plugin.receiving.connectors.standard import _retry_after
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


def _response(retry_after: str) -> dict[str, str]:
    """The answer's headers, as the write-back client hands them over."""
    return {"Retry-After": retry_after}


def test_retry_after_in_seconds_or_as_an_http_date():
    assert _retry_after(_response("120")) == 120.0
    in_a_minute = format_datetime(datetime.now(UTC) + timedelta(seconds=60), usegmt=True)
    assert 55 <= _retry_after(_response(in_a_minute)) <= 60
    assert _retry_after(_response(format_datetime(datetime(2000, 1, 1, tzinfo=UTC), usegmt=True))) == 0
    assert _retry_after(_response("soon")) is None


def test_a_changed_secret_key_is_a_clear_server_error(client, connection, app):
    app.config["SECRET_KEY"] = "a different key"
    response = _send(client, connection, event("candidate.created", history("c-1", ["research"])))
    assert response.status_code == 500
    assert response.json["message"] == "Server misconfigured: stored secrets cannot be decrypted."
