"""`passion run` supervises its children (issue 13, finding 9): real processes, real signals.

A child killed with SIGKILL is restarted with nothing of it left behind (its Celery pool, a second beat);
the supervisor killed with SIGKILL takes every child with it and frees the port.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.integration.stack import base_env, create_connection, free_port, wait_until
from tests.webhook_sender import event, history, signed_delivery

pytestmark = pytest.mark.integration


def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, session id) of a live process, None once it is gone (zombies count as gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None if fields[0] == "Z" else (int(fields[1]), int(fields[3]))


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except FileNotFoundError:
        return ""


def _all_pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def children(supervisor: int) -> dict[str, int]:
    """The supervisor's children by role: redis, worker, beat, web."""
    found = {}
    for pid in _all_pids():
        stat = _stat(pid)
        if stat is None or stat[0] != supervisor:
            continue
        line = _cmdline(pid)
        role = ("redis" if "redis-server" in line else "web" if "gunicorn" in line else
                "beat" if " beat " in line else "worker" if " worker " in line else None)
        if role:
            found[role] = pid
    return found


def in_sessions(sessions: set[int]) -> list[int]:
    """Every live process in these sessions: a child and all it started."""
    return [pid for pid in _all_pids() if (stat := _stat(pid)) is not None and stat[1] in sessions]


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _analysed(base_url: str, token: str, candidate_id: str) -> bool:
    """Polled: a slow answer is a "not yet" (on SQLite a read can wait for the worker's write lock)."""
    try:
        response = requests.get(f"{base_url}/api/candidates/{candidate_id}", timeout=15,
                                headers={"Authorization": f"Bearer {token}"})
    except requests.RequestException:
        return False
    return response.status_code == 200 and response.json().get("latest_analysis") is not None


@pytest.fixture
def running(tmp_path):
    """`passion run --no-demo` on a free port; yields (process, port, env); kills whatever is left."""
    port = free_port()
    env = base_env(tmp_path, PUBLIC_URL=f"http://127.0.0.1:{port}")
    out = open(tmp_path / "run.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen([sys.executable, "-m", "workers.cli", "run", "--port", str(port),
                                "--no-demo"], env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: set(children(process.pid)) == {"redis", "worker", "beat", "web"}
                   and _healthy(port), timeout=90, what="passion run's four children")
        wait_until(lambda: len(in_sessions({children(process.pid)["worker"]})) >= 3, timeout=60,
                   what="the worker's pool of two")
        yield process, port, env
    finally:
        started = set(children(process.pid).values())
        if process.poll() is None:
            process.terminate()
            process.wait(30)
        for pid in in_sessions(started):
            os.kill(pid, signal.SIGKILL)
        out.close()


def _healthy(port: int) -> bool:
    try:
        return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
    except requests.RequestException:
        return False


def test_the_childrens_logs_go_to_files_and_the_terminal_shows_the_ready_block(running, tmp_path):
    process, port, env = running
    terminal = (tmp_path / "run.log").read_text()
    assert f"Passion Tagger is ready at http://127.0.0.1:{port}" in terminal
    assert "celery@" not in terminal and "Booting worker" not in terminal
    logs = Path(env["PASSION_DATA_DIR"]) / "logs"
    assert "Booting worker" in (logs / "web.log").read_text()
    wait_until(lambda: "celery@" in (logs / "worker.log").read_text(), timeout=30, what="the worker's log")


def test_a_killed_worker_is_restarted_with_nothing_of_it_left_and_work_goes_on(running):
    process, port, env = running
    before = children(process.pid)
    old_session = {before["worker"]}
    old_pool = in_sessions(old_session)
    assert len(old_pool) >= 3, "the worker and its pool"

    os.kill(before["worker"], signal.SIGKILL)

    wait_until(lambda: not in_sessions(old_session), timeout=30, what="the old worker's pool to be gone")
    wait_until(lambda: children(process.pid).get("worker") not in (None, before["worker"]), timeout=30,
               what="a new worker")
    after = children(process.pid)
    assert (after["web"], after["beat"], after["redis"]) == (before["web"], before["beat"], before["redis"])
    beats = [pid for pid in _all_pids() if " beat " in _cmdline(pid) and "workers.worker" in _cmdline(pid)
             and pid in in_sessions(set(after.values()))]
    assert beats == [after["beat"]], "exactly one sweeper schedule"

    connection = create_connection(env)
    body, headers = signed_delivery(connection["secret"], event(
        "candidate.created", history("after-restart", ["legal research"], ["case law research"])))
    assert requests.post(connection["webhook_url"], data=body, headers=headers, timeout=10).status_code == 202
    wait_until(lambda: _analysed(f"http://127.0.0.1:{port}", connection["token"], "after-restart"),
               timeout=180, what="an analysis by the restarted worker")


def test_a_killed_broker_is_restarted_and_the_others_reconnect(running):
    process, port, env = running
    before = children(process.pid)

    os.kill(before["redis"], signal.SIGKILL)

    wait_until(lambda: children(process.pid).get("redis") not in (None, before["redis"]), timeout=30,
               what="a new embedded Redis")
    after = children(process.pid)
    assert (after["web"], after["worker"], after["beat"]) == (before["web"], before["worker"], before["beat"])
    connection = create_connection(env)
    body, headers = signed_delivery(connection["secret"], event(
        "candidate.created", history("after-broker", ["legal research"], ["case law research"])))
    assert requests.post(connection["webhook_url"], data=body, headers=headers, timeout=10).status_code == 202
    wait_until(lambda: _analysed(f"http://127.0.0.1:{port}", connection["token"], "after-broker"),
               timeout=180, what="an analysis after the broker came back")


def test_killing_the_supervisor_leaves_no_child_and_frees_the_port(running):
    process, port, _env = running
    sessions = set(children(process.pid).values())
    assert len(in_sessions(sessions)) >= 6  # redis, worker + pool, beat, gunicorn + workers

    os.kill(process.pid, signal.SIGKILL)
    process.wait(10)

    wait_until(lambda: not in_sessions(sessions), timeout=40,
               what="every child of the killed supervisor to exit")
    assert port_is_free(port)


def test_a_child_that_keeps_dying_stops_everything(running):
    process, port, _env = running
    from plugin.cli.processes import MAX_RESTARTS

    for _ in range(MAX_RESTARTS + 1):
        beat = wait_until(lambda: children(process.pid).get("beat"), timeout=30, what="a beat")
        sessions = set(children(process.pid).values())
        os.kill(beat, signal.SIGKILL)
        wait_until(lambda b=beat: children(process.pid).get("beat") != b or process.poll() is not None,
                   timeout=30, what="the beat to be restarted or everything to stop")
    assert process.wait(40) == 1
    wait_until(lambda: not in_sessions(sessions), timeout=20, what="no child left")
    assert port_is_free(port)
