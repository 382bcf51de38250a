"""GET /metrics: counters move with webhook answers, gauges follow the database and the broker."""

from __future__ import annotations

import os
import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from plugin import create_app
from plugin.cli import gunicorn_conf
from plugin.cli.services import _web_argv, _web_env
from plugin.extensions import db
from plugin.storage.models import Analysis, Candidate
from tests.conftest import queued_tasks
from tests.integration.stack import base_env, free_port, passion, processes, wait_until
from tests.webhook_sender import event, history, signed_delivery
from workers import pipeline

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(client, **headers: str) -> Samples:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/plain"
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.get_data(as_text=True))
            for sample in family.samples}


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples[(name, tuple(sorted(labels.items())))]


def delivered(samples: Samples, outcome: str, status: int) -> float:
    return value(samples, "passion_webhook_deliveries_total", outcome=outcome, status=str(status))


def send(client, issued, payload, **kwargs):
    body, headers = signed_delivery(issued.secret, payload, **kwargs)
    return client.post(f"/webhooks/{issued.id}", data=body, headers=headers)


def test_each_webhook_answer_counts_once_under_its_outcome(client, connection):
    before = scrape(client)
    now = datetime.now(UTC)
    created = event("candidate.created", history("c-1", ["research"]), at=now)
    assert send(client, connection, created, msg_id="msg_1").status_code == 202
    assert send(client, connection, created, msg_id="msg_1").status_code == 200
    older = event("candidate.updated", history("c-1", ["writing"]), at=now - timedelta(hours=1))
    assert send(client, connection, older).status_code == 202  # stale
    body, headers = signed_delivery(connection.secret, created)
    headers["webhook-signature"] = "v1,AAAA"
    assert client.post(f"/webhooks/{connection.id}", data=body, headers=headers).status_code == 401
    assert client.post("/webhooks/con_unknown", data=body, headers=headers).status_code == 404
    assert send(client, connection, {"type": "candidate.created"}).status_code == 422
    after = scrape(client)
    expected = {("accepted", 202): 1, ("duplicate", 200): 1, ("stale", 202): 1, ("refused", 401): 1,
                ("refused", 404): 1, ("refused", 422): 1, ("refused", 400): 0, ("refused", 503): 0}
    for (outcome, status), change in expected.items():
        assert delivered(after, outcome, status) - delivered(before, outcome, status) == change


def test_api_requests_count_by_status_class(client, connection):
    before = scrape(client)
    assert client.get("/api/themes").status_code == 401
    token = {"Authorization": f"Bearer {connection.token}"}
    assert client.get("/api/themes", headers=token).status_code == 200
    assert client.get("/api/candidates/nobody", headers=token).status_code == 404
    after = scrape(client)
    for status_class, change in (("2xx", 1), ("4xx", 2), ("5xx", 0)):
        name = "passion_api_requests_total"
        assert value(after, name, status_class=status_class) - value(
            before, name, status_class=status_class) == change


def test_database_gauges_follow_the_work_whoever_did_it(app, client, connection, redis_client):
    empty = scrape(client)
    assert value(empty, "passion_database_up") == 1
    assert value(empty, "passion_oldest_waiting_candidate_age_seconds") == 0
    for n in range(3):
        assert send(client, connection, event("candidate.created", history(f"c-{n}", ["research"]))
                    ).status_code == 202
    with app.app_context():  # what a worker would do, straight in the database
        ids = [c.id for c in db.session.query(Candidate).order_by(Candidate.id)]
        db.session.execute(update(Candidate).where(Candidate.id == ids[0])
                           .values(queued_at=datetime.now(UTC) - timedelta(minutes=10)))
        db.session.execute(update(Candidate).where(Candidate.id == ids[1]).values(status="failed"))
        db.session.commit()
        analysis_id = pipeline.analyze(ids[2], 1)
        db.session.execute(update(Analysis).where(Analysis.id == analysis_id)
                           .values(delivery_status="dead"))
        db.session.commit()
    samples = scrape(client)
    for status, count in {"queued": 1, "analyzed": 1, "failed": 1, "enqueue_failed": 0}.items():
        assert value(samples, "passion_candidates", status=status) == count
    for status, count in {"pending": 0, "delivered": 0, "superseded": 0, "dead": 1}.items():
        assert value(samples, "passion_analyses", delivery_status=status) == count
    assert value(samples, "passion_writebacks_dead_lettered") == 1
    assert 600 <= value(samples, "passion_oldest_waiting_candidate_age_seconds") < 700
    assert value(samples, "passion_broker_up") == 1
    assert value(samples, "passion_broker_queue_length") == len(queued_tasks(redis_client)) == 3
    assert value(samples, "passion_broker_backfill_queue_length") == 0
    redis_client.rpush("passion.backfill", b"{}", b"{}")
    assert value(scrape(client), "passion_broker_backfill_queue_length") == 2


