"""Runs the real processes (gunicorn web server, Celery worker, `passion run`) for end-to-end tests."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import requests


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def passion(env: Mapping[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run the `passion` CLI as a user would, with this interpreter's environment."""
    return subprocess.run([sys.executable, "-m", "workers.cli", *args], env=dict(env),
                          capture_output=True, text=True, timeout=120, check=True)


def create_connection(env: Mapping[str, str], *extra: str) -> dict[str, str]:
    out = passion(env, "connections", "create", "--name", "E2E CRM", "--json", *extra).stdout
    return json.loads(out.strip().splitlines()[-1])


def wait_until(predicate, *, timeout: float = 60.0, interval: float = 0.2, what: str = "condition"):
    """Poll until predicate() returns something truthy; fail the test with `what` otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def _healthy(base_url: str) -> bool:
    try:
        return requests.get(f"{base_url}/healthz", timeout=1).status_code == 200
    except requests.RequestException:
        return False


@contextmanager
def processes(commands: Sequence[Sequence[str]], env: Mapping[str, str], log_dir: Path,
              base_url: str) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Start each command, wait for the web server to answer, stop them all afterwards."""
    started = []
    try:
        for n, argv in enumerate(commands):
            log = open(log_dir / f"process-{n}.log", "wb")  # noqa: SIM115 - closed with the process
            started.append((subprocess.Popen(list(argv), env=dict(env), stdout=log,
                                             stderr=subprocess.STDOUT), log))
        wait_until(lambda: _healthy(base_url), timeout=60, what=f"{base_url}/healthz")
        yield [process for process, _ in started]
    finally:
        for process, log in reversed(started):
            process.terminate()
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()


def web_argv(port: int) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2",
            "plugin.wsgi:app"]


def worker_argv() -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "workers.worker", "worker", "--loglevel",
            "INFO", "--concurrency", "2", "--queues", "passion,passion.backfill", "--without-gossip",
            "--without-mingle", "--without-heartbeat"]


def base_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    """The inherited environment with every PASSION_* setting replaced by the test's own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PASSION_")}
    env.update({"PASSION_DATA_DIR": str(tmp_path / "data"), "PYTHONUNBUFFERED": "1",
                "PASSION_WRITEBACK_HTTP_HOSTS": "127.0.0.1",  # the CRM fakes listen on loopback
                "PASSION_WRITEBACK_ALLOWED_NETWORKS": "127.0.0.0/8"})
    env.update({f"PASSION_{key}": value for key, value in settings.items()})
    return env
