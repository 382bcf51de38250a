"""Accepted deliveries: recorded once, history upserted, an analysis queued only when it changed."""

from __future__ import annotations

from plugin.extensions import db
from plugin.receiving.connectors.signing import sign_headers
from plugin.storage.crypto import new_signing_secret
from plugin.storage.models import Candidate, Connection, WebhookEvent
from tests.conftest import queued_tasks
from tests.webhook_sender import event, history, signed_delivery


def _send(client, connection, payload, **kwargs):
    body, headers = signed_delivery(connection.secret, payload, **kwargs)
    return client.post(f"/webhooks/{connection.id}", data=body, headers=headers)


def test_created_is_stored_and_queued(client, connection, app, redis_client):
    response = _send(client, connection, event("candidate.created", history("c-1", ["research"])))
    assert response.status_code == 202
    assert response.json["analysis_queued"] is True
    assert queued_tasks(redis_client) == ["workers.analyze_candidate"]
    with app.app_context():
        candidate = db.session.query(Candidate).one()
        assert (candidate.external_id, candidate.history_version) == ("c-1", 1)
        assert candidate.history["jobs"][0]["likes"] == ["research"]


def test_duplicate_delivery_is_200_and_does_nothing(client, connection, app, redis_client):
    payload = event("candidate.created", history("c-1", ["research"]))
    assert _send(client, connection, payload, msg_id="msg_same").status_code == 202
    again = _send(client, connection, payload, msg_id="msg_same")
    assert again.status_code == 200
    assert again.json["status"] == "duplicate"
    assert len(queued_tasks(redis_client)) == 1
    with app.app_context():
        assert db.session.query(WebhookEvent).count() == 1


def test_unchanged_update_queues_nothing(client, connection, app, redis_client):
    _send(client, connection, event("candidate.created", history("c-1", ["research"])))
    same = history("c-1", ["  research "])  # differs only in spacing
    response = _send(client, connection, event("candidate.updated", same))
    assert response.status_code == 202
    assert response.json["analysis_queued"] is False
    assert len(queued_tasks(redis_client)) == 1


def test_changed_update_bumps_version_and_queues(client, connection, app, redis_client):
    _send(client, connection, event("candidate.created", history("c-1", ["research"])))
    _send(client, connection, event("candidate.updated", history("c-1", ["writing"])))
    assert len(queued_tasks(redis_client)) == 2
    with app.app_context():
        assert db.session.query(Candidate).one().history_version == 2


def test_deleted_removes_the_candidate(client, connection, app, redis_client):
    _send(client, connection, event("candidate.created", history("c-1", ["research"])))
    response = _send(client, connection, event("candidate.deleted", {"candidate_id": "c-1"}))
    assert response.status_code == 202
    with app.app_context():
        assert db.session.query(Candidate).count() == 0


def test_rotated_secrets_both_verify(client, connection, app, redis_client):
    new_secret = new_signing_secret()
    with app.app_context():
        row = db.session.get(Connection, connection.id)
        row.set_signing_secrets(app.config["SECRET_KEY"], [new_secret, connection.secret])
        db.session.commit()
    old = _send(client, connection, event("candidate.created", history("c-1", ["research"])))
    body = b'{"type": "candidate.created", "data": {"candidate_id": "c-2", "jobs": []}}'
    headers = sign_headers(new_secret, "msg_rotated", body) | {"content-type": "application/json"}
    new = client.post(f"/webhooks/{connection.id}", data=body, headers=headers)
    assert (old.status_code, new.status_code) == (202, 202)


def test_signing_secrets_are_encrypted_at_rest(app, connection):
    with app.app_context():
        row = db.session.get(Connection, connection.id)
        assert connection.secret not in row.signing_secrets_encrypted
        assert connection.token not in row.token_hash


