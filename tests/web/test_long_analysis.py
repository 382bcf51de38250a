"""A history at the size limits takes seconds to analyse: meanwhile another tenant's webhooks and API
answer, and no transaction of ours holds the database (SQLite's write lock, a PostgreSQL connection)."""

from __future__ import annotations

import json
import threading

import pytest

from plugin.config import MAX_BODY_BYTES
from plugin.extensions import db
from plugin.storage.connections import create_connection
from plugin.storage.models import Candidate
from schemas.history import MAX_JOBS, MAX_PHRASES_PER_LIST
from tests.attacks.probes import transaction_held
from tests.web.test_delivery_transactions import _other_tenant_answers, _receive
from tests.webhook_sender import event
from workers import pipeline

pytestmark = pytest.mark.slow

_WORDING = ("researching case law for the partners and drafting the memos they sent to clients, "
            "then coordinating the filing calendar with the court clerks ")


def maximal_history(candidate_id: str) -> dict:
    """As many jobs and phrases as the schema allows, phrases as long as fits in one webhook body."""
    def job(n: int, length: int) -> dict:
        phrase = (_WORDING * 10)[:length]
        return {"title": f"Paralegal {n}", "employer": f"Firm {n}",
                "likes": [f"{k} {phrase}" for k in range(MAX_PHRASES_PER_LIST)],
                "dislikes": [f"{k} not {phrase}" for k in range(MAX_PHRASES_PER_LIST)]}

    length = 500
    while True:
        data = {"candidate_id": candidate_id, "jobs": [job(n, length) for n in range(MAX_JOBS)]}
        if len(json.dumps(event("candidate.created", data)).encode()) < MAX_BODY_BYTES - 2048:
            return data
        length -= 10


def test_a_maximal_history_blocks_no_other_tenant(app, client, connection, database_url, monkeypatch):
    with app.app_context():
        other = create_connection(provider="standard", name="Other CRM")
    engine = pipeline.analyze_history
    running, probed, seen = threading.Event(), threading.Event(), {}

    def watched(candidate_history):  # type: ignore[no-untyped-def]
        running.set()
        probed.wait(60)  # the engine call stays open until the probes are done, however fast it is
        return engine(candidate_history)

    monkeypatch.setattr(pipeline, "analyze_history", watched)
    _receive(client, connection, maximal_history("c-max"))

    def analyse() -> None:
        with app.app_context():
            candidate_id = db.session.query(Candidate).filter_by(external_id="c-max").one().id
            seen["analysis"] = pipeline.analyze(candidate_id, 1)

    worker = threading.Thread(target=analyse)
    worker.start()
    assert running.wait(60)
    seen["transaction held"] = transaction_held(database_url)
    seen.update(_other_tenant_answers(app, other))
    probed.set()
    worker.join(300)
    assert seen == {"transaction held": False, "webhook": 202, "api": 200,
                    "analysis": seen.get("analysis") or "missing"}
    assert isinstance(seen["analysis"], int)
