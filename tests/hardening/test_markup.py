"""HTML and script in every text field: accepted as text, stored as sent, returned as JSON unchanged.
Escaping is the job of whatever page shows it; the API never serves it as HTML."""

from __future__ import annotations

from urllib.parse import quote

from plugin.extensions import db
from plugin.storage.models import Candidate
from tests.hardening.strategies import MARKUP
from tests.hardening.support import auth, post_signed
from tests.webhook_sender import event
from workers import pipeline

SCRIPT = "<script>alert(document.cookie)</script>"


def _hostile_history() -> dict:
    jobs = [{"title": f"{m[:150]} clerk", "employer": m[:200], "start": "2019-01", "end": "2020-01",
             "description": f"{SCRIPT} {m}", "likes": [m, f"research {SCRIPT}"], "dislikes": [m + " billing"]}
            for m in MARKUP]
    return {"candidate_id": '<img src=x onerror="alert(1)">&amp;', "jobs": jobs}


def test_markup_is_stored_and_served_back_verbatim(app, client, connection, redis_client) -> None:
    sent = _hostile_history()
    assert post_signed(client, connection, event("candidate.created", sent)).status_code == 202
    with app.app_context():
        row = db.session.query(Candidate).one()
        assert row.history["jobs"][0]["description"].startswith(SCRIPT)
        pipeline.analyze(row.id, row.history_version)
    url = f"/api/candidates/{quote(sent['candidate_id'], safe='')}"
    response = client.get(url, headers=auth(connection.token))
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.json["id"] == sent["candidate_id"]
    for got, want in zip(response.json["history"]["jobs"], sent["jobs"], strict=True):
        assert {key: got[key] for key in want} == want
    phrases = {p["text"] for p in response.json["latest_analysis"]["result"]["phrases"]}
    assert f"research {SCRIPT}" in phrases
    listed = client.get("/api/candidates", headers=auth(connection.token))
    assert listed.mimetype == "application/json" and listed.json[0]["id"] == sent["candidate_id"]
