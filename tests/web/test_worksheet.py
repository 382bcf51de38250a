"""The worksheet through the test client on both databases: links (API, limits, isolation), drafts that
are all or nothing, submission through the CRM event path, corrections that outlive re-analysis."""

from __future__ import annotations

import re

import pytest

from plugin.extensions import db
from plugin.storage import worksheets
from plugin.storage.connections import create_connection
from plugin.storage.models import Candidate, WebhookEvent, WorksheetCorrection
from tests.conftest import ingest_and_analyze, queued_tasks
from tests.webhook_sender import history
from tests.worksheet_support import analyze_latest, crm_candidate, new_link, path_of


@pytest.fixture
def link(app, client, connection):
    crm_candidate(app, client, connection)
    return new_link(client, connection)


def csrf(client, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200
    return re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def two_jobs(token: str, action: str = "submit", **extra: str) -> dict[str, str]:
    return {"csrf_token": token, "action": action, "jobs-0-title": "Law Clerk",
            "jobs-0-employer": "Smith LLP", "jobs-0-start": "2019-02", "jobs-0-end": "2021-06",
            "jobs-0-likes": "legal research on CanLII\r\ndrafting memos\n\n",
            "jobs-1-title": "Paralegal", "jobs-1-likes": "researching case law\nwriting research memos",
            "jobs-1-dislikes": "billing clients", "jobs-2-title": "", "jobs-2-likes": "", **extra}


def candidate_row(app, external_id: str = "cand-1") -> Candidate:
    with app.app_context():
        row = db.session.query(Candidate).filter_by(external_id=external_id).one()
        db.session.expunge(row)
        return row


def test_the_api_issues_links_for_its_own_candidates_only(app, client, connection, link):
    assert link["url"].startswith("http://testserver/worksheet/")
    assert client.get(path_of(link)).status_code == 200
    with app.app_context():
        other = create_connection(provider="standard", name="Other CRM")
    answer = client.post("/api/candidates/cand-1/worksheet-link", json={},
                         headers={"Authorization": f"Bearer {other.token}"})
    assert answer.status_code == 404
    assert client.post("/api/candidates/cand-1/worksheet-link", json={}).status_code == 401
    bad = client.post("/api/candidates/cand-1/worksheet-link", json={"days": 0},
                      headers={"Authorization": f"Bearer {connection.token}"})
    assert bad.status_code == 422 and "days" in bad.get_json()["errors"]["json"]


def test_submitting_enters_through_the_event_path_and_queues_the_analysis(app, client, link, redis_client):
    path = path_of(link)
    before = candidate_row(app).history_version
    answer = client.post(path, data=two_jobs(csrf(client, path)))
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/result")
    row = candidate_row(app)
    assert row.history_version == before + 1
    assert [j["title"] for j in row.history["jobs"]] == ["Law Clerk", "Paralegal"]  # the blank job dropped
    assert row.history["jobs"][0]["likes"] == ["legal research on CanLII", "drafting memos"]
    with app.app_context():
        events = [e.event_id for e in db.session.query(WebhookEvent).filter_by(external_id="cand-1")]
    assert sum(e.startswith("worksheet_") for e in events) == 1
    assert "workers.analyze_candidate" in queued_tasks(redis_client)
    # the same answers again: deduped on the history, no new version
    client.post(path, data=two_jobs(csrf(client, path)))
    assert candidate_row(app).history_version == before + 1


def test_a_submission_keeps_the_crms_name_and_link(app, client, connection):
    data = history("cand-2", [])
    data.update(name="Ana Lopez", crm_url="https://crm.example.com/c/2")
    ingest_and_analyze(app, client, connection, data)
    path = path_of(new_link(client, connection, "cand-2"))
    client.post(path, data=two_jobs(csrf(client, path)))
    row = candidate_row(app, "cand-2")
    assert row.history["jobs"][0]["title"] == "Law Clerk"  # the worksheet's history was taken
    assert (row.name, row.crm_url) == ("Ana Lopez", "https://crm.example.com/c/2")
    assert "ana lopez" in row.search_text


def test_a_crm_change_from_before_the_submission_still_applies(app, client, connection, link):
    """A CRM retry delivers a change made just before the candidate submitted: it is not "late"."""
    from datetime import UTC, datetime

    from tests.webhook_sender import event, signed_delivery

    path = path_of(link)
    just_before = datetime.now(UTC)  # after the CRM's first event, before the submission
    client.post(path, data=two_jobs(csrf(client, path)))
    crm = {"candidate_id": "cand-1", "jobs": [{"title": "Court Clerk"}, {"title": "Law Clerk",
                                              "employer": "Smith LLP", "start": "2019-02", "end": "2021-06"}]}
    body, headers = signed_delivery(connection.secret, event("candidate.updated", crm, at=just_before))
    answer = client.post(f"/webhooks/{connection.id}", data=body, headers=headers)
    assert answer.status_code == 202 and answer.get_json()["status"] != "stale"
    assert "Court Clerk" in [j["title"] for j in candidate_row(app).history["jobs"]]


def test_a_wrong_field_saves_nothing_and_is_named_next_to_it(app, client, link):
    path = path_of(link)
    answer = client.post(path, data=two_jobs(csrf(client, path), "save", **{"jobs-1-start": "2020-13"}))
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert 'id="jobs-1-start-error"' in html and "YYYY-MM" in html
    assert 'aria-describedby="jobs-1-start-error"' in html
    with app.app_context():
        assert worksheets.draft_of(candidate_row(app).id) is None
    assert candidate_row(app).history["jobs"][0]["likes"] == []


def test_a_draft_is_kept_and_shown_escaped(app, client, link):
    path = path_of(link)
    token = csrf(client, path)
    saved = client.post(path + "/draft", data=two_jobs(token, **{"jobs-1-title": "<script>x</script>"}))
    assert saved.get_json() == {"saved": True}
    html = client.get(path).get_data(as_text=True)
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>x" not in html
    assert "legal research on CanLII\ndrafting memos</textarea>" in html


def test_a_form_without_its_csrf_token_changes_nothing(app, client, link):
    path = path_of(link)
    answer = client.post(path, data={k: v for k, v in two_jobs("").items() if k != "csrf_token"})
    assert answer.status_code == 400
    assert candidate_row(app).history_version == 1


def test_each_link_has_its_own_rate_limit(app, client, connection, link):
    app.config["WORKSHEET_RATE_LIMIT"] = 3
    path = path_of(link)
    assert [client.get(path).status_code for _ in range(4)] == [200, 200, 200, 429]
    crm_candidate(app, client, connection, "cand-2")
    assert client.get(path_of(new_link(client, connection, "cand-2"))).status_code == 200
    with app.app_context():  # the window ends: the link opens again, for the limit once more
        from datetime import timedelta

        from plugin.storage.models import WorksheetLink, utcnow
        from plugin.storage.worksheets import RATE_WINDOW

        row = db.session.get(WorksheetLink, link["link_id"])
        row.window_started_at = utcnow() - RATE_WINDOW - timedelta(seconds=1)
        db.session.commit()
    assert [client.get(path).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_corrections_outlive_a_reanalysis(app, client, link):
    path = path_of(link)
    client.post(path, data=two_jobs(csrf(client, path)))
    analyze_latest(app)
    token = csrf(client, path + "/result")
    answer = client.post(path + "/corrections", data={"csrf_token": token, "kind": "passion",
                                                      "theme": "research", "rejected": "yes",
                                                      "note": "more of a writer"})
    assert answer.status_code == 302
    more = two_jobs(token, **{"jobs-1-likes": "researching case law\nwriting research memos\nediting briefs"})
    client.post(path, data=more)
    analyze_latest(app)
    assert candidate_row(app).history_version == 3
    with app.app_context():
        kept = db.session.query(WorksheetCorrection).one()
        assert (kept.kind, kept.theme, kept.rejected, kept.note) == ("passion", "research", True,
                                                                     "more of a writer")
    html = client.get(path + "/result").get_data(as_text=True)
    assert "you said: that's not me" in html and "more of a writer" in html


def test_a_correction_for_a_theme_outside_the_catalogue_is_refused(app, client, link):
    path = path_of(link)
    client.post(path, data=two_jobs(csrf(client, path)))
    analyze_latest(app)
    token = csrf(client, path + "/result")
    answer = client.post(path + "/corrections", data={"csrf_token": token, "kind": "passion",
                                                      "theme": "bogus", "note": ""})
    assert answer.status_code == 422 and "Must be one of" in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(WorksheetCorrection).count() == 0


def test_the_recruiter_issues_and_withdraws_a_link_from_the_candidate_page(app, client, connection):
    crm_candidate(app, client, connection)
    client.post("/", data={"csrf_token": csrf(client, "/"), "token": connection.token})
    token = csrf(client, "/pool/cand-1")
    issued = client.post("/pool/cand-1/worksheet-link", data={"csrf_token": token})
    url = re.search(r'value="(http://testserver/worksheet/[^"]+)"', issued.get_data(as_text=True)).group(1)
    path = url.removeprefix("http://testserver")
    assert client.get(path).status_code == 200
    link_id = re.search(r"/worksheet-links/([^/]+)/revoke", client.get("/pool/cand-1").get_data(as_text=True))
    client.post(f"/pool/cand-1/worksheet-links/{link_id.group(1)}/revoke", data={"csrf_token": token})
    assert client.get(path).status_code == 410


def test_erasing_the_candidate_closes_the_link(app, client, connection, link):
    from tests.webhook_sender import event, signed_delivery

    body, headers = signed_delivery(connection.secret, event("candidate.deleted", {"candidate_id": "cand-1"}))
    assert client.post(f"/webhooks/{connection.id}", data=body, headers=headers).status_code == 202
    assert client.get(path_of(link)).status_code == 404


def test_a_later_crm_update_keeps_the_candidates_words(app, client, connection, link):
    """CRMs have no field for likes and dislikes: their next event must not erase what the candidate sent."""
    from tests.webhook_sender import event, signed_delivery

    path = path_of(link)
    client.post(path, data=two_jobs(csrf(client, path)))
    sent = candidate_row(app)
    crm = {"candidate_id": "cand-1", "jobs": [{"title": "Law Clerk", "employer": "Smith LLP",
                                              "start": "2019-02", "end": "2021-06"}]}
    body, headers = signed_delivery(connection.secret, event("candidate.updated", crm))
    assert client.post(f"/webhooks/{connection.id}", data=body, headers=headers).status_code == 202
    after = candidate_row(app)
    assert after.history_version == sent.history_version  # nothing new: the same history as sent
    assert after.history["jobs"][0]["likes"] == ["legal research on CanLII", "drafting memos"]
    assert [j["title"] for j in after.history["jobs"]] == ["Law Clerk", "Paralegal"]
    crm["jobs"][0]["title"] = "Senior Law Clerk"  # a real change in the CRM is a new version
    crm["jobs"][0]["likes"] = ["mentoring juniors"]
    body, headers = signed_delivery(connection.secret, event("candidate.updated", crm))
    client.post(f"/webhooks/{connection.id}", data=body, headers=headers)
    changed = candidate_row(app)
    assert changed.history_version == sent.history_version + 1
    assert [(j["title"], j["likes"]) for j in changed.history["jobs"]] == [
        ("Senior Law Clerk", ["mentoring juniors"]),
        ("Law Clerk", ["legal research on CanLII", "drafting memos"]),
        ("Paralegal", ["researching case law", "writing research memos"])]


def test_corrections_are_written_back_beside_the_analysis(app, client, callback_connection):
    from workers import pipeline

    receiver, issued = callback_connection
    crm_candidate(app, client, issued)
    link = new_link(client, issued)
    path = path_of(link)
    client.post(path, data=two_jobs(csrf(client, path)))
    with app.app_context():
        row = db.session.query(Candidate).filter_by(external_id="cand-1").one()
        candidate_id, version = row.id, row.history_version
        db.session.rollback()
        analysis_id = pipeline.analyze(candidate_id, version)
    token = csrf(client, path + "/result")
    client.post(path + "/corrections", data={"csrf_token": token, "kind": "passion", "theme": "research",
                                             "rejected": "yes", "note": "more of a writer"})
    with app.app_context():
        pipeline.deliver(analysis_id)
    data = receiver.deliveries[-1]["payload"]["data"]
    assert "research" in data["passion_themes"]
    assert data["candidate_corrections"] == [{"kind": "passion", "theme": "research", "rejected": True,
                                              "note": "more of a writer"}]
    assert data["worksheet_url"] == link["url"]  # the open link is reused, not a new one per write-back


def test_a_write_back_gives_the_crm_a_working_worksheet_link(app, client, callback_connection):
    from plugin.storage.models import WorksheetLink
    from workers import pipeline

    receiver, issued = callback_connection
    crm_candidate(app, client, issued)
    with app.app_context():
        analysis_id = db.session.query(Candidate).one().latest_analysis.id
        db.session.rollback()
        pipeline.deliver(analysis_id)
        assert db.session.query(WorksheetLink).count() == 1  # committed with the delivery
    url = receiver.deliveries[-1]["payload"]["data"]["worksheet_url"]
    assert client.get(url.removeprefix("http://testserver")).status_code == 200


def test_a_write_back_does_not_undo_a_withdrawn_link(app, client, callback_connection):
    from plugin.storage.models import WorksheetLink
    from workers import pipeline

    receiver, issued = callback_connection
    crm_candidate(app, client, issued)
    link = new_link(client, issued)
    withdrawn = client.delete(f"/api/candidates/cand-1/worksheet-links/{link['link_id']}",
                              headers={"Authorization": f"Bearer {issued.token}"})
    assert withdrawn.status_code < 300
    with app.app_context():
        analysis_id = db.session.query(Candidate).one().latest_analysis.id
        db.session.rollback()
        pipeline.deliver(analysis_id)
        assert db.session.query(WorksheetLink).count() == 1  # no new link behind the recruiter's back
    assert receiver.deliveries[-1]["payload"]["data"]["worksheet_url"] is None


def test_a_job_the_crm_adds_after_the_draft_is_shown_on_the_worksheet(app, client, connection, link):
    from tests.webhook_sender import event, signed_delivery

    path = path_of(link)
    client.post(path, data=two_jobs(csrf(client, path), "save"))
    crm = {"candidate_id": "cand-1", "jobs": [{"title": "Court Runner", "employer": "Filing Co"},
                                              {"title": "Law Clerk", "employer": "Smith LLP"}]}
    body, headers = signed_delivery(connection.secret, event("candidate.updated", crm))
    assert client.post(f"/webhooks/{connection.id}", data=body, headers=headers).status_code == 202
    html = client.get(path).get_data(as_text=True)
    titles = re.findall(r'name="jobs-[0-9]+-title" value="([^"]*)"', html)
    assert titles == ["Law Clerk", "Paralegal", "Court Runner", ""]  # the draft, the CRM's new job, a blank


@pytest.mark.parametrize(("field", "value", "named", "says"), [
    ("jobs-0-likes", "fine\nbell \x07 here", "jobs-0-likes", "Line 2: Must not contain control characters"),
    ("jobs-0-likes", "\n".join(f"thing {n}" for n in range(11)), "jobs-0-likes", "maximum length 10"),
    ("jobs-0-title", "x" * 201, "jobs-0-title", "Length must be between 1 and 200."),
    ("jobs-0-end", "2019-01", "jobs-0-end", "Must not be before start."),
    ("jobs-1-title", "", "jobs-1-title", "Give this job a title"),
], ids=["control-char", "eleven-likes", "long-title", "end-before-start", "likes-without-a-title"])
def test_limits_are_the_apis_and_each_error_names_its_field(app, client, link, field, value, named, says):
    path = path_of(link)
    answer = client.post(path + "/draft", data=two_jobs(csrf(client, path), "save", **{field: value}))
    assert answer.status_code == 422
    errors = answer.get_json()["errors"]
    assert list(errors) == [named] and says in " ".join(errors[named])
    with app.app_context():
        assert worksheets.draft_of(candidate_row(app).id) is None


@pytest.mark.parametrize("token", ["x" * 5000, "..", "IndzbF8i.AAAA", "%00"])
def test_malformed_tokens_open_nothing(client, link, token):
    assert client.get(f"/worksheet/{token}").status_code == 404
