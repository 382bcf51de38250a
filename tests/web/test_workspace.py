"""The recruiter's workspace through the test client: names and CRM links, the pool's filters shared with the
API, the CSV export, the profile's words and the re-analyse button."""

from __future__ import annotations

import csv
import io
import re

import pytest

from plugin.extensions import db
from plugin.storage.models import Candidate, CandidateStatus
from tests.browser import csrf_token, sign_in
from tests.conftest import ingest_and_analyze, queued_tasks
from tests.webhook_sender import event, history, signed_delivery


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def named(candidate_id: str, name: str | None, *likes: list[str], dislikes: list[str] | None = None,
          crm_url: str | None = None, title: str | None = None) -> dict:
    data = history(candidate_id, *likes, dislikes=dislikes)
    data["name"] = name
    if crm_url:
        data["crm_url"] = crm_url
    if title:
        data["jobs"][0]["title"] = title
    return data


@pytest.fixture
def pool(app, client, connection):
    ingest_and_analyze(app, client, connection, named(
        "c-ana", "Ana Ortiz", ["legal research on CanLII", "drafting memos"],
        ["digging through case law", "writing reports"],
        dislikes=["answering the phones", "cold calling clients"],
        crm_url="https://crm.example.com/people/ana", title="Litigation Clerk"))
    ingest_and_analyze(app, client, connection, named(
        "c-ben", "Ben Okafor", ["scheduling the trial calendar", "managing the closing checklist"],
        ["planning logistics for events", "juggling calendars"], title="Office Manager"))
    ingest_and_analyze(app, client, connection, named(
        "c-cy", "=HYPERLINK(\"http://evil\")", ["legal research for the partners", "case law digging"],
        ["researching precedents"], title="Paralegal"))
    return connection


def _ids(response) -> list[str]:
    return [row["id"] for row in response.json]


def _post(client, connection, data):
    body, headers = signed_delivery(connection.secret, event("candidate.updated", data))
    return client.post(f"/webhooks/{connection.id}", data=body, headers=headers)


def test_name_and_crm_link_are_stored_and_served(app, client, pool):
    row = client.get("/api/candidates/c-ana", headers=_auth(pool.token)).json
    assert row["name"] == "Ana Ortiz" and row["crm_url"] == "https://crm.example.com/people/ana"
    assert "name" not in row["history"]  # shown beside the history, never analysed
    sign_in(client, pool.token)
    page = client.get("/pool/c-ana").get_data(as_text=True)
    assert "<h1>Ana Ortiz</h1>" in page
    assert 'href="https://crm.example.com/people/ana"' in page


def test_a_new_name_applies_without_a_new_analysis(app, client, pool):
    data = named("c-ana", "Ana Ortiz-Lee", ["legal research on CanLII", "drafting memos"],
                 ["digging through case law", "writing reports"],
                 dislikes=["answering the phones", "cold calling clients"], title="Litigation Clerk")
    assert _post(client, pool, data).json["analysis_queued"] is False
    row = client.get("/api/candidates/c-ana", headers=_auth(pool.token)).json
    assert row["name"] == "Ana Ortiz-Lee" and row["crm_url"] is None and row["history_version"] == 1
    found = client.get("/api/candidates", query_string={"q": "ortiz-lee"}, headers=_auth(pool.token))
    assert _ids(found) == ["c-ana"]


@pytest.mark.parametrize(("field", "value"), [
    ("crm_url", "http://crm.example.com/people/1"),
    ("crm_url", "javascript:alert(1)"),
    ("crm_url", "https://" + "a" * 2000 + ".com"),
    ("name", "x" * 201),
    ("name", "Ana\x00"),
])
def test_bad_names_and_links_are_refused_naming_the_field(client, connection, field, value):
    data = history("c-1", ["x"])
    data[field] = value
    response = _post(client, connection, data)
    assert response.status_code == 422
    assert f"data.{field}" in response.json["errors"]["json"]


def test_erasure_takes_the_name_and_link_with_it(app, client, pool):
    body, headers = signed_delivery(pool.secret, event("candidate.deleted", {"candidate_id": "c-ana"}))
    assert client.post(f"/webhooks/{pool.id}", data=body, headers=headers).status_code == 202
    with app.app_context():
        left = db.session.query(Candidate.name, Candidate.crm_url, Candidate.search_text).all()
    assert all("Ortiz" not in (name or "") and "ana" not in (url or "") and "ortiz" not in (text or "")
               for name, url, text in left)
    assert len(left) == 2


