"""The audit log on both databases: one entry per analysis stored, write-back delivered or failed for good,
candidate's correction and re-analysis request, with who did it; ids only; erased with the candidate; shown
to the connection's own recruiters (page and API), newest first and paged, and to nobody else."""

from __future__ import annotations

import json
import re

import pytest

from plugin.extensions import db
from plugin.storage import audit
from plugin.storage.connections import create_connection, set_enabled
from plugin.storage.models import AuditAction, AuditEntry, Candidate, Connection
from plugin.storage.recruiters import create_recruiter
from tests.browser import csrf_token, sign_in
from tests.conftest import ingest_and_analyze
from tests.webhook_sender import event, history, signed_delivery
from tests.worksheet_support import new_link, path_of
from workers import pipeline

NAME, EMAIL, PASSWORD = "Ana Ortiz", "sam@agency.example", "a long enough password"
LIKES = ["legal research on CanLII", "drafting memos"]


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _analysed(app, client, issued, external_id: str = "c-ana") -> int:
    """A candidate received and analysed; their internal id."""
    data = history(external_id, LIKES, ["digging through case law"], dislikes=["cold calling clients"])
    data["name"] = NAME
    ingest_and_analyze(app, client, issued, data)
    with app.app_context():
        return db.session.query(Candidate.id).filter_by(connection_id=issued.id,
                                                        external_id=external_id).scalar()


def _entries(app, candidate_id: int | None = None) -> list[tuple]:
    with app.app_context():
        query = db.session.query(AuditEntry).order_by(AuditEntry.id)
        if candidate_id is not None:
            query = query.filter_by(candidate_id=candidate_id)
        return [(e.actor, e.recruiter_id, e.action, e.analysis_id, e.detail) for e in query]


def _latest_analysis(app, candidate_id: int) -> int:
    with app.app_context():
        return db.session.get(Candidate, candidate_id).latest_analysis.id


def test_an_analysis_stored_is_an_entry_by_the_worker(app, client, connection):
    candidate_id = _analysed(app, client, connection)
    assert _entries(app) == [("worker", None, "analysis_stored", _latest_analysis(app, candidate_id),
                              "history version 1")]
    with app.app_context():  # the same engine again keeps the analysis: nothing new was stored
        pipeline.analyze(candidate_id, 1)
    assert len(_entries(app)) == 1


def test_write_backs_delivered_and_failed_for_good(app, client, callback_connection):
    receiver, issued = callback_connection
    candidate_id = _analysed(app, client, issued)
    analysis_id = _latest_analysis(app, candidate_id)
    with app.app_context():
        pipeline.deliver(analysis_id)
    assert len(receiver.deliveries) == 1
    assert _entries(app)[-1] == ("worker", None, "write_back_delivered", analysis_id, "")
    other_id = _analysed(app, client, issued, "c-ben")
    with app.app_context():
        set_enabled(db.session.get(Connection, issued.id), False)
        pipeline.deliver(_latest_analysis(app, other_id))
    assert _entries(app, other_id)[-1] == ("worker", None, "write_back_failed",
                                           _latest_analysis(app, other_id), "connection disabled")


def test_no_write_back_entry_when_nothing_is_sent(app, client, connection):
    """A connection without a callback URL: the analysis is settled, but no CRM received anything."""
    candidate_id = _analysed(app, client, connection)
    with app.app_context():
        pipeline.deliver(_latest_analysis(app, candidate_id))
    assert [e[2] for e in _entries(app)] == ["analysis_stored"]


def test_re_analysis_requests_say_who_asked(app, client, connection):
    candidate_id = _analysed(app, client, connection)
    with app.app_context():
        recruiter_id = create_recruiter(connection.id, EMAIL, PASSWORD).id
    assert client.post("/api/candidates/c-ana/reanalyze", headers=_auth(connection.token)).status_code == 202
    client.post("/", data={"email": EMAIL, "password": PASSWORD, "csrf_token": csrf_token(client)})
    client.post("/pool/c-ana/reanalyze", data={"csrf_token": csrf_token(client, "/pool/c-ana")})
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/pool")})
    sign_in(client, connection.token)
    client.post("/pool/c-ana/reanalyze", data={"csrf_token": csrf_token(client, "/pool/c-ana")})
    asked = [e for e in _entries(app, candidate_id) if e[2] == "reanalysis_requested"]
    assert [(who, rid) for who, rid, *_ in asked] == [("crm", None), ("recruiter", recruiter_id),
                                                      ("administrator", None)]
    assert {e[4] for e in asked} == {"history version 1"}


