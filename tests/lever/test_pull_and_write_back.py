"""The worker's side against the stand-in Lever, task functions called directly: a contact's history read
from the parsed resumes of all its opportunities (offset pagination, positions deduplicated), tags written
on every opportunity (only ours ever removed), nothing sent when nothing changed, our own echo found
unchanged, a missed change caught by reconciliation, Lever's rate limit and refusals honoured."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from plugin.extensions import db
from plugin.receiving.connectors import CrmError
from plugin.receiving.connectors.lever import api
from plugin.storage import crm_state
from plugin.storage.models import Analysis, Candidate
from tests.conftest import queued_tasks
from tests.lever.conftest import RESUME_2022, RESUME_2024
from tests.lever_fake import position
from workers import crm_sync, pipeline

# what the candidate writes in the worksheet (docs/worksheet.md) for the jobs Lever lists
WORKSHEET_JOBS = [
    {"title": "Law Clerk", "employer": "Firm A", "start": "2021-01", "end": None,
     "likes": ["legal research for the partners", "tracking down case law on CanLII"],
     "dislikes": ["answering the reception phones"]},
    {"title": "Paralegal", "employer": "Firm B", "start": "2018-01", "end": "2020-12",
     "likes": ["researching precedents before hearings"],
     "dislikes": ["calling clients about unpaid invoices"]},
]


def _candidate(external_id: str) -> Candidate:
    return db.session.query(Candidate).filter_by(external_id=external_id).one()


def _analyse_and_deliver(external_id: str) -> int | None:
    row = _candidate(external_id)
    analysis_id = pipeline.analyze(row.id, row.history_version)
    if analysis_id is not None:
        pipeline.deliver(analysis_id)
    return analysis_id


def test_a_contacts_positions_are_read_from_every_opportunitys_resumes_each_job_once(
        app, lever, lever_connection, monkeypatch):
    first = lever.add_opportunity("contact-1", [RESUME_2024, RESUME_2022])
    second = lever.add_opportunity("contact-1", [RESUME_2024])
    third = lever.add_opportunity("contact-1", [])  # an opportunity without a resume
    lever.add_opportunity("contact-2", [[position("Chef", "Bistro", (2010, 1), None)]])  # someone else
    monkeypatch.setattr(api, "PAGE_SIZE", 2)  # three opportunities: two pages
    with app.app_context():
        crm_sync.fetch(lever_connection.id, "contact-1")
        history = _candidate("contact-1").history
    assert [(j["title"], j["employer"], j["start"], j["end"]) for j in history["jobs"]] == [
        ("Law Clerk", "Firm A", "2021-01", None),  # on three resumes: once, the copy with a summary
        ("Paralegal", "Firm B", "2018-01", "2020-12"),
        ("Intern", "Firm C", "2017-06", "2017-09")]
    assert history["jobs"][0]["description"] == "Legal research for the partners.\nDrafted memos on case law."
    assert all(j["likes"] == [] and j["dislikes"] == [] for j in history["jobs"])  # the worksheet's job
    listings = lever.api_calls("/v1/opportunities")
    assert [c.query.get("contact_id") for c in listings] == [["contact-1"], ["contact-1"]]
    assert "offset" not in listings[0].query and listings[1].query["offset"]  # the filter kept with it
    assert sorted(c.path for c in lever.api_calls("/resumes")) == sorted(
        f"/v1/opportunities/{o}/resumes" for o in (first, second, third))


def test_tags_go_on_every_opportunity_and_only_ours_are_removed(app, lever, lever_connection):
    from plugin.worksheet.submit import submit

    opportunities = [lever.add_opportunity("contact-3", [RESUME_2024], tags=["Senior", "passion:writing"]),
                     lever.add_opportunity("contact-3", [RESUME_2022])]
    with app.app_context():
        crm_sync.fetch(lever_connection.id, "contact-3")
        _analyse_and_deliver("contact-3")
        assert _candidate("contact-3").crm_written == {"tags": ["worksheet:awaiting"]}
    assert lever.tags_of("contact-3") == {
        opportunities[0]: ["Senior", "passion:writing", "worksheet:awaiting"],
        opportunities[1]: ["worksheet:awaiting"]}

    with app.app_context():  # the candidate sends the worksheet: themes replace `worksheet:awaiting`
        submit(_candidate("contact-3"), WORKSHEET_JOBS)
        _analyse_and_deliver("contact-3")
        written = _candidate("contact-3").crm_written["tags"]
    assert "passion:research" in written and "worksheet:awaiting" not in written
    assert "passion:writing" not in written  # the recruiter's own tag in our namespace: not ours
    assert lever.tags_of("contact-3") == {opportunities[0]: sorted(["Senior", "passion:writing", *written]),
                                          opportunities[1]: sorted(written)}
    removals = [c for c in lever.tag_calls() if c.path.endswith("/removeTags")]
    assert [c.body for c in removals] == [{"tags": ["worksheet:awaiting"]}] * 2


def test_nothing_is_sent_when_the_tags_are_unchanged_and_our_echo_changes_nothing(
        app, lever, lever_connection):
    opportunity = lever.add_opportunity("contact-4", [RESUME_2024])
    with app.app_context():
        crm_sync.fetch(lever_connection.id, "contact-4")
        _analyse_and_deliver("contact-4")
        assert len(lever.tag_calls()) == 1
        # our addTags updated the opportunity: the next sweep lists the contact again, unchanged
        crm_state.save_checkpoint(lever_connection.id, crm_state.checkpoint(lever_connection.id)
                                  - timedelta(minutes=5))
        assert crm_sync.reconcile(lever_connection.id) == ["contact-4"]
        crm_sync.fetch(lever_connection.id, "contact-4")
        assert _candidate("contact-4").history_version == 1

        lever.resumes[opportunity][0]["parsedData"]["positions"][0]["title"] = "Senior Law Clerk"
        crm_sync.fetch(lever_connection.id, "contact-4")  # a new version, the same tags
        assert _candidate("contact-4").history_version == 2
        analysis_id = _analyse_and_deliver("contact-4")
        assert db.session.get(Analysis, analysis_id).delivery_status == "delivered"
    assert len(lever.tag_calls()) == 1


def test_positions_nowhere_give_an_empty_history_and_no_opportunity_gives_none(app, lever, lever_connection):
    lever.add_opportunity("contact-5", [[], []])  # resumes Lever could not parse
    with app.app_context():
        crm_sync.fetch(lever_connection.id, "contact-5")
        assert _candidate("contact-5").history["jobs"] == []
        assert _analyse_and_deliver("contact-5") is not None
        crm_sync.fetch(lever_connection.id, "nobody")
        assert db.session.query(Candidate).filter_by(external_id="nobody").one_or_none() is None
    assert list(lever.tags_of("contact-5").values()) == [["worksheet:awaiting"]]


def test_reconciliation_lists_the_contacts_of_updated_opportunities_over_every_page(
        app, lever, lever_connection):
    for n in range(105):  # more than one page of 100
        lever.add_opportunity(f"contact-{n % 52}", [])  # two opportunities for most contacts
    with app.app_context():
        before = crm_state.checkpoint(lever_connection.id)
        lever.scripted = [0, 503]  # the second page fails: the checkpoint must not move
        with pytest.raises(CrmError):
            crm_sync.reconcile(lever_connection.id)
        assert crm_state.checkpoint(lever_connection.id) == before
        changed = crm_sync.reconcile(lever_connection.id)
        assert sorted(changed) == sorted(f"contact-{n}" for n in range(52))  # each contact once
        sweep = crm_state.checkpoint(lever_connection.id)
        assert sweep > before
    pages = [c for c in lever.api_calls("/v1/opportunities") if c.status == 200][-2:]
    start_ms = int((before - crm_sync.OVERLAP).timestamp() * 1000)
    assert [c.query["updated_at_start"] for c in pages] == [[str(start_ms)]] * 2
    assert "offset" in pages[1].query and pages[1].query["limit"] == ["100"]

    with app.app_context():
        crm_state.save_checkpoint(lever_connection.id, sweep + timedelta(hours=1))
        assert crm_sync.reconcile(lever_connection.id) == []  # nothing since
        crm_state.save_checkpoint(lever_connection.id, sweep)
        time.sleep(0.01)
        lever.touch(lever.add_opportunity("contact-new", []))
        assert "contact-new" in crm_sync.reconcile(lever_connection.id)


def test_a_webhook_queues_the_fetch_of_its_contact(client, redis_client, lever, lever_connection):
    redis_client.delete("passion")
    body = lever.webhook("candidateStageChange", "c-9")
    answer = client.post(f"/webhooks/{lever_connection.id}", data=body,
                         headers={"Content-Type": "application/json"})
    assert answer.status_code == 202 and answer.json["analysis_queued"] is True
    assert queued_tasks(redis_client) == ["workers.fetch_candidate"]


def test_429s_are_waited_out_never_early_and_the_gate_keeps_within_levers_bucket(app, lever,
                                                                                  lever_connection):
    for _ in range(24):
        lever.add_opportunity("contact-6", [RESUME_2024])
    started = time.monotonic()
    with app.app_context():
        crm_sync.fetch(lever_connection.id, "contact-6")  # 25 calls: a listing and 24 resume reads
        assert len(_candidate("contact-6").history["jobs"]) == 2
    assert time.monotonic() - started >= 1.0  # 10 calls a second, not all at once
    assert lever.emptied_bucket == 0 and [c.status for c in lever.calls].count(429) == 0

    lever.rate_limit_every, lever.retry_after = 2, 1  # every other call: 429, Retry-After: 1
    lever.add_opportunity("contact-7", [RESUME_2024])
    lever.add_opportunity("contact-7", [RESUME_2022])
    with app.app_context():
        crm_sync.fetch(lever_connection.id, "contact-7")
        assert len(_candidate("contact-7").history["jobs"]) == 3
    assert [c.status for c in lever.calls].count(429) >= 2 and lever.too_early == []

    lever.retry_after = None  # Lever documents no header: the gate holds its window, then tries again
    lever.add_opportunity("contact-8", [RESUME_2024])
    with app.app_context():
        crm_sync.fetch(lever_connection.id, "contact-8")
        assert len(_candidate("contact-8").history["jobs"]) == 2


def test_a_refused_key_is_not_retried_and_is_shown(app, lever, lever_connection):
    from celery.exceptions import Reject

    from plugin.storage.models import Connection
    from workers import tasks

    opportunity = lever.add_opportunity("contact-9", [RESUME_2024])
    with app.app_context():
        crm_sync.fetch(lever_connection.id, "contact-9")
        row = _candidate("contact-9")
        analysis_id = pipeline.analyze(row.id, row.history_version)
    lever.api_key = "rotated-in-lever"  # our key no longer works
    with app.app_context():
        with pytest.raises(Reject):
            tasks.fetch_candidate.run(lever_connection.id, "contact-9")
        assert crm_state.status(lever_connection.id)["last_failure"] == \
            "fetch: Lever refused the credentials (401)"
        with pytest.raises(Reject):
            tasks.deliver_analysis.run(analysis_id)
        analysis = db.session.get(Analysis, analysis_id)
        assert (analysis.delivery_status, analysis.delivery_attempts) == ("dead", 1)
        assert analysis.last_error == "Lever refused the credentials (401)"
        connection = db.session.get(Connection, lever_connection.id)
        assert connection.credentials(app.config["SECRET_KEY"]) == {"api_key": "lever-api-key-1"}
    assert [c.status for c in lever.calls[-2:]] == [401, 401]  # one call each: a key does not refresh
    assert lever.tags_of("contact-9") == {opportunity: []}


def test_a_5xx_write_back_is_retried_and_a_contact_gone_dead_lettered(app, lever, lever_connection):
    from celery.exceptions import Reject

    from workers import tasks

    lever.add_opportunity("contact-10", [RESUME_2024])
    lever.add_opportunity("contact-11", [RESUME_2024])
    with app.app_context():
        ids = []
        for contact in ("contact-10", "contact-11"):
            crm_sync.fetch(lever_connection.id, contact)
            row = _candidate(contact)
            ids.append(pipeline.analyze(row.id, row.history_version))
    lever.scripted = [503]  # the listing answers 503 once
    lever.opportunities = {k: v for k, v in lever.opportunities.items() if v["contact"] != "contact-11"}
    with app.app_context():
        tasks.deliver_analysis.run(ids[0])
        retried = db.session.get(Analysis, ids[0])
        assert (retried.delivery_status, retried.last_error) == ("pending", "Lever answered 503")
        assert retried.retry_at is not None
        with pytest.raises(Reject):
            tasks.deliver_analysis.run(ids[1])
        gone = db.session.get(Analysis, ids[1])
        assert gone.delivery_status == "dead" and "contact gone" in gone.last_error
