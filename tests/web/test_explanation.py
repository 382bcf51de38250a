"""The explanation of a candidate's tags, as JSON and as a printable page, on both databases: what was read,
the phrases and the part of the recurring rule behind each theme, skills with ESCO links, corrections,
version and time; nothing of another connection's by any URL."""

from __future__ import annotations

import itertools

import pytest

from plugin.explanation import Rule, reason, rule_for
from plugin.extensions import db
from plugin.storage import worksheets
from plugin.storage.connections import create_connection
from plugin.storage.models import Candidate
from plugin.storage.recruiters import create_recruiter
from tests.browser import csrf_token, sign_in
from tests.conftest import ingest_and_analyze
from tests.webhook_sender import history
from workers.analysis.recurring import classify

ANA = {"candidate_id": "c-ana", "name": "Ana Ortiz", "jobs": [
    {"title": "Litigation Clerk", "employer": "Smith LLP",
     "likes": ["legal research on CanLII", "drafting memos"], "dislikes": ["cold calling clients"]},
    {"title": "Paralegal", "employer": "Jones & Co",
     "likes": ["digging through case law", "writing reports"], "dislikes": ["answering the phones"]}]}


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def ana(app, client, connection):
    ingest_and_analyze(app, client, connection, ANA)
    with app.app_context():
        row = db.session.query(Candidate).filter_by(external_id="c-ana").one()
        result, analysis = row.latest_analysis.result, row.latest_analysis
        facts = {"id": row.id, "result": result, "engine": analysis.engine_version,
                 "created_at": analysis.created_at}
    return facts


def _labelled(result: dict, theme: str) -> list[tuple[int, str, int, float]]:
    """(job number, text, polarity, confidence) of every phrase the stored analysis read with the theme."""
    return sorted((p["job"] + 1, p["text"], lab["polarity"], round(lab["confidence"], 2))
                  for p in result["phrases"] for lab in p["labels"] if lab["theme"] == theme)


def test_the_json_explains_every_theme_from_the_stored_analysis(client, connection, ana):
    answer = client.get("/api/explanations/c-ana", headers=_auth(connection.token))
    assert answer.status_code == 200
    found = answer.json
    result = ana["result"]
    stored = [(kind, item["theme"]) for kind, key in (("passion", "passions"), ("mixed", "mixed"),
                                                       ("aversion", "aversions")) for item in result[key]]
    assert [(t["kind"], t["theme"]) for t in found["themes"]] == stored
    assert ("passion", "research") in stored and ("aversion", "client_contact") in stored
    for theme in found["themes"]:
        shown = sorted((job["job"], p["text"], p["polarity"], p["confidence"])
                       for job in theme["evidence"] for p in job["phrases"])
        assert shown == _labelled(result, theme["theme"]), theme["theme"]
        assert theme["liked_jobs"] == len({j for j, _, pol, _ in shown if pol > 0})
        assert theme["disliked_jobs"] == len({j for j, _, pol, _ in shown if pol < 0})
    research = next(t for t in found["themes"] if t["theme"] == "research")
    assert research["rule"] == "two_jobs" and research["liked_jobs"] == 2
    assert research["reason"].startswith("Enjoyed in 2 jobs, disliked in none.")
    assert research["evidence"][0]["job_name"] == "Litigation Clerk, Smith LLP"
    assert {s["id"] for s in research["skills"]} == {
        s["id"] for s in result["skills"] if "research" in s["themes"]} != set()
    assert all(s["esco_url"] == s["id"] for s in research["skills"])
    assert found["jobs"][1] == {"number": 2, "name": "Paralegal, Jones & Co",
                                "likes": ["digging through case law", "writing reports"],
                                "dislikes": ["answering the phones"]}
    assert found["engine_version"] == ana["engine"] and found["analysed"] and found["current"]
    assert found["analysed_at"].startswith(ana["created_at"].strftime("%Y-%m-%dT%H:%M:%S"))
    assert "not a score" in found["not_a_score"] and found["corrections"] == []


def test_the_page_shows_the_same_explanation_and_the_profile_links_to_it(client, connection, ana):
    explained = client.get("/api/explanations/c-ana", headers=_auth(connection.token)).json
    sign_in(client, connection.token)
    profile = client.get("/pool/c-ana").get_data(as_text=True)
    assert 'href="/explanations/c-ana"' in profile
    page = client.get("/explanations/c-ana")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for theme in explained["themes"]:
        assert theme["label"].replace("&", "&amp;") in html
        assert theme["reason"] in html
        for job in theme["evidence"]:
            for phrase in job["phrases"]:
                assert f"“{phrase['text']}”" in html
                assert f"{round(phrase['confidence'] * 100)}% sure" in html
    for skill in explained["skills"]:
        assert f'href="{skill["esco_url"]}"' in html
    assert "not a score, and not a ranking of people" in html
    assert explained["engine_version"] in html
    assert html.index("Your themes, and why") < html.index("About this reading")  # the version is a footnote


