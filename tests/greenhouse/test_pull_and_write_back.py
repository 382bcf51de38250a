"""The worker's side against the stand-in Greenhouse, task functions called directly: the history fetched
(cursor pagination, ISO dates), the field written back (created on first use, ids kept), nothing sent
when nothing changed, our own echo ignored, a missed event caught by reconciliation, limits honoured."""

from __future__ import annotations

from datetime import timedelta

import pytest

from plugin.extensions import db
from plugin.receiving.connectors import CrmError
from plugin.storage import crm_state
from plugin.storage.models import Analysis, Candidate, ConnectorState
from tests.greenhouse.conftest import JOBS, WORKSHEET
from workers import crm_sync, pipeline


def _candidate(external_id: str) -> Candidate:
    return db.session.query(Candidate).filter_by(external_id=external_id).one()


def _analyse_and_deliver(external_id: str) -> int | None:
    row = _candidate(external_id)
    analysis_id = pipeline.analyze(row.id, row.history_version)
    if analysis_id is not None:
        pipeline.deliver(analysis_id)
    return analysis_id


def test_fetch_analyse_write_back_then_the_echo_is_ignored(app, client, greenhouse, gh_connection):
    many_jobs = JOBS + [(f"Intern {n}", f"Co {n}", f"20{10 + n % 8}-0{1 + n % 9}-01", "2017-12-31")
                        for n in range(130)]  # more rows than one page of 100
    greenhouse.add_candidate(101, many_jobs, worksheet=WORKSHEET)
    with app.app_context():
        crm_sync.fetch(gh_connection.id, "101")
        history = _candidate("101").history
        assert len(history["jobs"]) == 30  # the 30 most recent of 132, current job first
        assert history["jobs"][0] == {"title": "Law Clerk", "employer": "Firm A", "start": "2021-01",
                                      "end": None, "description": "",
                                      "likes": ["legal research for the partners",
                                                "tracking down case law on CanLII"],
                                      "dislikes": ["answering the reception phones"]}
        assert _analyse_and_deliver("101") is not None
    pages = [c for c in greenhouse.calls if c.path == "/v3/candidate_employments"]
    assert len(pages) == 2 and list(pages[1].query) == ["cursor"]  # the cursor alone on the next call
    assert greenhouse.field_values(101) == ["avoid:client_contact", "passion:research"]
    with app.app_context():
        kept = crm_state.crm_objects(gh_connection.id)["field"]
        assert set(kept["options"]) >= {"passion:research", "avoid:numbers", "worksheet:awaiting"}
        assert _candidate("101").crm_written == {"values": ["passion:research", "avoid:client_contact"]}

    body, headers = greenhouse.webhook(gh_connection.secret, "update_candidate", 101)
    assert b"passion:research" in body  # the echo carries our own field
    echo = client.post(f"/webhooks/{gh_connection.id}", data=body, headers=headers)
    assert echo.status_code == 202 and echo.json["analysis_queued"] is False
    with app.app_context():
        assert _candidate("101").history_version == 1
        crm_sync.fetch(gh_connection.id, "101")  # a reconciliation that lists it again: nothing either
        assert _candidate("101").history_version == 1
    creates = [c for c in greenhouse.calls if c.method == "POST"]
    assert len(creates) == 1 and len(greenhouse.patches()) == 1


def test_no_worksheet_themes_await_it_and_unchanged_values_are_not_sent(app, greenhouse, gh_connection):
    greenhouse.add_candidate(102, JOBS)
    greenhouse.add_candidate(103, JOBS)
    with app.app_context():
        for cid in ("102", "103"):
            crm_sync.fetch(gh_connection.id, cid)
            _analyse_and_deliver(cid)
    assert greenhouse.field_values(102) == ["worksheet:awaiting"]
    assert len(greenhouse.patches()) == 2
    assert len([c for c in greenhouse.calls if c.method == "POST"]) == 1  # the field, created once

    greenhouse.employments[102][0]["title"] = "Senior Law Clerk"  # a new version, same field values
    with app.app_context():
        crm_sync.fetch(gh_connection.id, "102")
        assert _candidate("102").history_version == 2
        analysis_id = _analyse_and_deliver("102")
        assert db.session.get(Analysis, analysis_id).delivery_status == "delivered"
    assert len(greenhouse.patches()) == 2  # nothing sent: the field already holds these values


