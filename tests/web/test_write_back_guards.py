"""Write-backs against slow, hostile or changing CRMs: a hard deadline, no redirects, a capped answer, a
retry limit counted in the database, one write-back in flight per CRM, nothing sent for a disabled
connection, every active secret signing during a rotation."""

from __future__ import annotations

import contextlib
import time
from datetime import timedelta

import pytest
from celery.exceptions import Reject

from plugin.extensions import db
from plugin.storage.connections import create_connection, rotate_secret, set_enabled
from plugin.storage.models import Analysis, Candidate, Connection, utcnow
from tests.attacks.hostile_crm import dripping_crm, huge_answer_crm, redirecting_crm
from tests.crm_fake import callback_server
from tests.webhook_sender import event, history, signed_delivery
from workers import pipeline, sweeper, tasks


def _analysed(app, issued, external_id: str = "c-1") -> int:
    """Receive a candidate over the webhook and store its analysis; the analysis id."""
    body, headers = signed_delivery(issued.secret, event("candidate.created",
                                                        history(external_id, ["legal research"])))
    assert app.test_client().post(f"/webhooks/{issued.id}", data=body, headers=headers).status_code == 202
    with app.app_context():
        candidate = db.session.query(Candidate).filter_by(connection_id=issued.id,
                                                          external_id=external_id).one()
        analysis_id = pipeline.analyze(candidate.id, 1)
    assert analysis_id is not None
    return analysis_id


def _state(app, analysis_id: int) -> Analysis:
    with app.app_context():
        row = db.session.get(Analysis, analysis_id)
        db.session.expunge(row)
        return row


def _connection_to(app, url: str):  # type: ignore[no-untyped-def]
    with app.app_context():
        return create_connection(provider="standard", name="Hostile CRM", callback_url=url)


def test_a_dripping_callback_is_cut_at_the_deadline_and_counted_as_an_attempt(app):
    """One byte every 0.3 s passes any per-read timeout; only the total deadline ends the call."""
    app.config["WRITEBACK_TIMEOUT_SECONDS"] = 1.0
    with dripping_crm(every=0.3, for_seconds=30) as crm:
        analysis_id = _analysed(app, _connection_to(app, crm.url))
        started = time.monotonic()
        with app.app_context():
            tasks.deliver_analysis.run(analysis_id)  # schedules its retry and frees the worker
        elapsed = time.monotonic() - started
    row = _state(app, analysis_id)
    assert (row.delivery_status, row.delivery_attempts) == ("pending", 1)
    assert "deadline" in (row.last_error or "") and row.retry_at is not None
    assert elapsed < 15, f"the call lasted {elapsed:.0f} s of the CRM's 30 s drip"  # generous


def test_a_slow_crm_holds_one_worker_at_most(app, callback_connection):
    """While one write-back to a CRM is in flight, the next one to it waits unsent and frees its worker;
    another CRM's write-back goes out at once."""
    receiver, issued = callback_connection
    in_flight, waiting = _analysed(app, issued, "c-1"), _analysed(app, issued, "c-2")
    with callback_server() as (other_receiver, other_url):
        other = _connection_to(app, other_url)
        other_receiver.secret = other.secret
        elsewhere = _analysed(app, other, "o-1")
        with app.app_context():
            db.session.get(Analysis, in_flight).lease_until = utcnow() + timedelta(seconds=60)
            db.session.commit()
            tasks.deliver_analysis.run(waiting)
            tasks.deliver_analysis.run(elsewhere)
    row = _state(app, waiting)
    assert (row.delivery_status, row.delivery_attempts, receiver.calls) == ("pending", 0, 0)
    assert row.retry_at is not None  # the sweeper leaves it to its scheduled try
    assert _state(app, elsewhere).delivery_status == "delivered"
    assert len(other_receiver.deliveries) == 1


def receiver_url(issued, app) -> str:  # type: ignore[no-untyped-def]
    """The callback URL of a connection's fake CRM."""
    with app.app_context():
        return db.session.get(Connection, issued.id).callback_url


