"""The worker's steps called directly: stale versions, one analysis per version, write-back outcomes."""

from __future__ import annotations

import pytest

from plugin.extensions import db
from plugin.receiving.connectors import WriteBackError
from plugin.storage.models import Analysis, Candidate
from tests.webhook_sender import event, history, signed_delivery
from workers import pipeline


@pytest.fixture
def receiver_and_connection(callback_connection):
    return callback_connection


def _receive(client, issued, data, event_type="candidate.created") -> None:
    body, headers = signed_delivery(issued.secret, event(event_type, data))
    assert client.post(f"/webhooks/{issued.id}", data=body, headers=headers).status_code == 202


def _candidate() -> Candidate:
    return db.session.query(Candidate).one()


def test_stale_version_is_skipped(app, client, receiver_and_connection):
    _, issued = receiver_and_connection
    _receive(client, issued, history("c-1", ["legal research"]))
    _receive(client, issued, history("c-1", ["drafting memos"]), "candidate.updated")
    with app.app_context():
        assert pipeline.analyze(_candidate().id, 1) is None
        assert db.session.query(Analysis).count() == 0
        assert pipeline.analyze(_candidate().id, 2) is not None


def test_write_back_sends_signed_fields_once(app, client, receiver_and_connection):
    receiver, issued = receiver_and_connection
    _receive(client, issued, history("c-1", ["legal research"], ["doing research"]))
    with app.app_context():
        analysis_id = pipeline.analyze(_candidate().id, 1)
        pipeline.deliver(analysis_id)
        pipeline.deliver(analysis_id)  # a redelivered task
        assert db.session.get(Analysis, analysis_id).delivery_status == "delivered"
    assert len(receiver.deliveries) == 1
    data = receiver.deliveries[0]["payload"]["data"]
    assert data["candidate_id"] == "c-1" and data["history_version"] == 1
    assert receiver.deliveries[0]["id"] == f"msg_analysis_{analysis_id}"


def test_an_older_analysis_is_never_written_back(app, client, receiver_and_connection):
    receiver, issued = receiver_and_connection
    _receive(client, issued, history("c-1", ["legal research"]))
    with app.app_context():
        old = pipeline.analyze(_candidate().id, 1)
    _receive(client, issued, history("c-1", ["drafting memos"]), "candidate.updated")
    with app.app_context():
        pipeline.deliver(old)
        assert db.session.get(Analysis, old).delivery_status == "superseded"
    assert receiver.deliveries == []


@pytest.mark.parametrize(("status", "headers", "retryable", "retry_after"), [
    (500, {}, True, None), (429, {"Retry-After": "7"}, True, 7.0), (400, {}, False, None)])
def test_crm_failures_raise_for_the_task_policy(app, client, receiver_and_connection, status,
                                                headers, retryable, retry_after):
    receiver, issued = receiver_and_connection
    receiver.scripted.append((status, headers))
    _receive(client, issued, history("c-1", ["legal research"]))
    with app.app_context():
        analysis_id = pipeline.analyze(_candidate().id, 1)
        with pytest.raises(WriteBackError) as caught:
            pipeline.deliver(analysis_id)
        analysis = db.session.get(Analysis, analysis_id)
        assert (analysis.delivery_status, analysis.delivery_attempts) == ("pending", 1)
    assert (caught.value.retryable, caught.value.retry_after) == (retryable, retry_after)


def test_backoff_grows_and_honours_retry_after():
    assert pipeline.backoff_seconds(0, 30.0, longest=480) >= 30.0
    assert 1.0 <= pipeline.backoff_seconds(0, None, longest=480) <= 2.0
    assert 128.0 <= pipeline.backoff_seconds(7, None, longest=480) <= 256.0
    assert 240.0 <= pipeline.backoff_seconds(20, None, longest=480) <= 480.0


def test_backoff_never_outlasts_the_visibility_timeout():
    """A countdown past it would have Redis hand the retry to a second worker."""
    assert pipeline.backoff_seconds(0, 3600.0, longest=480) == 480.0


def test_an_engine_error_marks_the_candidate_failed(app, client, receiver_and_connection,
                                                    monkeypatch):
    from workers import tasks

    _, issued = receiver_and_connection
    _receive(client, issued, history("c-1", ["legal research"]))

    def broken(_history):
        raise ValueError("engine bug")

    monkeypatch.setattr(pipeline, "analyze_history", broken)
    with app.app_context():
        candidate_id = _candidate().id
        with pytest.raises(ValueError):
            tasks.analyze_candidate.run(candidate_id, 1)
        assert _candidate().status == "failed"
        from datetime import timedelta

        from workers.sweeper import candidates_to_requeue

        assert candidates_to_requeue(timedelta(0)) == []