def test_a_missed_event_is_caught_by_reconciliation(app, greenhouse, gh_connection):
    greenhouse.add_candidate(201, JOBS, worksheet=WORKSHEET)  # changed in Greenhouse; no webhook came
    greenhouse.add_candidate(202, JOBS)
    with app.app_context():
        changed = crm_sync.reconcile(gh_connection.id)
        assert sorted(changed) == ["201", "202"]
        first_checkpoint = db.session.get(ConnectorState, gh_connection.id).checkpoint
        for cid in changed:
            crm_sync.fetch(gh_connection.id, cid)
            _analyse_and_deliver(cid)
    assert greenhouse.field_values(201) == ["avoid:client_contact", "passion:research"]
    listing = [c for c in greenhouse.calls if c.path == "/v3/candidates" and "updated_at" in c.query]
    assert listing[0].query["updated_at"][0].startswith("gte|")
    with app.app_context():
        crm_state.save_checkpoint(gh_connection.id, first_checkpoint + timedelta(hours=1))
        assert crm_sync.reconcile(gh_connection.id) == []  # nothing changed since the checkpoint


def test_a_broker_failure_while_queueing_leaves_the_checkpoint_for_the_next_sweep(
        app, greenhouse, gh_connection, monkeypatch):
    from kombu.exceptions import OperationalError

    greenhouse.add_candidate(211, JOBS)
    greenhouse.add_candidate(212, JOBS)
    queued = []

    def broker_fails_on_the_second(connection_id: str, external_id: str) -> None:
        if queued:
            raise OperationalError("broker gone")
        queued.append(external_id)

    with app.app_context():
        before = crm_state.checkpoint(gh_connection.id)
        monkeypatch.setattr(crm_sync, "enqueue_fetch", broker_fails_on_the_second)
        with pytest.raises(OperationalError):
            crm_sync.reconcile(gh_connection.id)
        assert crm_state.checkpoint(gh_connection.id) == before  # the unqueued id is read again
        monkeypatch.undo()
        assert sorted(crm_sync.reconcile(gh_connection.id)) == ["211", "212"]
        assert crm_state.checkpoint(gh_connection.id) > before


def test_a_token_that_expires_mid_backlog_is_refreshed_once(app, greenhouse, gh_connection):
    for cid in range(301, 306):
        greenhouse.add_candidate(cid, JOBS, worksheet=WORKSHEET)
    with app.app_context():
        for cid in range(301, 306):
            if cid == 303:
                greenhouse.expire_tokens()
            crm_sync.fetch(gh_connection.id, str(cid))
        assert db.session.query(Candidate).count() == 5
    assert greenhouse.token_requests == 2
    assert [c.status for c in greenhouse.calls].count(401) == 1


def test_429_waits_at_least_as_long_as_told(app, greenhouse, gh_connection):
    greenhouse.rate_limit_every = 2
    for cid in range(401, 404):
        greenhouse.add_candidate(cid, JOBS, worksheet=WORKSHEET)
    with app.app_context():
        for cid in range(401, 404):
            crm_sync.fetch(gh_connection.id, str(cid))
        assert db.session.query(Candidate).count() == 3
    assert [c.status for c in greenhouse.calls].count(429) >= 3
    assert greenhouse.too_early == []


def test_a_refusal_is_not_retried_and_is_shown(app, greenhouse, gh_connection):
    with app.app_context():
        from plugin.storage.models import Connection

        connection = db.session.get(Connection, gh_connection.id)
        connection.set_credentials(app.config["SECRET_KEY"], {"client_id": "x", "client_secret": "y"})
        db.session.commit()
        with pytest.raises(CrmError) as refused:
            crm_sync.fetch(gh_connection.id, "1")
        assert refused.value.retryable is False
        crm_sync.record_refusal(gh_connection.id, "fetch", str(refused.value))
        assert crm_state.status(gh_connection.id)["last_failure"].startswith(
            "fetch: Greenhouse refused the client credentials")


def test_a_fetch_read_before_a_deletion_does_not_bring_the_candidate_back(app, client, greenhouse,
                                                                          gh_connection, monkeypatch):
    greenhouse.add_candidate(501, JOBS, worksheet=WORKSHEET)
    body, headers = greenhouse.webhook(gh_connection.secret, "delete_candidate", 501)
    connector_fetch = crm_sync.pull_connector("greenhouse").fetch_history

    def read_then_deleted(account, external_id, config):  # the deletion arrives while we read
        history = connector_fetch(account, external_id, config)
        assert client.post(f"/webhooks/{gh_connection.id}", data=body, headers=headers).status_code == 202
        return history

    monkeypatch.setattr(crm_sync.pull_connector("greenhouse"), "fetch_history", read_then_deleted)
    with app.app_context():
        crm_sync.fetch(gh_connection.id, "501")
        assert db.session.query(Candidate).filter_by(external_id="501").one_or_none() is None


