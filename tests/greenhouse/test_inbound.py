"""Greenhouse webhooks through the real receiver: the documented signature on the raw bytes, the
delivery id, and each action mapped (or acknowledged and ignored)."""

from __future__ import annotations

import json
import logging

from plugin.extensions import db
from plugin.storage.models import Candidate, WebhookEvent
from tests.conftest import queued_tasks
from tests.greenhouse.conftest import JOBS, WORKSHEET
from tests.greenhouse_fake import greenhouse_json, sign


def _post(client, connection, body: bytes, headers: dict[str, str]):
    return client.post(f"/webhooks/{connection.id}", data=body, headers=headers)


def _stored(app, external_id: str) -> Candidate | None:
    with app.app_context():
        row = db.session.query(Candidate).filter_by(external_id=external_id).one_or_none()
        db.session.expunge_all()
        return row


def test_escaped_unicode_is_verified_on_the_bytes_as_sent(app, client, greenhouse, gh_connection):
    greenhouse.add_candidate(7, [("<p>Research</p> Assistant & Clerk", "Lab", "2020-03-01", None)],
                             worksheet=WORKSHEET)
    body, headers = greenhouse.webhook(gh_connection.secret, "update_candidate", 7)
    assert b"\\u003cp\\u003e" in body and b"\\u0026" in body
    reserialised = json.dumps(json.loads(body)).encode()
    assert reserialised != body  # a receiver that re-serialises would check other bytes

    assert _post(client, gh_connection, body, headers).status_code == 202
    stored = _stored(app, "7")
    assert stored is not None and stored.history["jobs"][0]["title"] == "<p>Research</p> Assistant & Clerk"

    forged = {**headers, "Greenhouse-Event-ID": "other", "Signature": sign(gh_connection.secret,
                                                                           reserialised)}
    assert _post(client, gh_connection, body, forged).status_code == 401


def test_wrong_missing_and_malformed_signatures_are_refused(app, client, greenhouse, gh_connection):
    greenhouse.add_candidate(8, JOBS)
    body, headers = greenhouse.webhook(gh_connection.secret, "update_candidate", 8)
    wrong = _post(client, gh_connection, body, {**headers, "Signature": sign("not-the-secret", body)})
    assert wrong.status_code == 401 and "does not match" in wrong.json["message"]
    missing = _post(client, gh_connection, body, {k: v for k, v in headers.items() if k != "Signature"})
    assert missing.status_code == 401 and "missing Signature" in missing.json["message"]
    sha1 = _post(client, gh_connection, body, {**headers, "Signature": headers["Signature"].replace(
        "sha256 ", "sha1 ")})
    assert sha1.status_code == 401
    tampered = _post(client, gh_connection, body.replace(b"Firm A", b"Firm Z"), headers)
    assert tampered.status_code == 401
    assert _stored(app, "8") is None


def test_a_replayed_delivery_changes_nothing(app, client, greenhouse, gh_connection):
    greenhouse.add_candidate(9, JOBS, worksheet=WORKSHEET)
    body, headers = greenhouse.webhook(gh_connection.secret, "update_candidate", 9, event_id="evt-1")
    first = _post(client, gh_connection, body, headers)
    assert first.status_code == 202 and first.json["analysis_queued"] is True
    again = _post(client, gh_connection, body, headers)
    assert again.status_code == 200 and again.json == {"status": "duplicate",
                                                       "delivery_id": first.json["delivery_id"]}
    # the event id header is not signed: the same body under a fresh one is the same delivery
    fresh_header = _post(client, gh_connection, body, {**headers, "Greenhouse-Event-ID": "evt-2"})
    assert fresh_header.status_code == 200 and fresh_header.json["status"] == "duplicate"
    with app.app_context():
        assert db.session.query(WebhookEvent).count() == 1


def test_webhook_dates_are_month_day_year(app, client, greenhouse, gh_connection):
    greenhouse.add_candidate(10, JOBS, worksheet=WORKSHEET)
    body, headers = greenhouse.webhook(gh_connection.secret, "update_candidate", 10)
    assert b'"01/04/2021"' in body
    assert _post(client, gh_connection, body, headers).status_code == 202
    jobs = _stored(app, "10").history["jobs"]
    assert [(j["title"], j["start"], j["end"]) for j in jobs] == [
        ("Law Clerk", "2021-01", None), ("Paralegal", "2018-01", "2020-12")]
    assert jobs[0]["likes"] == ["legal research for the partners", "tracking down case law on CanLII"]
    assert jobs[1]["dislikes"] == ["calling clients about unpaid invoices"]


