"""No transaction of ours is open while the worker waits on a CRM or runs the engine: on SQLite it would
hold the write lock against every tenant, on PostgreSQL pin a connection "idle in transaction".

Each probe runs from another connection at the moment the slow step is under way (inside the CRM's
handler, inside the engine call), so the answer does not depend on timing.
"""

from __future__ import annotations

from plugin.extensions import db
from plugin.storage.connections import create_connection
from plugin.storage.models import Analysis, Candidate
from tests.attacks.probes import transaction_held
from tests.webhook_sender import event, history, signed_delivery
from workers import pipeline


def _receive(client, issued, data) -> None:
    body, headers = signed_delivery(issued.secret, event("candidate.created", data))
    assert client.post(f"/webhooks/{issued.id}", data=body, headers=headers).status_code == 202


def _other_tenant_answers(app, other) -> dict[str, int]:
    """Another connection's webhook and API, as its CRM and recruiters use them meanwhile."""
    client = app.test_client()
    body, headers = signed_delivery(other.secret, event("candidate.created",
                                                        history("o-1", ["drafting memos"])))
    webhook = client.post(f"/webhooks/{other.id}", data=body, headers=headers).status_code
    api = client.get("/api/candidates", headers={"Authorization": f"Bearer {other.token}"}).status_code
    return {"webhook": webhook, "api": api}


def test_no_transaction_is_open_during_the_write_back_call(app, client, callback_connection,
                                                           database_url):
    receiver, issued = callback_connection
    with app.app_context():
        other = create_connection(provider="standard", name="Other CRM")
    seen: dict[str, object] = {}

    def while_the_worker_waits() -> None:
        seen["transaction held"] = transaction_held(database_url)
        seen.update(_other_tenant_answers(app, other))

    receiver.on_call = while_the_worker_waits
    _receive(client, issued, history("c-1", ["legal research"]))
    with app.app_context():
        candidate_id = db.session.query(Candidate).filter_by(external_id="c-1").one().id
        analysis_id = pipeline.analyze(candidate_id, 1)
        pipeline.deliver(analysis_id)
        assert db.session.get(Analysis, analysis_id).delivery_status == "delivered"
    assert seen == {"transaction held": False, "webhook": 202, "api": 200}
    assert len(receiver.deliveries) == 1


def test_no_transaction_is_open_while_the_engine_runs(app, client, connection, database_url,
                                                      monkeypatch):
    seen: dict[str, bool] = {}
    engine = pipeline.analyze_history

    def watched(candidate_history):  # type: ignore[no-untyped-def]
        seen["transaction held"] = transaction_held(database_url)
        return engine(candidate_history)

    monkeypatch.setattr(pipeline, "analyze_history", watched)
    _receive(client, connection, history("c-1", ["legal research"]))
    with app.app_context():
        candidate_id = db.session.query(Candidate).one().id
        assert pipeline.analyze(candidate_id, 1) is not None
        assert db.session.get(Candidate, candidate_id).status == "analyzed"
    assert seen == {"transaction held": False}


def test_a_history_changed_during_the_engine_run_is_not_published(app, client, connection, monkeypatch):
    """The engine runs outside a transaction, so the version is checked again when the result is stored."""
    engine = pipeline.analyze_history

    def meanwhile_an_update_arrives(candidate_history):  # type: ignore[no-untyped-def]
        _receive_update(app, connection)
        return engine(candidate_history)

    monkeypatch.setattr(pipeline, "analyze_history", meanwhile_an_update_arrives)
    _receive(client, connection, history("c-1", ["legal research"]))
    with app.app_context():
        candidate_id = db.session.query(Candidate).one().id
        assert pipeline.analyze(candidate_id, 1) is None
        assert db.session.query(Analysis).count() == 0
        assert db.session.get(Candidate, candidate_id).history_version == 2


def _receive_update(app, issued) -> None:
    body, headers = signed_delivery(issued.secret, event("candidate.updated",
                                                        history("c-1", ["drafting memos"])))
    assert app.test_client().post(f"/webhooks/{issued.id}", data=body,
                                  headers=headers).status_code == 202


def test_no_transaction_is_open_while_the_sweeper_talks_to_the_broker(app, client, connection,
                                                                     database_url, monkeypatch):
    """A publish retries for about a second when the broker is down: not with the database held."""
    from datetime import timedelta

    from workers import tasks

    seen: list[bool] = []
    publish = tasks.enqueue_analysis

    def watched(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(transaction_held(database_url))
        return publish(*args, **kwargs)

    monkeypatch.setattr(tasks, "enqueue_analysis", watched)
    _receive(client, connection, history("c-1", ["legal research"]))
    with app.app_context():
        db.session.query(Candidate).one().queued_at = None  # waiting, as if its task was lost
        db.session.commit()
        monkeypatch.setattr(tasks.sweeper, "grace_period", lambda: timedelta(0))
        tasks.sweep.run()
    assert seen == [False]