@pytest.mark.parametrize("status", [307, 308, 302])
def test_a_redirect_is_never_followed(app, callback_connection, status):
    """The worker would otherwise POST the signed body wherever the CRM points (an internal port)."""
    receiver, issued = callback_connection
    internal = receiver_url(issued, app)
    with redirecting_crm(internal, status=status) as crm:
        analysis_id = _analysed(app, _connection_to(app, crm.url))
        with app.app_context(), pytest.raises(Reject):
            tasks.deliver_analysis.run(analysis_id)
    assert receiver.calls == 0 and crm.requests == 1
    row = _state(app, analysis_id)
    assert row.delivery_status == "dead" and f"refused with {status}" in (row.last_error or "")


def test_a_redirect_loop_costs_one_request(app):
    with redirecting_crm("") as crm:  # points at itself
        analysis_id = _analysed(app, _connection_to(app, crm.url))
        with app.app_context(), pytest.raises(Reject):
            tasks.deliver_analysis.run(analysis_id)
    assert crm.requests == 1


def test_a_huge_answer_is_not_read(app):
    size = 200 * 1024 * 1024
    with huge_answer_crm(size=size) as crm:
        analysis_id = _analysed(app, _connection_to(app, crm.url))
        with app.app_context():
            tasks.deliver_analysis.run(analysis_id)
        time.sleep(0.5)  # let the server notice the closed connection
        sent = crm.bytes_sent
    assert _state(app, analysis_id).delivery_status == "delivered"
    print(f"huge answer: {sent} of {size} bytes left the server")
    assert sent < 32 * 1024 * 1024, f"{sent} bytes of a {size}-byte answer were taken"  # socket buffers


def test_the_retry_limit_holds_whatever_starts_the_tasks(app, callback_connection):
    """Each run below is a new chain (retry count 0), as a sweep or a redelivery starts one: the limit
    is the attempts counted in the database."""
    receiver, issued = callback_connection
    receiver.scripted += [(500, {})] * 20
    analysis_id = _analysed(app, issued)
    with app.app_context():
        for _ in range(12):
            with contextlib.suppress(Reject):  # the dead-lettering run rejects its task
                tasks.deliver_analysis.run(analysis_id)
            db.session.execute(db.update(Analysis).values(retry_at=None))  # the retry is due now
            db.session.commit()
    row = _state(app, analysis_id)
    assert (row.delivery_status, row.delivery_attempts, receiver.calls) == ("dead", 9, 9)


def test_the_sweeper_leaves_a_write_back_to_its_scheduled_retry(app, callback_connection):
    receiver, issued = callback_connection
    receiver.scripted.append((503, {}))
    analysis_id = _analysed(app, issued)
    with app.app_context():
        tasks.deliver_analysis.run(analysis_id)
        assert sweeper.deliveries_to_requeue(timedelta(0)) == []
        db.session.execute(db.update(Analysis).values(retry_at=utcnow() - timedelta(hours=1),
                                                      created_at=utcnow() - timedelta(hours=2)))
        db.session.commit()
        assert sweeper.deliveries_to_requeue(timedelta(minutes=5)) == [analysis_id]  # lost: requeued


def test_a_disabled_connection_writes_nothing_back(app, callback_connection):
    receiver, issued = callback_connection
    analysis_id = _analysed(app, issued)
    with app.app_context():
        set_enabled(db.session.get(Connection, issued.id), False)
        pipeline.deliver(analysis_id)
    assert receiver.calls == 0
    row = _state(app, analysis_id)
    assert (row.delivery_status, row.last_error) == ("dead", "connection disabled")


def test_during_a_rotation_write_backs_verify_with_the_previous_secret_and_the_new(app,
                                                                                   callback_connection):
    receiver, issued = callback_connection  # the CRM still holds the previous secret
    first = _analysed(app, issued, "c-1")
    with app.app_context():
        new_secret = rotate_secret(db.session.get(Connection, issued.id))
        tasks.deliver_analysis.run(first)
    receiver.secret = new_secret  # the CRM switches over
    second = _analysed(app, issued, "c-2")
    with app.app_context():
        tasks.deliver_analysis.run(second)
    assert receiver.rejected == 0 and len(receiver.deliveries) == 2