def test_corrections_from_the_worksheet_are_part_of_it(app, client, connection, ana):
    with app.app_context():
        worksheets.set_correction(db.session.get(Candidate, ana["id"]), kind="passion", theme="research",
                                  rejected=True, note="more of a writer")
    found = client.get("/api/explanations/c-ana", headers=_auth(connection.token)).json
    research = next(t for t in found["themes"] if t["theme"] == "research")
    assert research["correction"]["rejected"] is True and research["correction"]["note"] == "more of a writer"
    assert [(c["kind"], c["theme"], c["label"]) for c in found["corrections"]] == [
        ("passion", "research", "Research & investigation")]
    sign_in(client, connection.token)
    html = client.get("/explanations/c-ana").get_data(as_text=True)
    assert "You told us: that&#39;s not me, and noted “more of a writer”" in html


def test_a_candidate_not_analysed_yet_has_an_explanation_that_says_so(app, client, connection):
    from tests.webhook_sender import event, signed_delivery

    body, headers = signed_delivery(connection.secret, event("candidate.created", history("c-new", ["x"])))
    assert client.post(f"/webhooks/{connection.id}", data=body, headers=headers).status_code == 202
    found = client.get("/api/explanations/c-new", headers=_auth(connection.token)).json
    assert (found["analysed"], found["themes"], found["jobs"], found["analysed_at"]) == (False, [], [], None)
    sign_in(client, connection.token)
    assert "has not been read yet" in client.get("/explanations/c-new").get_data(as_text=True)


def test_an_explanation_of_an_earlier_history_names_jobs_by_number(app, client, connection, ana):
    from tests.webhook_sender import event, signed_delivery

    newer = {**ANA, "jobs": [{"title": "Office Manager", "likes": ["planning events"], "dislikes": []},
                             *ANA["jobs"]]}
    body, headers = signed_delivery(connection.secret, event("candidate.updated", newer))
    assert client.post(f"/webhooks/{connection.id}", data=body, headers=headers).status_code == 202
    found = client.get("/api/explanations/c-ana", headers=_auth(connection.token)).json
    assert found["current"] is False and found["history_version"] == 1
    assert [job["name"] for job in found["jobs"]] == ["Job 1", "Job 2"]  # not the new history's titles
    assert found["jobs"][0]["likes"] == ["legal research on CanLII", "drafting memos"]


@pytest.mark.parametrize("path", ["/api/explanations/c-ana", "/api/explanations/c%2Dana",
                                  "/api/explanations/C-ANA", "/api/explanations/c-ana/"])
def test_another_connections_token_gets_404(app, client, ana, path):
    with app.app_context():
        other = create_connection(provider="standard", name="Other agency")
    answer = client.get(path, headers=_auth(other.token))
    assert answer.status_code == 404 and "c-ana" not in answer.get_data(as_text=True)
    assert client.get(path).status_code == 401


def test_another_connections_recruiter_gets_the_404_page(app, client, ana):
    with app.app_context():
        other = create_connection(provider="standard", name="Other agency")
        create_recruiter(other.id, "rita@other.example", "a long enough password")
    client.post("/", data={"email": "rita@other.example", "password": "a long enough password",
                           "csrf_token": csrf_token(client)})
    for path in ["/explanations/c-ana", "/explanations/c%2Dana", "/explanations/C-ANA"]:
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert "Ana" not in answer.get_data(as_text=True) and "CanLII" not in answer.get_data(as_text=True)


def test_the_explanation_is_in_the_openapi_document(client):
    spec = client.get("/openapi.json").json
    operation = spec["paths"]["/api/explanations/{external_id}"]["get"]
    assert operation["security"] == [{"bearerAuth": []}]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert schema.endswith("/Explanation")
    assert {"themes", "jobs", "corrections", "not_a_score"} <= set(
        spec["components"]["schemas"]["Explanation"]["properties"])


COUNTS = [(n, p, d) for n in range(1, 6) for p, d in itertools.product(range(n + 1), repeat=2)]


@pytest.mark.parametrize(("job_count", "liked", "disliked"), COUNTS)
def test_the_named_rule_is_the_one_the_engine_applies(job_count, liked, disliked):
    """For every count the engine's recurring rule turns into a theme, the rule named is the one that
    holds, and its words carry the counts."""
    kind = classify(liked, disliked, job_count)
    if kind is None:
        return
    rule = rule_for(kind, liked, disliked)
    assert (rule == Rule.MIXED) == (kind == "mixed")
    if rule == Rule.ONLY_JOB:
        assert job_count == 1
    if rule == Rule.TWO_JOBS:
        assert min(liked, disliked) == 0 and max(liked, disliked) >= 2
    if rule == Rule.AHEAD_BY_TWO:
        assert liked and disliked and abs(liked - disliked) >= 2
    words = reason(kind, rule, liked, disliked)
    side, other = (liked, disliked) if kind == "passion" else (disliked, liked)
    if rule == Rule.MIXED:
        assert f"Enjoyed in {liked} job" in words and f"disliked in {disliked} job" in words
    elif rule == Rule.ONLY_JOB:
        assert "the only job listed" in words
    else:
        assert f"in {side} jobs" in words
        assert (f"in {other} job" in words) if other else ("in none" in words)
