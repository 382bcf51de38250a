"""A connection's operations status (GET /api/connection/status, the admin API's show, /metrics) moves
with what happens to it: an event received, a write-back dead-lettered, a reconciliation that succeeds
or fails. Driven through the Greenhouse stand-in and the worker's own code."""

from __future__ import annotations

import pytest
from celery.exceptions import Reject

from plugin.extensions import db
from plugin.storage.models import Candidate
from tests.greenhouse.conftest import JOBS, WORKSHEET
from tests.web.test_metrics import scrape, value
from workers import crm_sync, pipeline, tasks

ADMIN_TOKEN = "operator-token-for-status"


@pytest.fixture
def app_config(greenhouse) -> dict[str, str]:
    return {"GREENHOUSE_API_URL": greenhouse.base_url, "GREENHOUSE_TOKEN_URL": f"{greenhouse.base_url}/token",
            "ADMIN_TOKEN": ADMIN_TOKEN}


def _status(client, connection) -> dict:
    answer = client.get("/api/connection/status", headers={"Authorization": f"Bearer {connection.token}"})
    assert answer.status_code == 200
    shown = client.get(f"/api/admin/connections/{connection.id}",
                       headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).get_json()["status"]
    assert shown == answer.get_json()  # the recruiter's view and the operator's are the same figures
    return shown


def test_a_new_connection_has_nothing_to_show(client, gh_connection):
    status = _status(client, gh_connection)
    assert status["reads_crm"] is True and status["last_event_at"] is None
    assert (status["events_last_day"], status["dead_letters"], status["pending_write_backs"]) == (0, 0, 0)
    assert status["reconciliation"] == {"succeeded_at": None, "changed": None, "failed_at": None,
                                        "error": None, "ok": None}
    assert status["recent_failures"] == []


def test_an_event_received_shows_as_the_last_event(client, greenhouse, gh_connection):
    greenhouse.add_candidate(7, JOBS)
    body, headers = greenhouse.webhook(gh_connection.secret, "update_candidate", 7)
    assert client.post(f"/webhooks/{gh_connection.id}", data=body, headers=headers).status_code == 202
    status = _status(client, gh_connection)
    assert status["last_event_at"] is not None and status["events_last_day"] == 1


def test_a_dead_lettered_write_back_is_counted_with_its_reason(app, client, greenhouse, gh_connection):
    greenhouse.add_candidate(702, JOBS, worksheet=WORKSHEET)
    with app.app_context():
        crm_sync.fetch(gh_connection.id, "702")
        row = db.session.query(Candidate).filter_by(external_id="702").one()
        analysis_id = pipeline.analyze(row.id, row.history_version)
    assert _status(client, gh_connection)["pending_write_backs"] == 1
    before = value(scrape(client), "passion_connections_with_dead_letters")
    del greenhouse.candidates[702]  # gone from Greenhouse before the write-back: PATCH answers 404
    with app.app_context(), pytest.raises(Reject):
        tasks.deliver_analysis.run(analysis_id)
    status = _status(client, gh_connection)
    assert (status["dead_letters"], status["pending_write_backs"]) == (1, 0)
    failure = status["recent_failures"][0]
    assert failure["what"] == "write-back" and "candidate gone" in failure["reason"]
    assert value(scrape(client), "passion_connections_with_dead_letters") == before + 1


def test_reconciliation_success_then_failure_then_recovery(app, client, greenhouse, gh_connection):
    greenhouse.add_candidate(201, JOBS)  # changed in Greenhouse; no webhook came
    greenhouse.add_candidate(202, JOBS)
    with app.app_context():
        tasks.reconcile_connection.run(gh_connection.id)
    done = _status(client, gh_connection)["reconciliation"]
    assert (done["ok"], done["changed"], done["failed_at"]) == (True, 2, None)
    assert value(scrape(client), "passion_connections_reconciliation_failing") == 0

    greenhouse.scripted = [500]  # the listing fails: the next beat tries again from the same checkpoint
    with app.app_context():
        tasks.reconcile_connection.run(gh_connection.id)
    failed = _status(client, gh_connection)
    assert failed["reconciliation"]["ok"] is False and "500" in failed["reconciliation"]["error"]
    assert failed["reconciliation"]["succeeded_at"] == done["succeeded_at"]
    assert failed["recent_failures"][0]["what"] == "reconciliation"
    assert value(scrape(client), "passion_connections_reconciliation_failing") == 1

    with app.app_context():
        tasks.reconcile_connection.run(gh_connection.id)
    recovered = _status(client, gh_connection)["reconciliation"]
    assert recovered["ok"] is True and recovered["changed"] == 2  # the overlap reads them again
    assert value(scrape(client), "passion_connections_reconciliation_failing") == 0


def test_metrics_count_connections_by_state_without_naming_one(app, client, gh_connection, connection):
    samples = scrape(client)
    assert value(samples, "passion_connections", state="enabled") == 2
    assert value(samples, "passion_connections", state="disabled") == 0
    assert value(samples, "passion_reconciliation_oldest_age_seconds") >= 0
    client.post(f"/api/admin/connections/{connection.id}/disable",
                headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    samples = scrape(client)
    assert value(samples, "passion_connections", state="disabled") == 1
    text = client.get("/metrics").get_data(as_text=True)
    assert gh_connection.id not in text and connection.id not in text
