"""With no broker reachable: webhooks are still stored and answered 202, the API answers 503."""

from __future__ import annotations

from datetime import timedelta

import pytest

from plugin import create_app
from plugin.extensions import db
from plugin.storage.connections import create_connection
from plugin.storage.migrations_runner import upgrade_database
from plugin.storage.models import Candidate, WebhookEvent
from tests.integration.stack import free_port
from tests.webhook_sender import event, history, signed_delivery
from workers.sweeper import candidates_to_requeue


@pytest.fixture
def brokerless(tmp_path, database_url):
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path / "data"),
                      "SQLALCHEMY_DATABASE_URI": database_url,
                      "BROKER_URL": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens
                      "SECRET_KEY": "k", "PUBLIC_URL": "http://testserver"})
    with app.app_context():
        upgrade_database()
        issued = create_connection(provider="standard", name="CRM")
    yield app, issued
    with app.app_context():
        db.engine.dispose()


def test_webhook_is_stored_and_left_to_the_sweeper(brokerless):
    app, issued = brokerless
    body, headers = signed_delivery(issued.secret, event("candidate.created", history("c-1", ["x"])))
    response = app.test_client().post(f"/webhooks/{issued.id}", data=body, headers=headers)
    assert response.status_code == 202
    assert response.json["analysis_queued"] is False
    with app.app_context():
        assert db.session.query(WebhookEvent).count() == 1
        candidate = db.session.query(Candidate).one()
        assert candidate.status == "enqueue_failed"
        assert candidates_to_requeue(timedelta(0)) == [(candidate.id, 1)]


def test_reanalyze_answers_503(brokerless):
    app, issued = brokerless
    client = app.test_client()
    body, headers = signed_delivery(issued.secret, event("candidate.created", history("c-1", ["x"])))
    client.post(f"/webhooks/{issued.id}", data=body, headers=headers)
    response = client.post("/api/candidates/c-1/reanalyze",
                           headers={"Authorization": f"Bearer {issued.token}"})
    assert response.status_code == 503
    assert response.json["message"] == "Queue unavailable; retry later."