def test_output_names_no_candidate_connection_or_delivery(client, connection):
    payload = event("candidate.created", history("cand-secret-7731", ["research"]))
    assert send(client, connection, payload, msg_id="msg_delivery_5521").status_code == 202
    text = client.get("/metrics").get_data(as_text=True)
    for identifier in (connection.id, "cand-secret-7731", "msg_delivery_5521", "Test CRM"):
        assert identifier not in text


def test_token_when_configured_is_required(app, client):
    app.config["METRICS_TOKEN"] = "metrics-token-1"
    for authorization in (None, "Bearer wrong", "Bearer metrics-token-1x", "Basic metrics-token-1",
                          "Bearer m\u00e9trics"):
        headers = {"Authorization": authorization} if authorization else {}
        response = client.get("/metrics", headers=headers)
        assert response.status_code == 401, authorization
        assert response.headers["WWW-Authenticate"] == "Bearer"
        assert response.json["code"] == 401
    assert scrape(client, Authorization="Bearer metrics-token-1")


def test_no_token_configured_serves_without_one(client):
    assert value(scrape(client), "passion_database_up") == 1


def _other_app(tmp_path, **config):
    """An app on the same machinery with one setting pointed somewhere that does not answer."""
    return create_app({"TESTING": True, "DATA_DIR": str(tmp_path / "other"), "SECRET_KEY": "k",
                       **config})


def test_a_closed_broker_port_answers_quickly_with_broker_down(app, tmp_path):
    other = _other_app(tmp_path, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                       BROKER_URL=f"redis://127.0.0.1:{free_port()}/0")
    started = time.monotonic()
    samples = scrape(other.test_client())
    assert time.monotonic() - started < 5
    assert value(samples, "passion_broker_up") == 0
    assert not any(name == "passion_broker_queue_length" for name, _ in samples)
    assert value(samples, "passion_database_up") == 1
    with other.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("url", ["postgresql+psycopg://nobody@127.0.0.1:{port}/nothing",
                                 "sqlite:///{tmp}/missing/dir/passion.db"])
def test_a_database_that_does_not_answer_is_database_down_not_500(tmp_path, redis_url, url):
    other = _other_app(tmp_path, BROKER_URL=redis_url,
                       SQLALCHEMY_DATABASE_URI=url.format(port=free_port(), tmp=tmp_path))
    samples = scrape(other.test_client())
    assert value(samples, "passion_database_up") == 0
    assert not any(name == "passion_candidates" for name, _ in samples)
    assert value(samples, "passion_broker_up") == 1
    assert delivered(samples, "refused", 401) >= 0  # the web process's counters are still served


def test_gunicorn_start_empties_only_the_metrics_files(tmp_path, monkeypatch):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "multiproc"))
    gunicorn_conf.on_starting(None)  # creates it
    (tmp_path / "multiproc" / "counter_4242.db").write_bytes(b"old run")
    (tmp_path / "multiproc" / "keep.txt").write_text("not ours")
    gunicorn_conf.on_starting(None)
    assert sorted(p.name for p in (tmp_path / "multiproc").iterdir()) == ["keep.txt"]


@pytest.mark.integration
def test_gunicorn_workers_counts_are_summed_and_outlive_the_worker(tmp_path, redis_url):
    """`passion serve`'s gunicorn: every worker that counted is replaced, and the scrape still sums it."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = base_env(tmp_path, BROKER_URL=redis_url, SECRET_KEY="mp-secret", PUBLIC_URL=base_url)
    passion(env, "db-upgrade")
    with processes([_web_argv("127.0.0.1", port, 2)], _web_env(env), tmp_path, base_url) as (master,):
        for _ in range(7):
            assert requests.post(f"{base_url}/webhooks/con_unknown", timeout=5).status_code == 404
        counted_by = _children(master.pid)
        for pid in counted_by:
            os.kill(pid, signal.SIGTERM)
        wait_until(lambda: len(_children(master.pid) - counted_by) == 2, what="replacement workers")
        wait_until(lambda: requests.get(f"{base_url}/healthz", timeout=5).ok, what="healthz")
        for _ in range(4):  # whichever new worker answers, it counted none of them itself
            text = requests.get(f"{base_url}/metrics", timeout=5).text
            samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
                       for family in text_string_to_metric_families(text) for s in family.samples}
            assert delivered(samples, "refused", 404) == 7
    assert (tmp_path / "data" / "prometheus-multiproc").is_dir()


def _children(pid: int) -> set[int]:
    return {int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}
