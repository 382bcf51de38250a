"""The pool page's connection panel says, in words, where the connection stands: the last event, the
write-backs waiting or given up (marked as needing a look), and the last failure's reason."""

from __future__ import annotations

import re

from plugin.extensions import db
from plugin.storage.models import Analysis, Candidate
from tests.browser import sign_in
from tests.conftest import ingest_and_analyze
from tests.webhook_sender import history
from workers import pipeline


def _panel(client) -> str:
    page = client.get("/pool").get_data(as_text=True)
    found = re.search(r'<section class="states connection-status".*?</section>', page, re.S)
    assert found is not None
    return re.sub(r"\s+", " ", found.group(0))


def test_the_panel_follows_events_and_failed_write_backs(app, client, connection):
    sign_in(client, connection.token)
    fresh = _panel(client)
    assert "none received yet" in fresh and "Needs a look" not in fresh
    assert "Last check with the CRM" not in fresh  # the standard connector reads no CRM

    ingest_and_analyze(app, client, connection, history("crm-1", ["legal research"]))
    after_event = _panel(client)
    assert "(1 in the last 24 hours)" in after_event and "0 gave up" in after_event

    with app.app_context():
        analysis_id = db.session.query(Analysis.id).join(Candidate).filter(
            Candidate.external_id == "crm-1").scalar()
        db.session.query(Analysis).filter_by(id=analysis_id).update({"delivery_status": "pending"})
        db.session.commit()
        pipeline.mark_dead(analysis_id, "the CRM refused it: 422")
    failed = _panel(client)
    assert "1 gave up" in failed and "passion replay" in failed
    assert failed.count("Needs a look") == 2  # the write-backs, and the last failure with its reason
    assert "write-back at" in failed and "the CRM refused it: 422" in failed