def test_a_bad_date_is_refused_naming_the_field(client, gh_connection):
    payload = {"action": "update_candidate", "payload": {"candidate": {
        "id": 11, "employments": [{"title": "Clerk", "company_name": "A", "start_date": "2021-01-04"}]}}}
    body = greenhouse_json(payload)
    answer = _post(client, gh_connection, body, {"Signature": sign(gh_connection.secret, body),
                                                 "Greenhouse-Event-ID": "e11",
                                                 "Content-Type": "application/json"})
    assert answer.status_code == 422
    assert "payload.candidate.employments[0].start_date" in answer.json["errors"]["json"]


def test_ping_and_unknown_actions_are_acknowledged_and_ignored(app, client, gh_connection, caplog):
    for action in ("ping", "candidate_stage_change"):
        body = greenhouse_json({"action": action, "payload": {"application": {"candidate": {
            "id": 12, "first_name": "Secret Name"}}}})
        with caplog.at_level(logging.INFO):
            answer = _post(client, gh_connection, body, {"Signature": sign(gh_connection.secret, body),
                                                         "Greenhouse-Event-ID": f"e-{action}",
                                                         "Content-Type": "application/json"})
        assert answer.status_code == 200 and answer.json["status"] == "ignored"
    assert "action=candidate_stage_change" in caplog.text
    assert "Secret Name" not in caplog.text
    with app.app_context():  # kept, without a candidate id, so the same delivery is not acted on later
        kept = db.session.query(WebhookEvent).all()
        assert [(e.status, e.external_id) for e in kept] == [("ignored", None)] * 2


def test_application_events_queue_a_fetch(client, greenhouse, gh_connection, redis_client):
    greenhouse.add_candidate(13, JOBS)
    body, headers = greenhouse.webhook(gh_connection.secret, "new_candidate_application", 13)
    answer = _post(client, gh_connection, body, headers)
    assert answer.status_code == 202 and answer.json["analysis_queued"] is True
    assert queued_tasks(redis_client) == ["workers.fetch_candidate"]


def test_a_thin_event_the_broker_cannot_take_is_refused_and_applied_when_sent_again(
        app, client, greenhouse, gh_connection, redis_client):
    """Nothing but the queued fetch says a read is owed: a 202 without it would lose the event."""
    from plugin import queue
    from tests.integration.stack import free_port

    greenhouse.add_candidate(16, JOBS)
    body, headers = greenhouse.webhook(gh_connection.secret, "new_candidate_application", 16)
    broker = app.config["BROKER_URL"]
    app.config["BROKER_URL"] = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens
    queue.init_app(app)
    refused = _post(client, gh_connection, body, headers)
    assert refused.status_code == 503 and refused.headers["Retry-After"]
    app.config["BROKER_URL"] = broker
    queue.init_app(app)
    again = _post(client, gh_connection, body, headers)  # the CRM's retry: not a duplicate
    assert again.status_code == 202 and again.json["analysis_queued"] is True
    assert queued_tasks(redis_client) == ["workers.fetch_candidate"]


def test_delete_and_merge_erase_and_merge_fetches_the_survivor(app, client, greenhouse, gh_connection,
                                                               redis_client):
    for cid in (14, 15):
        greenhouse.add_candidate(cid, JOBS, worksheet=WORKSHEET)
        body, headers = greenhouse.webhook(gh_connection.secret, "update_candidate", cid)
        assert _post(client, gh_connection, body, headers).status_code == 202
    redis_client.delete("passion")
    body, headers = greenhouse.webhook(gh_connection.secret, "delete_candidate", 14)
    assert _post(client, gh_connection, body, headers).status_code == 202
    assert _stored(app, "14") is None
    merge = greenhouse_json({"action": "merge_candidate", "payload": {"person": {
        "id": 15, "new_candidate_id": 99}}})
    answer = _post(client, gh_connection, merge, {"Signature": sign(gh_connection.secret, merge),
                                                  "Greenhouse-Event-ID": "m1",
                                                  "Content-Type": "application/json"})
    assert answer.status_code == 202
    assert _stored(app, "15") is None
    raw = [json.loads(t) for t in redis_client.lrange("passion", 0, -1)]
    assert [(t["headers"]["task"], t["headers"]["argsrepr"]) for t in raw] == [
        ("workers.fetch_candidate", f"('{gh_connection.id}', '99')")]


def test_anonymized_candidate_is_erased(app, client, greenhouse, gh_connection):
    greenhouse.add_candidate(16, JOBS, worksheet=WORKSHEET)
    body, headers = greenhouse.webhook(gh_connection.secret, "update_candidate", 16)
    assert _post(client, gh_connection, body, headers).status_code == 202
    anon = greenhouse_json({"action": "candidate_anonymized",
                            "payload": {"candidate_id": 16, "anonymized_fields": ["employment"]}})
    answer = _post(client, gh_connection, anon, {"Signature": sign(gh_connection.secret, anon),
                                                 "Greenhouse-Event-ID": "a1",
                                                 "Content-Type": "application/json"})
    assert answer.status_code == 202
    assert _stored(app, "16") is None
