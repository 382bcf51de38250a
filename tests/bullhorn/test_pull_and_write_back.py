"""The worker's side against the stand-in Bullhorn, task functions called directly: the OAuth login and
its refresh (a 401 renews once; a used refresh token falls back to the login), the work history read by
query pages with epoch-ms dates, the event subscription polled (a batch read again by its requestId after
a crash, deletions erased through ingest, our own echo dropped), the field written only when it changes,
a missed change found by the dateLastModified sweep, and a 429 waited out."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from plugin.extensions import db
from plugin.receiving.connectors import CrmAccount, CrmError
from plugin.receiving.connectors.bullhorn import api
from plugin.receiving.connectors.bullhorn.api import BullhornClient
from plugin.storage import crm_state
from plugin.storage.models import Analysis, Candidate, CandidateErasure
from tests.bullhorn.conftest import CREDENTIALS, FIELD, ROWS
from tests.bullhorn_fake import ms, work
from tests.conftest import queued_tasks
from workers import crm_sync, pipeline


def _candidate(external_id: str) -> Candidate | None:
    return db.session.query(Candidate).filter_by(external_id=external_id).one_or_none()


def _analyse_and_deliver(external_id: str) -> int | None:
    row = _candidate(external_id)
    assert row is not None
    analysis_id = pipeline.analyze(row.id, row.history_version)
    if analysis_id is not None:
        pipeline.deliver(analysis_id)
    return analysis_id


def _paths(bullhorn, since: int = 0) -> list[str]:
    return [f"{c.method} {c.path} {c.status}" for c in bullhorn.calls[since:]]


def test_login_is_cached_encrypted_and_a_401_refreshes_once(app, bullhorn, bullhorn_connection,
                                                            redis_client):
    bullhorn.add_candidate(8592, ROWS)
    first = len(bullhorn.calls)  # after the subscription's own login
    with app.app_context():
        crm_sync.fetch(bullhorn_connection.id, "8592")
        crm_sync.fetch(bullhorn_connection.id, "8592")  # the cached session: no second login
    assert _paths(bullhorn, first)[:3] == ["GET /oauth/authorize 302", "POST /oauth/token 200",
                                           "POST /rest-services/login 200"]
    assert sum(c.path == "/rest-services/login" for c in bullhorn.calls[first:]) == 1
    stored = redis_client.get(f"passion:token:bullhorn:{bullhorn_connection.id}")
    assert stored is not None and b"refresh" not in stored  # encrypted, not JSON

    bullhorn.expire_sessions()  # the session's ttl ran out
    before = len(bullhorn.calls)
    with app.app_context():
        crm_sync.fetch(bullhorn_connection.id, "8592")
    assert _paths(bullhorn, before)[:4] == [
        "GET /rest-services/corp1/entity/Candidate/8592 401", "POST /oauth/token 200",
        "POST /rest-services/login 200", "GET /rest-services/corp1/entity/Candidate/8592 200"]
    assert bullhorn.calls[before + 1].query["grant_type"] == ["refresh_token"]


def test_a_refused_refresh_token_logs_in_again_and_bad_credentials_are_final(app, bullhorn,
                                                                            bullhorn_connection):
    bullhorn.add_candidate(8592, ROWS)
    account = CrmAccount(bullhorn_connection.id, "bullhorn", CREDENTIALS)
    with app.app_context():
        crm_sync.fetch(bullhorn_connection.id, "8592")
        bullhorn._refresh.clear()  # another worker used the refresh token, or it expired
        bullhorn.expire_sessions()
        before = len(bullhorn.calls)
        assert api.BullhornClient(account, app.config).candidate("8592", "id")["id"] == 8592
        assert _paths(bullhorn, before) == [
            "GET /rest-services/corp1/entity/Candidate/8592 401", "POST /oauth/token 400",
            "GET /oauth/authorize 302", "POST /oauth/token 200", "POST /rest-services/login 200",
            "GET /rest-services/corp1/entity/Candidate/8592 200"]
        wrong = CrmAccount("other", "bullhorn", {**CREDENTIALS, "password": "wrong"})
        with pytest.raises(CrmError) as refused:
            BullhornClient(wrong, app.config).candidate("8592", "id")
    assert not refused.value.retryable and "login" in str(refused.value)
    assert "wrong" not in str(refused.value)


def test_the_history_is_read_by_query_pages_with_epoch_ms_dates(app, bullhorn, bullhorn_connection,
                                                                monkeypatch):
    monkeypatch.setattr(api, "PAGE_SIZE", 1)  # two rows: two pages and an empty third
    bullhorn.add_candidate(8592, ROWS)
    with app.app_context():
        crm_sync.fetch(bullhorn_connection.id, "8592")
        history = _candidate("8592").history
        crm_sync.fetch(bullhorn_connection.id, "404")  # no such candidate: nothing stored
        crm_sync.fetch(bullhorn_connection.id, "../x")  # not an id: no call at all
        assert _candidate("404") is None and _candidate("../x") is None
    assert [(j["title"], j["employer"], j["start"], j["end"]) for j in history["jobs"]] == [
        ("Executive Assistant", "Overflow Furnishings", "2021-01", None),
        ("Office Clerk", "Groove Ltd", "2018-03", "2020-12")]
    assert history["jobs"][1]["description"] == "Filed everything."
    queries = [c.query for c in bullhorn.calls if c.path.endswith("/query/CandidateWorkHistory")]
    assert [(q["where"], q["start"], q["count"]) for q in queries] == [
        (["candidate.id=8592"], ["0"], ["1"]), (["candidate.id=8592"], ["1"], ["1"])]
    assert not any("../x" in c.path for c in bullhorn.calls)


def test_polling_reads_a_batch_again_after_a_crash_and_erases_deletions(app, bullhorn, bullhorn_connection,
                                                                       redis_client, monkeypatch):
    bullhorn.add_candidate(8592, ROWS)
    bullhorn.add_candidate(8593, ROWS[:1])
    with app.app_context():
        crm_sync.fetch(bullhorn_connection.id, "8593")
    bullhorn.delete(8593)

    def crash(*_args, **_kwargs):
        raise RuntimeError("worker lost")

    with app.app_context():
        with monkeypatch.context() as patched:
            patched.setattr(crm_sync, "_act_on", crash)
            with pytest.raises(RuntimeError):
                crm_sync.poll(bullhorn_connection.id)
        assert crm_state.poll_state(bullhorn_connection.id) == {"begun": True, "pending": 1}
        assert _candidate("8593") is not None  # nothing acted on yet
        assert crm_sync.poll(bullhorn_connection.id) == 3  # batch 1 again (Bullhorn purged it)
        assert _candidate("8593") is None
        assert db.session.query(CandidateErasure).filter_by(external_id="8593").count() == 1
        assert crm_state.poll_state(bullhorn_connection.id) == {"begun": False, "pending": None}
    reads = [c.query for c in bullhorn.calls
             if c.path.endswith("/event/subscription/passiontest") and c.method == "GET"]
    assert reads == [{"maxEvents": ["100"]}, {"maxEvents": ["100"], "requestId": ["1"]},
                     {"maxEvents": ["100"]}]
    # 8592 INSERTED: fetched; 8593 INSERTED then DELETED in the batch: erased, not fetched
    assert queued_tasks(redis_client).count("workers.fetch_candidate") == 1


def test_a_crash_before_the_request_id_was_saved_reads_the_last_batch_again(app, bullhorn,
                                                                            bullhorn_connection):
    bullhorn.add_candidate(8592, ROWS)
    with app.app_context():
        crm_state.save_poll(bullhorn_connection.id, pending=None, begun=True)  # a poll died mid-read
        bullhorn.subscriptions["passiontest"]["last"] = 1
        bullhorn.subscriptions["passiontest"]["batches"][1] = {"requestId": 1, "events": []}
        crm_sync.poll(bullhorn_connection.id)
    asked = [c for c in bullhorn.calls if "/event/subscription/" in c.path and c.method == "GET"]
    assert [c.path.rsplit("/", 1)[1] for c in asked][:2] == ["lastRequestId", "passiontest"]
    assert asked[1].query == {"maxEvents": ["100"], "requestId": ["1"]}


def test_a_batch_bullhorn_no_longer_has_is_given_up_and_polling_goes_on(app, bullhorn, bullhorn_connection,
                                                                        redis_client):
    bullhorn.add_candidate(8592, ROWS)
    with app.app_context():
        crm_state.save_poll(bullhorn_connection.id, pending=41, begun=True)  # expired meanwhile
        assert crm_sync.poll(bullhorn_connection.id) == 1
        assert crm_state.poll_state(bullhorn_connection.id) == {"begun": False, "pending": None}
    assert queued_tasks(redis_client).count("workers.fetch_candidate") == 1


def test_the_field_is_written_only_when_it_changes_and_our_echo_is_dropped(app, bullhorn,
                                                                          bullhorn_connection,
                                                                          redis_client):
    bullhorn.add_candidate(8592, ROWS)
    bullhorn.set_field(8592, "customText1", "recruiter's own")
    with app.app_context():
        crm_sync.poll(bullhorn_connection.id)
        crm_sync.fetch(bullhorn_connection.id, "8592")
        _analyse_and_deliver("8592")
        assert _candidate("8592").crm_written == {"field": FIELD, "value": "worksheet:awaiting"}
    assert bullhorn.field_of(8592, FIELD) == "worksheet:awaiting"
    assert bullhorn.field_of(8592, "customText1") == "recruiter's own"
    assert [c.body for c in bullhorn.updates()] == [{FIELD: "worksheet:awaiting"}]
    redis_client.delete("passion")
    with app.app_context():
        assert crm_sync.poll(bullhorn_connection.id) == 1  # our own UPDATED [customText5]
        assert "workers.fetch_candidate" not in queued_tasks(redis_client)
        bullhorn.edit(8592, [*ROWS, work("Office Manager", "Groove Ltd", ms(2024, 2), None)])
        crm_sync.fetch(bullhorn_connection.id, "8592")  # a new version, the same value
        analysis_id = _analyse_and_deliver("8592")
        assert db.session.get(Analysis, analysis_id).delivery_status == "delivered"
    assert len(bullhorn.updates()) == 1


def test_a_field_that_is_not_a_custom_text_slot_is_refused_without_a_call(app, bullhorn):
    from plugin.receiving.connectors.bullhorn.field import FieldPlan, apply

    account = CrmAccount("other", "bullhorn", {**CREDENTIALS, "field": "firstName"})
    with app.app_context(), pytest.raises(CrmError) as refused:
        apply(BullhornClient(account, app.config), FieldPlan(account, "8592", "firstName", "x"))
    assert not refused.value.retryable and "customText1-40" in str(refused.value)
    assert bullhorn.calls == []


def test_a_missed_change_is_found_by_date_last_modified(app, bullhorn, bullhorn_connection, redis_client):
    with app.app_context():
        crm_state.save_checkpoint(bullhorn_connection.id, crm_state.checkpoint(bullhorn_connection.id)
                                  - timedelta(minutes=5))
    bullhorn.add_candidate(8600, ROWS)
    with app.app_context():
        assert crm_sync.reconcile(bullhorn_connection.id) == ["8600"]
    where = next(c.query["where"][0] for c in bullhorn.calls if c.path.endswith("/query/Candidate"))
    assert where.startswith("dateLastModified>=") and int(where.split(">=")[1]) > 0


def test_a_429_is_waited_out_and_a_refusal_is_final(app, bullhorn, bullhorn_connection):
    bullhorn.add_candidate(8592, ROWS)
    with app.app_context():
        crm_sync.fetch(bullhorn_connection.id, "8592")
        bullhorn.scripted = [429]
        crm_sync.fetch(bullhorn_connection.id, "8592")
        statuses = [c.status for c in bullhorn.rest_calls()]
        assert 429 in statuses and statuses[-1] == 200
        bullhorn.scripted = [403]
        with pytest.raises(CrmError) as refused:
            crm_sync.fetch(bullhorn_connection.id, "8592")
    assert not refused.value.retryable
    assert json.dumps(CREDENTIALS["password"]) not in str(refused.value)


def test_the_webhook_url_of_a_bullhorn_connection_takes_nothing(app, client, bullhorn_connection):
    answer = client.post(f"/webhooks/{bullhorn_connection.id}", data=b'{"events": []}',
                         headers={"Content-Type": "application/json"})
    assert answer.status_code == 401
    with app.app_context():
        assert db.session.query(Candidate).count() == 0