def test_exclude_aversion_leaves_out_who_dislikes_it(client, pool):
    holds = _ids(client.get("/api/candidates?aversion=client_contact", headers=_auth(pool.token)))
    excluded = _ids(client.get("/api/candidates?exclude_aversion=client_contact",
                               headers=_auth(pool.token)))
    assert holds == ["c-ana"]
    assert sorted(excluded) == ["c-ben", "c-cy"]


def test_skill_filter_matches_part_of_a_label_in_any_case(client, pool):
    skills = client.get("/api/candidates/c-ana", headers=_auth(pool.token)).json["skills"]
    label = next(s["label"] for s in skills if s["label"] == "legal research")
    part = _ids(client.get("/api/candidates", query_string={"skill": "LEGAL RES"},
                           headers=_auth(pool.token)))
    assert "c-ana" in part and "c-ben" not in part
    assert _ids(client.get("/api/candidates", query_string={"skill": label + "x"},
                           headers=_auth(pool.token))) == []
    assert _ids(client.get("/api/candidates", query_string={"skill": "%"},
                           headers=_auth(pool.token))) == []  # % is a character, not a wildcard


def test_search_reads_name_title_and_employer(client, pool):
    def search(q: str) -> list[str]:
        return sorted(_ids(client.get("/api/candidates", query_string={"q": q},
                                      headers=_auth(pool.token))))

    assert search("okafor") == ["c-ben"]
    assert search("LITIGATION clerk") == ["c-ana"]
    assert search("employer 0") == ["c-ana", "c-ben", "c-cy"]
    assert search("ortiz manager") == []  # every word must appear
    assert search("_") == []


def test_sort_by_strength_puts_the_strongest_passion_first(app, client, pool):
    recent = _ids(client.get("/api/candidates?theme=research", headers=_auth(pool.token)))
    assert recent == ["c-cy", "c-ana"]
    with app.app_context():  # the older candidate holds the stronger research passion
        for candidate in db.session.query(Candidate).filter(Candidate.external_id.in_(recent)):
            for tag in candidate.tags:
                if tag.kind == "passion" and tag.value == "research":
                    tag.strength = 0.9 if candidate.external_id == "c-ana" else 0.2
        db.session.commit()
    strongest = _ids(client.get("/api/candidates?theme=research&sort=strength",
                                headers=_auth(pool.token)))
    assert strongest == ["c-ana", "c-cy"]
    assert client.get("/api/candidates?sort=best", headers=_auth(pool.token)).status_code == 422


def test_pool_page_filters_searches_and_counts_facets(client, pool):
    sign_in(client, pool.token)
    page = client.get("/pool?theme=research").get_data(as_text=True)
    assert "Ana Ortiz" in page and "Ben Okafor" not in page
    assert "2 candidates" in page
    facets = _facets(page)
    assert facets["research"] == 2 and sum(facets.values()) == _facet_total(client, pool.token, "research")
    everyone = _facets(client.get("/pool").get_data(as_text=True))
    assert everyone["research"] == 2 and everyone["coordination"] == 1
    assert "Ben Okafor" in client.get("/pool?q=okafor").get_data(as_text=True)
    assert "Ana Ortiz" not in client.get("/pool?exclude_aversion=client_contact").get_data(as_text=True)
    refused = client.get("/pool?theme=nonsense")
    assert refused.status_code == 400
    assert "Must be one of" in refused.get_data(as_text=True)


_FACET = re.compile(r'name="theme" value="(\w+)"\s*(?:checked)?> [^<]+<span class="facet">\((\d+)\)')


def _facets(page: str) -> dict[str, int]:
    return {theme: int(count) for theme, count in _FACET.findall(page)}


def _facet_total(client, token: str, theme: str) -> int:
    """Passion tags held by the candidates with `theme`, counted from the API's rows."""
    rows = client.get("/api/candidates", query_string={"theme": theme}, headers=_auth(token)).json
    return sum(len(row["passion_themes"]) for row in rows)


def test_csv_export_holds_the_current_result_and_defuses_formulas(client, pool):
    sign_in(client, pool.token)
    response = client.get("/pool.csv?theme=research&sort=strength")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert sorted(r["candidate_id"] for r in rows) == ["c-ana", "c-cy"]
    names = {r["candidate_id"]: r["name"] for r in rows}
    assert names["c-ana"] == "Ana Ortiz"
    assert names["c-cy"] == "'=HYPERLINK(\"http://evil\")"
    assert "Research & investigation" in rows[0]["passions"]
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/pool")})
    assert client.get("/pool.csv").status_code == 302


