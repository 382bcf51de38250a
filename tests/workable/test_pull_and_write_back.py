"""The worker's side against the stand-in Workable, task functions called directly: a candidate's history
read from SPI v3 (HTML summaries as text), tags written by read, merge and replace (a recruiter's own tags
kept, only ours removed, a change under the merge read again), nothing sent when nothing changed, a missed
change caught by reconciliation over `paging.next`, Workable's rate limit and refusals honoured; and the
webhook: signed, deduplicated, answered 200."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from plugin.extensions import db
from plugin.receiving.connectors import CrmError
from plugin.receiving.connectors.workable import api
from plugin.storage import crm_state
from plugin.storage.models import Analysis, Candidate
from tests.conftest import queued_tasks
from tests.workable.conftest import ENTRIES
from tests.workable_fake import entry
from workers import crm_sync, pipeline

WORKSHEET_JOBS = [
    {"title": "Executive Assistant", "employer": "Overflow Furnishings", "start": "2021-01", "end": None,
     "likes": ["researching suppliers before each purchase", "digging into the budget figures"],
     "dislikes": ["answering the reception phones"]},
    {"title": "Office Clerk", "employer": "Groove Ltd", "start": "2018-03", "end": "2020-12",
     "likes": ["researching old records for the auditors"], "dislikes": ["cold calling"]},
]


def _candidate(external_id: str) -> Candidate:
    return db.session.query(Candidate).filter_by(external_id=external_id).one()


def _analyse_and_deliver(external_id: str) -> int | None:
    row = _candidate(external_id)
    analysis_id = pipeline.analyze(row.id, row.history_version)
    if analysis_id is not None:
        pipeline.deliver(analysis_id)
    return analysis_id


def test_the_history_is_read_from_the_candidates_experience_entries(app, workable, workable_connection):
    workable.add_candidate("108d1748", ENTRIES)
    with app.app_context():
        crm_sync.fetch(workable_connection.id, "108d1748")
        history = _candidate("108d1748").history
        crm_sync.fetch(workable_connection.id, "gone")  # 404: no candidate, nothing stored
        assert db.session.query(Candidate).filter_by(external_id="gone").one_or_none() is None
    assert [(j["title"], j["employer"], j["start"], j["end"]) for j in history["jobs"]] == [
        ("Executive Assistant", "Overflow Furnishings", "2021-01", None),
        ("Office Clerk", "Groove Ltd", "2018-03", "2020-12")]
    assert history["jobs"][0]["description"] == (
        "Ran the office & the budget.\nBooked travel for 12 people\nWrote the weekly newsletter")
    assert [c.path for c in workable.calls] == ["/acme/spi/v3/candidates/108d1748",
                                                "/acme/spi/v3/candidates/gone"]


def test_tags_are_merged_keeping_others_and_only_ours_are_removed(app, workable, workable_connection):
    from plugin.worksheet.submit import submit

    workable.add_candidate("c-3", ENTRIES, tags=["senior", "passion:writing"])
    with app.app_context():
        crm_sync.fetch(workable_connection.id, "c-3")
        _analyse_and_deliver("c-3")
        assert _candidate("c-3").crm_written == {"tags": ["worksheet:awaiting"]}
    assert workable.tags_of("c-3") == ["senior", "passion:writing", "worksheet:awaiting"]

    workable.candidates["c-3"]["tags"].append("shortlisted")  # a recruiter's tag meanwhile
    with app.app_context():  # the worksheet arrives: themes replace `worksheet:awaiting`
        submit(_candidate("c-3"), WORKSHEET_JOBS)
        _analyse_and_deliver("c-3")
        written = _candidate("c-3").crm_written["tags"]
    assert "passion:research" in written and "worksheet:awaiting" not in written
    assert workable.tags_of("c-3") == ["senior", "passion:writing", "shortlisted", *written]
    assert [c.body for c in workable.tag_calls()][-1] == {"tags": workable.tags_of("c-3")}


def test_a_candidate_changed_between_the_reads_is_merged_again(app, workable, workable_connection):
    workable.add_candidate("c-4", ENTRIES, tags=["senior"])
    with app.app_context():
        crm_sync.fetch(workable_connection.id, "c-4")
    reads = []

    def recruiter_edits_once(candidate_id: str) -> None:
        reads.append(candidate_id)
        if len(reads) == 2:  # between our first read and the check before writing
            with workable.lock:
                workable.candidates[candidate_id]["tags"].append("hired")
            workable.touch(candidate_id)

    workable.on_read = recruiter_edits_once
    with app.app_context():
        _analyse_and_deliver("c-4")
    assert workable.tags_of("c-4") == ["senior", "hired", "worksheet:awaiting"]
    assert len(reads) == 3 and len(workable.tag_calls()) == 1  # the changed read is the next merge's


def test_a_candidate_that_keeps_changing_is_left_to_a_retry_without_a_write(app, workable,
                                                                            workable_connection):
    from workers import tasks

    workable.add_candidate("c-6", ENTRIES)
    with app.app_context():
        crm_sync.fetch(workable_connection.id, "c-6")
        row = _candidate("c-6")
        analysis_id = pipeline.analyze(row.id, row.history_version)
    workable.on_read = workable.touch  # every read finds it changed since the last
    with app.app_context():
        tasks.deliver_analysis.run(analysis_id)
        analysis = db.session.get(Analysis, analysis_id)
        assert analysis.delivery_status == "pending" and "kept changing" in analysis.last_error
    assert workable.tag_calls() == [] and workable.tags_of("c-6") == []


def test_nothing_is_sent_when_the_tags_are_unchanged_and_our_echo_changes_nothing(
        app, workable, workable_connection):
    workable.add_candidate("c-5", ENTRIES)
    with app.app_context():
        crm_sync.fetch(workable_connection.id, "c-5")
        _analyse_and_deliver("c-5")
        assert len(workable.tag_calls()) == 1
        # our PUT updated the candidate: the next sweep lists it again, unchanged
        crm_state.save_checkpoint(workable_connection.id, crm_state.checkpoint(workable_connection.id)
                                  - timedelta(minutes=5))
        assert crm_sync.reconcile(workable_connection.id) == ["c-5"]
        crm_sync.fetch(workable_connection.id, "c-5")
        assert _candidate("c-5").history_version == 1

        workable.candidates["c-5"]["experience_entries"][0]["title"] = "Office Manager"
        crm_sync.fetch(workable_connection.id, "c-5")  # a new version, the same tags
        assert _candidate("c-5").history_version == 2
        analysis_id = _analyse_and_deliver("c-5")
        assert db.session.get(Analysis, analysis_id).delivery_status == "delivered"
    assert len(workable.tag_calls()) == 1


def test_reconciliation_follows_paging_next_with_updated_after(app, workable, workable_connection,
                                                              monkeypatch):
    monkeypatch.setattr(api, "PAGE_SIZE", 2)
    for n in range(5):  # three pages of two
        workable.add_candidate(f"c-{n}", [])
    with app.app_context():
        before = crm_state.checkpoint(workable_connection.id)
        workable.scripted = [0, 503]  # the second page fails: the checkpoint must not move
        with pytest.raises(CrmError):
            crm_sync.reconcile(workable_connection.id)
        assert crm_state.checkpoint(workable_connection.id) == before
        assert sorted(crm_sync.reconcile(workable_connection.id)) == [f"c-{n}" for n in range(5)]
        sweep = crm_state.checkpoint(workable_connection.id)
    pages = [c for c in workable.api_calls("/spi/v3/candidates") if c.status == 200][-3:]
    stamp = (before - crm_sync.OVERLAP).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert [c.query["updated_after"] for c in pages] == [[stamp]] * 3
    assert "since_id" not in pages[0].query and pages[1].query["since_id"] and pages[2].query["since_id"]

    with app.app_context():
        crm_state.save_checkpoint(workable_connection.id, sweep + timedelta(hours=1))
        assert crm_sync.reconcile(workable_connection.id) == []
        crm_state.save_checkpoint(workable_connection.id, sweep)
        time.sleep(0.01)
        workable.add_candidate("c-new", [])
        assert "c-new" in crm_sync.reconcile(workable_connection.id)


def test_a_signed_webhook_is_answered_200_queues_a_fetch_and_is_deduplicated(
        client, redis_client, workable, workable_connection):
    redis_client.delete("passion")
    workable.add_candidate("c-9", ENTRIES)
    body, headers = workable.webhook("candidate_moved", "c-9", event_id="evt_9")
    url = f"/webhooks/{workable_connection.id}"
    answer = client.post(url, data=body, headers=headers)
    assert answer.status_code == 200 and answer.json["analysis_queued"] is True
    assert answer.json["delivery_id"] == "workable:evt_9"
    assert queued_tasks(redis_client) == ["workers.fetch_candidate"]
    again = client.post(url, data=body, headers=headers)
    assert (again.status_code, again.json["status"]) == (200, "duplicate")
    assert queued_tasks(redis_client) == ["workers.fetch_candidate"]

    # one subscription per target URL: the created event's target differs by a query the route ignores
    created_body, created_headers = workable.webhook("candidate_created", "c-9")
    created = client.post(f"{url}?event=candidate_created", data=created_body, headers=created_headers)
    assert created.status_code == 200 and created.json["status"] == "accepted"

    forged = client.post(url, data=body.replace(b"c-9", b"c-8"), headers=headers)
    assert forged.status_code == 401 and "signature does not match" in forged.json["message"]
    hr_body, hr_headers = workable.webhook("employee_created", "e-1")
    ignored = client.post(url, data=hr_body, headers=hr_headers)
    assert (ignored.status_code, ignored.json["status"]) == (200, "ignored")
    assert queued_tasks(redis_client) == ["workers.fetch_candidate"] * 2


def test_the_gate_keeps_within_workables_window_and_429s_are_waited_out(app, workable,
                                                                       workable_connection):
    for n in range(14):
        workable.add_candidate(f"r-{n}", [entry("Clerk", "X", "2020-01-01", None)])
    started = time.monotonic()
    with app.app_context():
        for n in range(14):  # 14 calls: more than one window's 10
            crm_sync.fetch(workable_connection.id, f"r-{n}")
    assert time.monotonic() - started >= 0.2  # the eleventh waited for the next window
    assert workable.over_limit == 0 and [c.status for c in workable.calls].count(429) == 0

    workable.rate_limit_every, workable.retry_after = 2, 1  # every other call: 429, Retry-After: 1
    with app.app_context():
        crm_sync.fetch(workable_connection.id, "r-0")
        crm_sync.fetch(workable_connection.id, "r-1")
    assert [c.status for c in workable.calls].count(429) >= 1 and workable.too_early == []


def test_a_refused_token_is_not_retried_and_is_shown(app, workable, workable_connection):
    from celery.exceptions import Reject

    from workers import tasks

    workable.add_candidate("c-10", ENTRIES, tags=["senior"])
    with app.app_context():
        crm_sync.fetch(workable_connection.id, "c-10")
        row = _candidate("c-10")
        analysis_id = pipeline.analyze(row.id, row.history_version)
    workable.api_token = "revoked-in-workable"
    with app.app_context():
        with pytest.raises(Reject):
            tasks.fetch_candidate.run(workable_connection.id, "c-10")
        assert crm_state.status(workable_connection.id)["last_failure"] == \
            "fetch: Workable refused the credentials (401)"
        with pytest.raises(Reject):
            tasks.deliver_analysis.run(analysis_id)
        analysis = db.session.get(Analysis, analysis_id)
        assert (analysis.delivery_status, analysis.last_error) == (
            "dead", "Workable refused the credentials (401)")
    assert [c.status for c in workable.calls[-2:]] == [401, 401]
    assert workable.tags_of("c-10") == ["senior"]


def test_a_5xx_write_back_is_retried_and_a_candidate_gone_dead_lettered(app, workable, workable_connection):
    from celery.exceptions import Reject

    from workers import tasks

    ids = []
    for candidate in ("c-11", "c-12"):
        workable.add_candidate(candidate, ENTRIES)
        with app.app_context():
            crm_sync.fetch(workable_connection.id, candidate)
            row = _candidate(candidate)
            ids.append(pipeline.analyze(row.id, row.history_version))
    workable.scripted = [503]
    del workable.candidates["c-12"]
    with app.app_context():
        tasks.deliver_analysis.run(ids[0])
        retried = db.session.get(Analysis, ids[0])
        assert (retried.delivery_status, retried.last_error) == ("pending", "Workable answered 503")
        with pytest.raises(Reject):
            tasks.deliver_analysis.run(ids[1])
        gone = db.session.get(Analysis, ids[1])
        assert gone.delivery_status == "dead" and "candidate gone" in gone.last_error