@pytest.mark.parametrize(("model_name", "age_field", "event_type"), [
    ("WebhookEvent", "received_at", "candidate.created"),  # delivery ids
    ("CandidateErasure", "recorded_at", "candidate.deleted"),
])
def test_the_sweep_forgets_only_records_past_retention(app, client, receiver_and_connection, model_name,
                                                       age_field, event_type):
    from datetime import timedelta

    from plugin.storage import models
    from workers import tasks

    model = getattr(models, model_name)
    _, issued = receiver_and_connection
    for external_id in ("c-1", "c-2"):
        data = (history(external_id, ["legal research"]) if event_type == "candidate.created"
                else {"candidate_id": external_id})
        _receive(client, issued, data, event_type)
    with app.app_context():
        old = db.session.query(model).filter_by(external_id="c-1").one()
        setattr(old, age_field, models.utcnow() - timedelta(days=31))
        db.session.commit()
        tasks.sweep.run()
        assert [row.external_id for row in db.session.query(model)] == ["c-2"]


def test_a_reanalysis_by_the_same_engine_settles_the_candidate(app, client, receiver_and_connection):
    """Otherwise a candidate put back to "queued" is swept and queued again forever."""
    from datetime import timedelta

    from workers.sweeper import candidates_to_requeue

    _, issued = receiver_and_connection
    _receive(client, issued, history("c-1", ["legal research"]))
    with app.app_context():
        candidate_id = _candidate().id
        first = pipeline.analyze(candidate_id, 1)
        db.session.get(Candidate, candidate_id).status = "queued"
        db.session.commit()
        assert pipeline.analyze(candidate_id, 1) == first
        assert _candidate().status == "analyzed"
        assert candidates_to_requeue(timedelta(0)) == []
        assert db.session.query(Analysis).count() == 1


def test_a_new_engine_version_backfills_the_pool_on_the_low_priority_queue(
        app, client, receiver_and_connection, redis_client, monkeypatch):
    import json

    from workers import tasks

    def waiting(queue: str) -> list[list]:
        return [json.loads(raw)["headers"]["argsrepr"] for raw in redis_client.lrange(queue, 0, -1)]

    _, issued = receiver_and_connection
    for external_id in ("c-1", "c-2"):
        _receive(client, issued, history(external_id, ["legal research"]))
    with app.app_context():
        for candidate in db.session.query(Candidate).order_by(Candidate.id):
            pipeline.analyze(candidate.id, 1)
        redis_client.delete("passion")  # the webhooks' tasks, run in-process above
        tasks.backfill.run()
        assert waiting("passion.backfill") == []  # same engine: nothing to redo
        monkeypatch.setattr(tasks, "analysis_version", lambda: "learned.next+skills.next")
        redis_client.rpush("passion", *[b"{}"] * tasks.BACKFILL_WHEN_LIVE_BELOW)
        tasks.backfill.run()
        assert waiting("passion.backfill") == []  # live work is waiting: the backfill waits too
        redis_client.delete("passion")
        tasks.backfill.run()
        ids = [c.id for c in db.session.query(Candidate).order_by(Candidate.id)]
        assert sorted(waiting("passion.backfill")) == [f"({i}, 1)" for i in ids]
        tasks.backfill.run()  # the batch has not run yet: nothing queued twice
        assert len(waiting("passion.backfill")) == 2 and redis_client.llen("passion") == 0


def test_an_engine_that_fails_on_a_backfilled_history_is_not_retried_forever(
        app, client, receiver_and_connection, monkeypatch):
    from workers import sweeper, tasks

    _, issued = receiver_and_connection
    _receive(client, issued, history("c-1", ["legal research"]))
    with app.app_context():
        candidate_id = _candidate().id
        pipeline.analyze(candidate_id, 1)

        def broken(history):  # type: ignore[no-untyped-def]
            raise ValueError("new engine bug")

        monkeypatch.setattr(pipeline, "analysis_version", lambda: "learned.next+skills.next")
        monkeypatch.setattr(pipeline, "analyze_history", broken)
        assert sweeper.outdated_candidates("learned.next+skills.next", limit=10) == [(candidate_id, 1)]
        with pytest.raises(ValueError):
            tasks.analyze_candidate.run(candidate_id, 1)
        assert _candidate().status == "failed"
        assert sweeper.outdated_candidates("learned.next+skills.next", limit=10) == []


def test_a_delivered_write_back_shows_no_earlier_error(app, client, receiver_and_connection):
    receiver, issued = receiver_and_connection
    _receive(client, issued, history("c-1", ["legal research"]))
    with app.app_context():
        analysis_id = pipeline.analyze(_candidate().id, 1)
        db.session.get(Analysis, analysis_id).last_error = "callback answered 503"
        db.session.commit()
        pipeline.deliver(analysis_id)
        db.session.expire_all()
        analysis = db.session.get(Analysis, analysis_id)
        assert (analysis.delivery_status, analysis.last_error) == ("delivered", None)
        assert analysis.delivered_at is not None
