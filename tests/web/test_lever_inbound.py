"""Lever webhooks through the real receiver: HMAC-SHA256 of token + triggeredAt compared with the body's
`signature` (the implementations' documented algorithm, computed here with the standard library),
wrong and missing signatures, a replayed delivery, the test ping, and events mapped."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid

import pytest

from plugin.extensions import db
from plugin.storage.connections import create_connection
from plugin.storage.models import Candidate, WebhookEvent

SIGNATURE_TOKEN = "lever-signature-token-1"


@pytest.fixture
def lever(app):
    with app.app_context():
        return create_connection(provider="lever", name="Lever", vendor_secrets=[SIGNATURE_TOKEN])


def _body(event: str, data: dict | None, *, key: str = SIGNATURE_TOKEN, at_ms: int | None = None,
          token: str | None = None, extra: str = "") -> bytes:
    token = token or uuid.uuid4().hex
    triggered = at_ms or int(time.time() * 1000)
    signature = hmac.new(key.encode(), f"{token}{triggered}".encode(), hashlib.sha256).hexdigest()
    body = {"id": str(uuid.uuid4()), "triggeredAt": triggered, "event": event, "token": token,
            "signature": signature, "data": data, "note": extra}
    return json.dumps(body).encode()


def _post(client, connection, body: bytes):
    return client.post(f"/webhooks/{connection.id}", data=body,
                       headers={"Content-Type": "application/json"})


def test_signature_covers_token_and_triggered_at_on_escaped_unicode_bodies(client, lever):
    """Lever signs two values, not the bytes: a body whose bytes re-serialisation would change (HTML
    escaped as <) still verifies, because the values are read from the bytes as received."""
    body = _body("contactUpdated", {"contactId": "c-1", "opportunityId": "o-1"}, extra="<p>é</p>")
    body = body.decode().replace("<", "\\u003c").replace(">", "\\u003e").encode()
    assert b"\\u003cp\\u003e" in body and json.dumps(json.loads(body)).encode() != body
    answer = _post(client, lever, body)
    assert answer.status_code == 202 and answer.json["delivery_id"].startswith("lever:")


def test_wrong_missing_and_stale_signatures_are_refused(client, lever):
    data = {"contactId": "c-2"}
    assert _post(client, lever, _body("contactUpdated", data, key="another-token")).status_code == 401
    unsigned = json.loads(_body("contactUpdated", data))
    del unsigned["signature"]
    assert _post(client, lever, json.dumps(unsigned).encode()).status_code == 401
    tampered = json.loads(_body("contactUpdated", data))
    tampered["triggeredAt"] += 1
    assert _post(client, lever, json.dumps(tampered).encode()).status_code == 401
    two_days_ago = int((time.time() - 2 * 86_400) * 1000)
    old = _post(client, lever, _body("contactUpdated", data, at_ms=two_days_ago))
    assert old.status_code == 401 and "tolerance" in old.json["message"]


def test_a_replay_is_a_duplicate_even_with_another_body_id(app, client, lever):
    body = _body("candidateDeleted", {"contactId": "c-3"})
    assert _post(client, lever, body).status_code == 202
    replay = json.loads(body)
    replay["id"] = "changed-unsigned-id"  # not signed: must not make a new delivery
    again = _post(client, lever, json.dumps(replay).encode())
    assert again.status_code == 200 and again.json["status"] == "duplicate"
    with app.app_context():
        assert db.session.query(WebhookEvent).count() == 1


def test_an_ignored_deliverys_signature_cannot_be_resent_as_a_deletion(app, client, lever):
    """Lever signs token and triggeredAt only: the event and its ids can be swapped under them."""
    with app.app_context():
        db.session.add(Candidate(connection_id=lever.id, external_id="c-6", history={"jobs": []},
                                 history_hash="h", history_version=1))
        db.session.commit()
    seen = json.loads(_body("interviewCreated", {"contactId": "c-9"}))
    assert _post(client, lever, json.dumps(seen).encode()).json["status"] == "ignored"
    forged = {**seen, "event": "candidateDeleted", "data": {"contactId": "c-6"}}
    answer = _post(client, lever, json.dumps(forged).encode())
    assert answer.status_code == 200 and answer.json["status"] == "duplicate"
    with app.app_context():
        assert db.session.query(Candidate).filter_by(external_id="c-6").one_or_none() is not None


def test_ping_interviews_and_events_are_mapped(app, client, lever):
    assert _post(client, lever, _body("candidateStageChange", {})).json["status"] == "ignored"  # test ping
    assert _post(client, lever, _body("interviewCreated", {"contactId": "c-4"})).json["status"] == "ignored"
    changed = _post(client, lever, _body("candidateStageChange", {"contactId": "c-4",
                                                                  "opportunityId": "o-4"}))
    assert changed.status_code == 202
    with app.app_context():
        assert db.session.query(WebhookEvent).filter_by(external_id="c-4").one().event_type == \
            "candidate.changed"
        db.session.add(Candidate(connection_id=lever.id, external_id="c-5", history={"jobs": []},
                                 history_hash="h", history_version=1))
        db.session.commit()
    assert _post(client, lever, _body("candidateDeleted", {"candidateId": "c-5"})).status_code == 202
    with app.app_context():
        assert db.session.query(Candidate).filter_by(external_id="c-5").one_or_none() is None