def _queued_task(redis_client) -> dict:
    import json

    queued = [json.loads(raw) for raw in redis_client.zrange("unacked", 0, -1)] or [
        json.loads(raw) for raw in redis_client.lrange("passion", 0, -1)]
    assert len(queued) == 1
    return queued[0]["headers"]


def _block_the_gate(redis_client, connection_id: str, seconds: float) -> None:
    """The connection's real gate, held back as a 429 with Retry-After would hold it."""
    from plugin.outbound.ratelimit import RateGate

    RateGate(redis_client, f"greenhouse:{connection_id}").block(seconds)


def test_a_throttled_fetch_is_queued_again_no_sooner_and_without_using_a_retry(app, redis_client,
                                                                                greenhouse, gh_connection):
    from datetime import UTC, datetime

    from workers import tasks

    greenhouse.add_candidate(42, JOBS)
    _block_the_gate(redis_client, gh_connection.id, 60.0)  # longer than a worker waits in place
    redis_client.delete("passion")
    with app.app_context():
        tasks.fetch_candidate.run(gh_connection.id, "42")
    headers = _queued_task(redis_client)
    assert headers["task"] == "workers.fetch_candidate" and headers["retries"] == 0
    due = datetime.fromisoformat(headers["eta"]) - datetime.now(UTC)
    assert 55 < due.total_seconds() <= 62  # no sooner than the gate said, plus jitter
    assert [c for c in greenhouse.calls if c.path.startswith("/v3/candidates")] == []  # nothing sent
    with app.app_context():
        assert crm_state.status(gh_connection.id) == {}  # not a failure


def test_a_throttled_write_back_waits_without_using_an_attempt(app, redis_client, greenhouse, gh_connection):
    from workers import tasks

    greenhouse.add_candidate(43, JOBS, worksheet=WORKSHEET)
    with app.app_context():
        crm_sync.fetch(gh_connection.id, "43")
        row = _candidate("43")
        analysis_id = pipeline.analyze(row.id, row.history_version)
    _block_the_gate(redis_client, gh_connection.id, 60.0)
    redis_client.delete("passion")
    with app.app_context():
        tasks.deliver_analysis.run(analysis_id)
        analysis = db.session.get(Analysis, analysis_id)
        assert (analysis.delivery_status, analysis.delivery_attempts) == ("pending", 0)
        assert analysis.retry_at is not None and analysis.lease_until is None
    assert _queued_task(redis_client)["task"] == "workers.deliver_analysis"
    assert greenhouse.patches() == []


def _analysed(app, greenhouse, gh_connection, cid: int) -> int:
    greenhouse.add_candidate(cid, JOBS, worksheet=WORKSHEET)
    with app.app_context():
        crm_sync.fetch(gh_connection.id, str(cid))
        row = _candidate(str(cid))
        analysis_id = pipeline.analyze(row.id, row.history_version)
    assert analysis_id is not None
    return analysis_id


def test_a_5xx_write_back_is_retried_and_another_4xx_dead_lettered_and_shown(app, greenhouse, gh_connection):
    from celery.exceptions import Reject

    from workers import tasks

    retried = _analysed(app, greenhouse, gh_connection, 701)
    greenhouse.scripted = [503]  # the field lookup answers 503 once
    with app.app_context():
        tasks.deliver_analysis.run(retried)
        row = db.session.get(Analysis, retried)
        assert (row.delivery_status, row.last_error) == ("pending", "Greenhouse answered 503")
        assert row.retry_at is not None

    refused = _analysed(app, greenhouse, gh_connection, 702)
    del greenhouse.candidates[702]  # gone from Greenhouse before the write-back: PATCH answers 404
    with app.app_context():
        with pytest.raises(Reject):
            tasks.deliver_analysis.run(refused)
        row = db.session.get(Analysis, refused)
        assert row.delivery_status == "dead" and "candidate gone" in row.last_error


def test_reconciliation_reads_every_page_and_keeps_its_checkpoint_on_failure(app, greenhouse, gh_connection):
    for cid in range(1000, 1105):  # more than one page of 100
        greenhouse.add_candidate(cid, [])
    with app.app_context():
        before = crm_state.checkpoint(gh_connection.id)
        greenhouse.scripted = [0, 500]  # the second page fails: the checkpoint must not move
        with pytest.raises(CrmError):
            crm_sync.reconcile(gh_connection.id)
        assert crm_state.checkpoint(gh_connection.id) == before
        changed = crm_sync.reconcile(gh_connection.id)
    assert len(changed) == 105 == len(set(changed))
    pages = [c for c in greenhouse.calls if c.path == "/v3/candidates" and c.status == 200]
    assert [list(c.query) for c in pages][-2:] == [["updated_at", "per_page"], ["cursor"]]