def test_corrections_through_the_worksheet_are_entries_by_the_candidate_without_the_note(
        app, client, connection):
    candidate_id = _analysed(app, client, connection)
    path = path_of(new_link(client, connection, "c-ana")) + "/result"
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)
    for rejected, note in [("yes", "more of a writer"), ("", "")]:
        answer = client.post(path.removesuffix("/result") + "/corrections",
                             data={"csrf_token": token, "kind": "passion", "theme": "research",
                                   "rejected": rejected, "note": note})
        assert answer.status_code == 302
    corrections = [e for e in _entries(app, candidate_id) if e[0] == "candidate"]
    assert corrections == [
        ("candidate", None, "correction_saved", None, "passion research: not me, with a note"),
        ("candidate", None, "correction_removed", None, "passion research")]


def test_entries_hold_no_personal_data_and_go_with_the_candidate(app, client, connection):
    ana = _analysed(app, client, connection)
    ben = _analysed(app, client, connection, "c-ben")
    client.post("/api/candidates/c-ana/reanalyze", headers=_auth(connection.token))
    with app.app_context():
        rows = db.session.query(AuditEntry).all()
        text = json.dumps([[str(getattr(r, c.name)) for c in AuditEntry.__table__.columns] for r in rows])
    assert not any(secret in text for secret in (NAME, "Ortiz", "c-ana", *LIKES, "cold calling"))
    body, headers = signed_delivery(connection.secret, event("candidate.deleted", {"candidate_id": "c-ana"}))
    assert client.post(f"/webhooks/{connection.id}", data=body, headers=headers).status_code == 202
    assert _entries(app, ana) == []
    assert [e[2] for e in _entries(app)] == ["analysis_stored"] and _entries(app, ben) == _entries(app)
    listed = client.get("/api/audit", headers=_auth(connection.token)).json
    assert [e["candidate_id"] for e in listed] == [ben]


def _many(app, issued, candidate_id: int, count: int) -> None:
    with app.app_context():
        candidate = db.session.get(Candidate, candidate_id)
        for n in range(count):
            audit.record(candidate, audit.CRM, AuditAction.REANALYSIS_REQUESTED, detail=f"n{n}")
        db.session.commit()


def test_the_page_and_the_api_list_newest_first_a_page_at_a_time(app, client, connection):
    candidate_id = _analysed(app, client, connection)
    _many(app, connection, candidate_id, 55)  # 56 with the analysis
    first = client.get("/api/audit", headers=_auth(connection.token), query_string={"page_size": 50})
    assert [e["detail"] for e in first.json][:3] == ["n54", "n53", "n52"]
    assert json.loads(first.headers["X-Pagination"])["total"] == 56
    second = client.get("/api/audit", headers=_auth(connection.token),
                        query_string={"page": 2, "page_size": 50}).json
    assert [e["action"] for e in second][-1] == "analysis_stored"
    sign_in(client, connection.token)
    html = client.get("/audit").get_data(as_text=True)
    assert "56 entries" in html and "Page 1 of 2" in html
    assert html.index("Re-analysis requested: n54") < html.index("Re-analysis requested: n53")
    assert "analysis_stored" not in html and "Analysis stored" not in html
    later = client.get("/audit?page=2").get_data(as_text=True)
    assert "Analysis stored: history version 1" in later and "The analyser (a worker)" in later
    assert 'href="/pool/c-ana"' in later
    assert 'href="/audit"' in client.get("/pool").get_data(as_text=True)  # in the header


@pytest.mark.parametrize("via", ["api", "page"])
def test_another_connection_sees_none_of_it(app, client, connection, via):
    _analysed(app, client, connection)
    with app.app_context():
        other = create_connection(provider="standard", name="Other agency")
    if via == "api":
        assert client.get("/api/audit", headers=_auth(other.token)).json == []
        assert client.get("/api/audit").status_code == 401
        return
    sign_in(client, other.token)
    html = client.get("/audit").get_data(as_text=True)
    assert "0 entries" in html and "Nothing recorded yet." in html and "c-ana" not in html