def test_profile_says_there_is_no_write_back_and_hides_the_engine_hash(client, pool):
    sign_in(client, pool.token)
    page = client.get("/pool/c-ana").get_data(as_text=True)
    assert "No write-back configured" in page and "delivered" not in page
    main_view, details = page.split('<details class="tech">')
    engine = client.get("/api/candidates/c-ana", headers=_auth(pool.token)).json["analysis_version"]
    assert engine not in main_view and engine in details
    assert "liked in 2 of 2 jobs" in main_view  # research, in both jobs
    assert 'href="http://data.europa.eu/esco/skill/' in main_view
    assert "not a score" in page


def test_a_waiting_history_is_not_annotated_with_the_last_analysis(client, pool):
    """A job added at the top shifts every position: the earlier analysis's themes would land on the
    wrong phrases and the wrong squares."""
    newer = named("c-ana", "Ana Ortiz", ["greeting walk-in clients"], ["legal research on CanLII",
                  "drafting memos"], ["digging through case law", "writing reports"],
                  dislikes=["answering the phones", "cold calling clients"], title="Receptionist")
    assert _post(client, pool, newer).status_code == 202  # stored; no worker runs in these tests
    sign_in(client, pool.token)
    page = client.get("/pool/c-ana").get_data(as_text=True)
    main_view = page.split('<details class="tech">')[0]
    assert "earlier version of this history" in main_view
    assert "greeting walk-in clients" in main_view
    assert '<span class="read">' not in main_view  # no theme laid over the current phrases
    assert "liked in 2 of 2 jobs" in main_view  # the profile as read, over the jobs it read


def test_re_analyse_button_queues_and_shows_the_wait(app, client, pool, redis_client):
    sign_in(client, pool.token)
    redis_client.delete("passion")
    assert client.post("/pool/c-ana/reanalyze").status_code == 400  # no CSRF token: nothing queued
    assert queued_tasks(redis_client) == []
    response = client.post("/pool/c-ana/reanalyze", data={"csrf_token": csrf_token(client, "/pool/c-ana")})
    assert response.status_code == 302 and response.headers["Location"].endswith("/pool/c-ana")
    assert queued_tasks(redis_client) == ["workers.analyze_candidate"]
    page = client.get("/pool/c-ana").get_data(as_text=True)
    assert "Re-analysis requested at" in page and "Waiting for analysis since" in page
    with app.app_context():
        assert db.session.query(Candidate).filter_by(external_id="c-ana").one().status == \
            CandidateStatus.QUEUED


def test_a_failed_analysis_says_so_in_words(app, client, pool):
    with app.app_context():
        db.session.query(Candidate).filter_by(external_id="c-ben").one().status = CandidateStatus.FAILED
        db.session.commit()
    sign_in(client, pool.token)
    assert "Analysis failed: the analyser stopped with an error" in client.get("/pool/c-ben").get_data(
        as_text=True)
    assert "Analysis failed" in client.get("/pool").get_data(as_text=True)


def test_missing_candidates_get_an_html_page_and_the_favicon_is_served(client, pool):
    sign_in(client, pool.token)
    missing = client.get("/pool/nobody")
    assert missing.status_code == 404 and missing.mimetype == "text/html"
    assert "no candidate of your connection has this id" in missing.get_data(as_text=True)
    assert client.post("/pool/nobody/reanalyze",
                       data={"csrf_token": csrf_token(client, "/pool")}).status_code == 404
    icon = client.get("/favicon.ico", follow_redirects=True)
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    icon.close()


def test_a_submitted_form_becomes_the_short_url_worth_sharing(client, pool):
    sign_in(client, pool.token)
    response = client.get("/pool?q=&skill=&sort=recent&theme=research&exclude_aversion=numbers")
    assert response.status_code == 302
    assert response.headers["Location"] == "/pool?theme=research&exclude_aversion=numbers"
    assert client.get(response.headers["Location"]).status_code == 200


def test_a_crash_on_a_page_is_an_html_page_without_details(app, client, pool, monkeypatch):
    from plugin.storage import pool as pool_queries

    def broken(*_args, **_kwargs):
        raise RuntimeError("secret detail")

    sign_in(client, pool.token)
    monkeypatch.setattr(pool_queries, "get_candidate", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/pool/c-ana")
    assert response.status_code == 500 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "Something went wrong on our side" in page and "secret detail" not in page


def test_the_pool_marks_a_write_back_the_crm_refused_for_good(app, client, pool):
    from plugin.storage.models import Analysis

    with app.app_context():
        ana = db.session.query(Candidate).filter_by(external_id="c-ana").one()
        db.session.query(Analysis).filter_by(candidate_id=ana.id).update({Analysis.delivery_status: "dead"})
        db.session.commit()
    sign_in(client, pool.token)
    page = client.get("/pool?q=ortiz").get_data(as_text=True)
    assert "Write-back failed" in page
    assert "Write-back failed" not in client.get("/pool?q=okafor").get_data(as_text=True)
