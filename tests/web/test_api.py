"""The recruiter API: bearer token per connection, filters, detail with evidence, re-analysis."""

from __future__ import annotations

import pytest

from plugin.extensions import db
from plugin.storage.connections import create_connection
from plugin.storage.models import Analysis, Candidate
from tests.conftest import ingest_and_analyze, queued_tasks
from tests.webhook_sender import history
from workers import pipeline


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def pool(app, client, connection):
    ingest_and_analyze(app, client, connection, history(
        "researcher", ["legal research on CanLII", "drafting memos"],
        ["digging through case law", "writing reports"]))
    ingest_and_analyze(app, client, connection, history(
        "organiser", ["scheduling the trial calendar", "managing the closing checklist"],
        ["planning logistics for events", "juggling calendars"]))
    return connection


def test_requests_without_a_valid_token_are_401(client, pool):
    assert client.get("/api/candidates").status_code == 401
    response = client.get("/api/candidates", headers=_auth("pt_wrong"))
    assert response.status_code == 401
    assert response.json["message"] == "Invalid bearer token."


def test_filter_by_passion_theme(client, pool):
    response = client.get("/api/candidates?theme=research", headers=_auth(pool.token))
    assert response.status_code == 200
    assert [row["id"] for row in response.json] == ["researcher"]
    assert "research" in response.json[0]["passion_themes"]


def test_repeated_theme_filters_must_all_hold(client, pool):
    both = client.get("/api/candidates?theme=research&theme=coordination",
                      headers=_auth(pool.token))
    assert both.json == []
    everyone = client.get("/api/candidates", headers=_auth(pool.token))
    assert {row["id"] for row in everyone.json} == {"researcher", "organiser"}


def test_unknown_theme_is_422_naming_the_field(client, pool):
    response = client.get("/api/candidates?theme=astrology", headers=_auth(pool.token))
    assert response.status_code == 422
    assert "theme" in response.json["errors"]["query"]


def test_pagination_header(client, pool):
    response = client.get("/api/candidates?page=1&page_size=1", headers=_auth(pool.token))
    assert len(response.json) == 1
    assert '"total": 2' in response.headers["X-Pagination"]


def test_detail_has_history_and_analysis_with_evidence(client, pool):
    response = client.get("/api/candidates/researcher", headers=_auth(pool.token))
    assert response.status_code == 200
    body = response.json
    assert body["history"]["jobs"][0]["likes"][0] == "legal research on CanLII"
    phrases = body["latest_analysis"]["result"]["phrases"]
    assert len(phrases) == 4
    assert {k: phrases[0][k] for k in ("job", "list", "index")} == {"job": 0, "list": "likes", "index": 0}
    assert client.get("/api/candidates/nobody", headers=_auth(pool.token)).status_code == 404


def test_a_token_never_sees_another_connections_candidates(app, client, pool):
    with app.app_context():
        other = create_connection(provider="standard", name="Other agency")
    assert client.get("/api/candidates", headers=_auth(other.token)).json == []
    assert client.get("/api/candidates/researcher",
                      headers=_auth(other.token)).status_code == 404
    assert client.post("/api/candidates/researcher/reanalyze",
                       headers=_auth(other.token)).status_code == 404


def test_reanalyze_queues_the_current_version(client, pool, redis_client):
    redis_client.delete("passion")
    response = client.post("/api/candidates/researcher/reanalyze", headers=_auth(pool.token))
    assert response.status_code == 202
    assert response.json == {"status": "queued", "history_version": 1}
    assert queued_tasks(redis_client) == ["workers.analyze_candidate"]


def test_themes_lists_the_catalogue_with_counts(client, pool):
    response = client.get("/api/themes", headers=_auth(pool.token))
    themes = {row["id"]: row for row in response.json}
    assert len(themes) == 20
    assert themes["research"]["passion_count"] == 1
    assert themes["helping"]["passion_count"] == 0


def test_openapi_and_docs_are_served(client):
    spec = client.get("/openapi.json").json
    assert "/api/candidates" in spec["paths"]
    assert "bearerAuth" in spec["components"]["securitySchemes"]
    assert client.get("/docs").status_code == 200


def test_the_docs_page_has_every_asset_offline_and_can_render_openapi_3_1(client):
    import re
    from pathlib import Path

    from plugin.api.swagger_ui import SWAGGER_UI_DIST

    page = client.get("/docs").get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="(/docs/assets/[^"]+)"', page)
    assert {Path(a).name for a in assets} >= {"swagger-ui-bundle.js", "swagger-ui.css"}
    for asset in assets:
        with client.get(asset) as response:  # a file response: close it
            assert response.status_code == 200, asset
    assert client.get("/openapi.json").json["openapi"].startswith("3.1")
    version = (Path(SWAGGER_UI_DIST) / "VERSION").read_text().strip().lstrip("v")
    assert int(version.split(".")[0]) >= 5  # Swagger UI 4 answers 3.1 with "Unable to render"


def test_analysis_is_stored_once_per_version(app, pool):
    with app.app_context():
        candidate = db.session.query(Candidate).filter_by(external_id="researcher").one()
        assert pipeline.analyze(candidate.id, 1) is not None  # stored, delivery still pending
        pipeline.analyze(candidate.id, 1)
        assert db.session.query(Analysis).filter_by(candidate_id=candidate.id).count() == 1


def test_detail_serves_the_evidence_behind_each_passion(client, pool):
    passions = client.get("/api/candidates/researcher",
                          headers=_auth(pool.token)).json["latest_analysis"]["result"]["passions"]
    research = next(p for p in passions if p["theme"] == "research")
    assert {"job": 0, "list": "likes", "index": 0} in research["evidence"]


def test_skill_filter_takes_an_esco_uri_or_a_label(client, pool):
    skills = client.get("/api/candidates/researcher", headers=_auth(pool.token)).json["skills"]
    assert skills, "the researcher should have ESCO skills"
    uri, label = skills[0]["id"], skills[0]["label"]
    by_uri = client.get("/api/candidates", query_string={"skill": uri}, headers=_auth(pool.token))
    by_label = client.get("/api/candidates", query_string={"skill": label.upper()},
                          headers=_auth(pool.token))
    assert "researcher" in [row["id"] for row in by_uri.json]
    assert [row["id"] for row in by_uri.json] == [row["id"] for row in by_label.json]
    nobody = client.get("/api/candidates", query_string={"skill": "underwater welding"},
                        headers=_auth(pool.token))
    assert nobody.json == []