def test_an_event_older_than_the_last_applied_changes_nothing(client, connection, app, redis_client):
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    _send(client, connection, event("candidate.created", history("c-1", ["research"]), at=now))
    late = _send(client, connection, event("candidate.updated", history("c-1", ["writing"]),
                                           at=now - timedelta(seconds=30)))
    assert late.status_code == 202
    assert late.json["status"] == "stale"
    with app.app_context():
        candidate = db.session.query(Candidate).one()
        assert candidate.history["jobs"][0]["likes"] == ["research"]
        assert candidate.history_version == 1
    assert len(queued_tasks(redis_client)) == 1


def test_deleted_removes_analyses_and_tags_too(client, connection, app, redis_client):
    from plugin.storage.models import Analysis, CandidateTag
    from workers import pipeline

    _send(client, connection, event("candidate.created", history("c-1", ["legal research"])))
    with app.app_context():
        pipeline.analyze(db.session.query(Candidate).one().id, 1)
        assert db.session.query(Analysis).count() == 1
    _send(client, connection, event("candidate.deleted", {"candidate_id": "c-1"}))
    with app.app_context():
        assert db.session.query(Analysis).count() == 0
        assert db.session.query(CandidateTag).count() == 0


def test_anonymized_erases_the_candidate_like_deleted(client, connection, app, redis_client):
    _send(client, connection, event("candidate.created", history("c-1", ["research"])))
    response = _send(client, connection, event("candidate.anonymized", {"candidate_id": "c-1"}))
    assert response.status_code == 202
    with app.app_context():
        assert db.session.query(Candidate).count() == 0


def test_a_late_update_from_before_the_deletion_does_not_bring_the_candidate_back(
        client, connection, app, redis_client):
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    _send(client, connection, event("candidate.created", history("c-1", ["research"]),
                                    at=now - timedelta(seconds=60)))
    _send(client, connection, event("candidate.deleted", {"candidate_id": "c-1"}, at=now))
    for late_by in (timedelta(seconds=30), timedelta(0)):  # a retry from before, one at the same second
        late = _send(client, connection, event("candidate.updated", history("c-1", ["writing"]),
                                               at=now - late_by))
        assert (late.status_code, late.json["status"]) == (202, "stale")
    with app.app_context():
        assert db.session.query(Candidate).count() == 0
        statuses = [e.status for e in db.session.query(WebhookEvent).order_by(WebhookEvent.id)]
        assert statuses == ["accepted", "accepted", "stale", "stale"]
    assert len(queued_tasks(redis_client)) == 1  # the creation's analysis only


def test_a_candidate_created_again_after_the_deletion_is_stored(client, connection, app, redis_client):
    from datetime import UTC, datetime, timedelta

    from plugin.storage.models import CandidateErasure

    now = datetime.now(UTC)
    _send(client, connection, event("candidate.anonymized", {"candidate_id": "c-1"},
                                    at=now - timedelta(seconds=60)))
    with app.app_context():
        assert db.session.query(CandidateErasure).one().external_id == "c-1"
    again = _send(client, connection, event("candidate.created", history("c-1", ["writing"]), at=now))
    assert again.json == {"status": "accepted", "delivery_id": again.json["delivery_id"],
                          "analysis_queued": True}
    with app.app_context():
        assert db.session.query(Candidate).one().history["jobs"][0]["likes"] == ["writing"]
        assert db.session.query(CandidateErasure).count() == 0


def test_an_erasure_is_kept_per_connection(client, connection, app, redis_client):
    from datetime import UTC, datetime, timedelta

    from plugin.storage.connections import create_connection

    with app.app_context():
        other = create_connection(provider="standard", name="Other agency")
    now = datetime.now(UTC)
    _send(client, connection, event("candidate.deleted", {"candidate_id": "c-1"}, at=now))
    response = _send(client, other, event("candidate.created", history("c-1", ["research"]),
                                          at=now - timedelta(seconds=5)))
    assert response.json["status"] == "accepted"
