"""Soak: hundreds of events through the stack while workers die, Redis restarts and the database drops.

Prints the figures that docs/reliability.md reports (events sent, accepted, analysed, written back, lost).
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.integration.stack import wait_until
from tests.webhook_sender import history

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CANDIDATES = 150
UPDATES_PER_CANDIDATE = 3  # created + 2 updates with new likes


def _events() -> list[tuple[str, dict, datetime]]:
    start = datetime.now(UTC) - timedelta(hours=1)
    likes = [["legal research", "drafting memos"], ["scheduling closings", "legal research"],
             ["training new clerks", "drafting memos"]]
    events = []
    for round_ in range(UPDATES_PER_CANDIDATE):
        for n in range(CANDIDATES):
            kind = "candidate.created" if round_ == 0 else "candidate.updated"
            data = history(f"soak-{n}", likes[round_], likes[round_][::-1])
            events.append((kind, data, start + timedelta(seconds=round_ * 1000 + n)))
    return events


def _inject(stack, step: int, total: int, state: dict) -> None:
    """The faults, at fixed points of the run."""
    if step == total // 5:
        victim = wait_until(lambda: [w for w in stack.workers if w.poll() is None], timeout=5)[0]
        os.killpg(victim.pid, signal.SIGKILL)  # a whole worker, pool and all
        state["faults"].append("worker SIGKILL")
        stack.start_worker()
    if step == 2 * total // 5:
        stack.redis.stop()
        state["faults"].append("redis stopped")
    if step == 2 * total // 5 + 15:
        stack.redis.start()
        state["faults"].append("redis restarted")
    if step == 3 * total // 5:
        stack.db_link.cut()
        threading.Timer(3.0, stack.db_link.restore).start()
        state["faults"].append("database link cut for 3 s")


def test_soak_with_faults(stack):
    stack.receiver.fail_every = 20  # the CRM fails one write-back in twenty
    stack.start_worker()
    stack.start_worker()
    events = _events()
    state: dict = {"faults": []}
    accepted = 0
    started = time.monotonic()
    for step, (kind, data, at) in enumerate(events):
        _inject(stack, step, len(events), state)
        response = stack.crm.send_until_accepted(kind, data, at=at)
        accepted += response.status_code in (200, 202)
    ids = [f"soak-{n}" for n in range(CANDIDATES)]
    wait_until(lambda: _final_state(stack)["delivered"] == CANDIDATES, timeout=300,
               what="every candidate analysed and written back")
    final = _final_state(stack)
    figures = {"events_sent": len(events), "accepted": accepted, "candidates": CANDIDATES,
               "analysed_at_latest_version": final["analysed"],
               "written_back_at_latest_version": final["delivered"],
               "write_back_calls": stack.receiver.calls,
               "lost": CANDIDATES - final["delivered"], "faults": state["faults"],
               "seconds": round(time.monotonic() - started, 1)}
    print("\nSOAK " + json.dumps(figures))
    assert figures["accepted"] == len(events)
    assert figures["lost"] == 0
    stack.assert_each_written_back_once(ids)


def _final_state(stack) -> dict[str, int]:
    row = stack.sql(
        "SELECT count(*) FILTER (WHERE c.status = 'analyzed') AS analysed, "
        "count(*) FILTER (WHERE a.delivery_status = 'delivered') AS delivered "
        "FROM candidates c LEFT JOIN analyses a ON a.candidate_id = c.id "
        "AND a.history_version = c.history_version")[0]
    return {"analysed": row.analysed, "delivered": row.delivered}
