"""Every refused delivery gets a clear status and message, and leaves nothing stored or queued."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from plugin.extensions import db
from plugin.storage.models import Candidate, WebhookEvent
from tests.conftest import queued_tasks
from tests.webhook_sender import event, history, signed_delivery

VALID = event("candidate.created", history("c-1", ["legal research"], ["drafting memos"]))


def _nothing_stored(app, redis_client) -> None:
    with app.app_context():
        assert db.session.query(WebhookEvent).count() == 0
        assert db.session.query(Candidate).count() == 0
    assert queued_tasks(redis_client) == []


def _post(client, connection_id: str, body: bytes, headers: dict[str, str]):
    return client.post(f"/webhooks/{connection_id}", data=body, headers=headers)


def test_unknown_connection_is_404(client, connection, app, redis_client):
    body, headers = signed_delivery(connection.secret, VALID)
    response = _post(client, "con_doesnotexist", body, headers)
    assert response.status_code == 404
    assert response.json["message"] == "Unknown connection."
    _nothing_stored(app, redis_client)


@pytest.mark.parametrize("mutate", ["missing", "wrong_secret", "tampered_body", "garbage"])
def test_bad_signature_is_401(client, connection, app, redis_client, mutate):
    body, headers = signed_delivery(connection.secret, VALID)
    if mutate == "missing":
        del headers["webhook-signature"]
    elif mutate == "wrong_secret":
        body, headers = signed_delivery("whsec_" + "A" * 43 + "=", VALID)
    elif mutate == "tampered_body":
        body = body.replace(b"legal research", b"legal reseerch")
    else:
        headers["webhook-signature"] = "v1,not-base64!!"
    response = _post(client, connection.id, body, headers)
    assert response.status_code == 401
    assert "Signature verification failed" in response.json["message"]
    _nothing_stored(app, redis_client)


@pytest.mark.parametrize("age", [timedelta(minutes=6), timedelta(minutes=-6)])
def test_timestamp_outside_tolerance_is_401(client, connection, app, redis_client, age):
    body, headers = signed_delivery(connection.secret, VALID, age=age)
    response = _post(client, connection.id, body, headers)
    assert response.status_code == 401
    assert "tolerance" in response.json["message"]
    _nothing_stored(app, redis_client)


@pytest.mark.parametrize("raw", [b'{"type": "candidate.created", "data": ', b"\xff\xfe{}", b"[" * 100_000])
def test_malformed_json_is_400(client, connection, app, redis_client, raw):
    body, headers = signed_delivery(connection.secret, raw)
    response = _post(client, connection.id, body, headers)
    assert response.status_code == 400
    assert response.json["status"] == "Bad Request"
    _nothing_stored(app, redis_client)


def _job(**overrides):
    job = {"title": "Clerk", "likes": ["research"], "dislikes": []}
    job.update(overrides)
    return job


@pytest.mark.parametrize(("data", "field"), [
    ({"jobs": [_job()]}, "data.candidate_id"),
    ({"candidate_id": 17, "jobs": [_job()]}, "data.candidate_id"),
    ({"candidate_id": "c", "jobs": [_job()] * 31}, "data.jobs"),
    ({"candidate_id": "c", "jobs": [_job(likes=["x"] * 11)]}, "data.jobs[0].likes"),
    ({"candidate_id": "c", "jobs": [_job(likes=["x" * 501])]}, "data.jobs[0].likes[0]"),
    ({"candidate_id": "c", "jobs": [_job(description="d" * 5001)]}, "data.jobs[0].description"),
    ({"candidate_id": "c", "jobs": [_job(), _job(start="2021-13")]}, "data.jobs[1].start"),
    ({"candidate_id": "c", "jobs": [_job(start="2021-05", end="2020-01")]}, "data.jobs[0].end"),
    ({"candidate_id": "c", "jobs": [_job(title=None)]}, "data.jobs[0].title"),
])
def test_schema_violation_is_422_naming_the_field(client, connection, app, redis_client, data,
                                                   field):
    body, headers = signed_delivery(connection.secret, event("candidate.created", data))
    response = _post(client, connection.id, body, headers)
    assert response.status_code == 422
    assert field in response.json["errors"]["json"]
    assert field in response.json["message"]
    _nothing_stored(app, redis_client)


def test_unknown_event_type_is_422(client, connection, app, redis_client):
    body, headers = signed_delivery(connection.secret, {"type": "candidate.hired", "data": {}})
    response = _post(client, connection.id, body, headers)
    assert response.status_code == 422
    assert "type" in response.json["errors"]["json"]
    _nothing_stored(app, redis_client)


def test_oversized_body_is_413(client, connection, app, redis_client):
    padding = {"candidate_id": "c", "jobs": [_job()], "notes": "n" * (256 * 1024)}
    body, headers = signed_delivery(connection.secret, event("candidate.created", padding))
    response = _post(client, connection.id, body, headers)
    assert response.status_code == 413
    assert json.loads(response.data)["code"] == 413
    _nothing_stored(app, redis_client)


def test_disabled_connection_refuses_everything(client, connection, app, redis_client):
    with app.app_context():
        from plugin.storage.models import Connection

        db.session.get(Connection, connection.id).enabled = False
        db.session.commit()
    body, headers = signed_delivery(connection.secret, VALID)
    assert _post(client, connection.id, body, headers).status_code == 403
    _, forged = signed_delivery("whsec_" + "A" * 32, VALID)
    assert _post(client, connection.id, body, forged).status_code == 401  # strangers learn nothing
    _nothing_stored(app, redis_client)
