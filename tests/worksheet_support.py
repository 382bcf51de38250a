"""Helpers shared by the worksheet's web and browser tests: a candidate in the pool, a link to them."""

from __future__ import annotations

from datetime import timedelta

from plugin.extensions import db
from plugin.storage.models import Candidate, WorksheetLink, utcnow
from tests.conftest import ingest_and_analyze
from tests.webhook_sender import history


def crm_candidate(app, client, issued, external_id: str = "cand-1") -> None:
    """A candidate as a CRM sends them: one job with title and employer, no likes yet."""
    data = history(external_id, [])
    data["jobs"][0].update(title="Law Clerk", employer="Smith LLP", start="2019-02", end="2021-06")
    ingest_and_analyze(app, client, issued, data)


def new_link(client, issued, external_id: str = "cand-1", **body) -> dict:
    answer = client.post(f"/api/candidates/{external_id}/worksheet-link", json=body,
                         headers={"Authorization": f"Bearer {issued.token}"})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def path_of(link: dict) -> str:
    return link["url"].removeprefix("http://testserver")


def expire(app, link_id: str) -> None:
    with app.app_context():
        db.session.get(WorksheetLink, link_id).expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()


def analyze_latest(app, external_id: str = "cand-1") -> None:
    """Run the worker's pipeline in-process on the candidate's current history version."""
    from workers import pipeline

    with app.app_context():
        row = db.session.query(Candidate).filter_by(external_id=external_id).one()
        candidate_id, version = row.id, row.history_version
        db.session.rollback()
        pipeline.analyze(candidate_id, version)
