"""Faults made to happen for real; each test asserts every accepted event analysed and written back once.

Signed webhook deliveries are resent with their original delivery id after a 5xx or a refused
connection, as every CRM documents; a 2xx is never resent.
"""

from __future__ import annotations

import concurrent.futures
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.integration.stack import wait_until
from tests.webhook_sender import event, history, signed_delivery

pytestmark = pytest.mark.integration


def _histories(count: int, prefix: str) -> list[dict]:
    return [history(f"{prefix}-{n}", ["legal research", "drafting memos"], ["legal research"],
                    dislikes=["answering phones"]) for n in range(count)]


def _all_delivered(stack, ids: list[str]) -> bool:
    rows = stack.sql("SELECT count(*) AS n FROM analyses a JOIN candidates c ON a.candidate_id = c.id "
                     "WHERE a.delivery_status = 'delivered' AND a.history_version = c.history_version")
    return rows[0].n == len(ids)


def test_worker_pool_child_killed_mid_analysis(stack):
    worker = stack.start_worker(slow_seconds=3)
    assert stack.crm.send("candidate.created", _histories(1, "kill")[0]).status_code == 202
    child = stack.analysing_pid()
    assert child != worker.pid
    os.kill(child, signal.SIGKILL)
    wait_until(lambda: _all_delivered(stack, ["kill-0"]), timeout=60, what="redelivery after SIGKILL")
    stack.assert_each_written_back_once(["kill-0"])


def test_whole_worker_killed_then_replaced(stack):
    worker = stack.start_worker(slow_seconds=3)
    assert stack.crm.send("candidate.created", _histories(1, "gone")[0]).status_code == 202
    stack.analysing_pid()
    os.killpg(worker.pid, signal.SIGKILL)  # main process and pool: nothing acknowledges the task
    worker.wait()
    stack.start_worker()
    wait_until(lambda: _all_delivered(stack, ["gone-0"]), timeout=90,
               what="visibility-timeout redelivery or the sweeper")
    stack.assert_each_written_back_once(["gone-0"])


def test_redis_stopped_and_restarted_while_webhooks_arrive(stack):
    stack.start_worker()
    candidates = _histories(24, "redis")
    statuses = []
    for n, data in enumerate(candidates):
        if n == 8:
            stack.redis.stop()
        if n == 16:
            stack.redis.start()
        statuses.append(stack.crm.send_until_accepted("candidate.created", data).status_code)
    assert statuses == [202] * len(candidates)
    ids = [c["candidate_id"] for c in candidates]
    wait_until(lambda: _all_delivered(stack, ids), timeout=120, what="every accepted event analysed")
    stack.assert_each_written_back_once(ids)


def test_database_unavailable_answers_503_and_loses_nothing(stack):
    stack.start_worker()
    first = _histories(3, "db-before")
    for data in first:
        assert stack.crm.send("candidate.created", data).status_code == 202
    stack.db_link.cut()
    refused = stack.crm.send("candidate.created", _histories(1, "db-during")[0])
    assert refused.status_code == 503
    assert refused.json()["message"] == "Database unavailable; retry later."
    later = _histories(3, "db-after")
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        pending = [pool.submit(stack.crm.send_until_accepted, "candidate.created", d) for d in later]
        time.sleep(3)
        stack.db_link.restore()
        assert [f.result().status_code for f in pending] == [202, 202, 202]
    ids = [c["candidate_id"] for c in first + later]
    assert stack.crm.send_until_accepted(
        "candidate.created", _histories(1, "db-during")[0]).status_code == 202
    ids.append("db-during-0")
    wait_until(lambda: _all_delivered(stack, ids), timeout=120, what="analyses after the outage")
    stack.assert_each_written_back_once(ids)


def test_crm_write_back_failures_retry_then_deliver_once(stack):
    stack.receiver.scripted += [(500, {}), (429, {"Retry-After": "1"}), (503, {})]
    stack.start_worker()
    assert stack.crm.send("candidate.created", _histories(1, "crm")[0]).status_code == 202
    wait_until(lambda: _all_delivered(stack, ["crm-0"]), timeout=90, what="delivery after retries")
    stack.assert_each_written_back_once(["crm-0"])
    attempts = stack.sql("SELECT delivery_attempts FROM analyses")[0].delivery_attempts
    assert attempts == 4


def test_refused_write_back_is_dead_lettered_then_replayed(stack):
    stack.receiver.scripted.append((400, {}))
    stack.start_worker()
    assert stack.crm.send("candidate.created", _histories(1, "dead")[0]).status_code == 202

    def delivery_status() -> str | None:
        detail = stack.crm.detail("dead-0").json().get("latest_analysis")
        return detail and detail["delivery_status"]

    wait_until(lambda: delivery_status() == "dead", timeout=60, what="the dead-letter state")
    subprocess.run([sys.executable, "-m", "workers.cli", "replay"], env=stack.env, check=True,
                   capture_output=True, timeout=60)
    wait_until(lambda: delivery_status() == "delivered", timeout=60, what="the replayed delivery")
    stack.assert_each_written_back_once(["dead-0"])


def test_the_same_delivery_ten_times_at_once(stack):
    stack.start_worker()
    body, headers = signed_delivery(stack.crm.connection["secret"],
                                    event("candidate.created", _histories(1, "dup")[0]))
    with concurrent.futures.ThreadPoolExecutor(10) as pool:
        statuses = sorted(r.status_code for r in pool.map(lambda _: stack.crm.post(body, headers),
                                                         range(10)))
    assert statuses == [200] * 9 + [202]
    wait_until(lambda: _all_delivered(stack, ["dup-0"]), timeout=60, what="the one analysis")
    assert stack.sql("SELECT count(*) AS n FROM analyses")[0].n == 1
    stack.assert_each_written_back_once(["dup-0"])


def test_out_of_order_updates_never_overwrite_the_newer(stack):
    stack.start_worker()
    start = datetime.now(UTC) - timedelta(minutes=1)
    older = history("order-0", ["legal research"], ["legal research"])
    newer = history("order-0", ["drafting memos"], ["writing reports"])
    assert stack.crm.send("candidate.updated", newer, at=start + timedelta(seconds=2)).status_code == 202
    late = stack.crm.send("candidate.updated", older, at=start + timedelta(seconds=1))
    assert late.json()["status"] == "stale"
    wait_until(lambda: _all_delivered(stack, ["order-0"]), timeout=60, what="the newer analysis")
    assert stack.crm.ids_with(theme="writing") == ["order-0"]
    assert stack.crm.ids_with(theme="research") == []
    stack.assert_each_written_back_once(["order-0"])


def test_a_burst_of_updates_for_one_candidate_coalesces(stack):
    stack.start_worker()
    start = datetime.now(UTC) - timedelta(hours=1)
    bursts = 1000
    for n in range(bursts):
        data = history("burst-0", [f"legal research, draft {n}"], ["legal research"])
        response = stack.crm.send("candidate.updated", data, at=start + timedelta(seconds=n))
        assert response.status_code == 202
    final_version = stack.sql("SELECT history_version FROM candidates")[0].history_version
    assert final_version == bursts
    wait_until(lambda: _all_delivered(stack, ["burst-0"]), timeout=120, what="the latest analysis")
    analyses = stack.sql("SELECT count(*) AS n FROM analyses")[0].n
    assert analyses < bursts / 2, f"{analyses} analyses for {bursts} updates: not coalesced"
    stack.assert_each_written_back_once(["burst-0"])
