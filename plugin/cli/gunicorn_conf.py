"""gunicorn settings and hooks: `gunicorn -c python:plugin.cli.gunicorn_conf` (`passion run|serve`, compose).

Threads with deadlines, so a few slow clients cannot take every worker (gunicorn_worker.py); an access log
without query strings or candidate ids (access_log.py); X-Forwarded-Proto is not gunicorn's to trust (the
app trusts a proxy only when PASSION_PROXY_HOPS says there is one).

With PROMETHEUS_MULTIPROC_DIR set, each gunicorn worker writes its counters to a file there and /metrics
sums them, whichever worker answers the scrape. Without it those hooks do nothing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

worker_class = "plugin.cli.gunicorn_worker.DeadlineThreadWorker"
threads = 32  # per worker: slow clients each hold one for at most the header deadline
worker_connections = 1000
keepalive = 5
timeout = 30

logger_class = "plugin.cli.access_log.RedactingLogger"
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms'
secure_scheme_headers: dict[str, str] = {}


def on_starting(_server: Any) -> None:
    """Start from an empty directory: a previous run's files would be summed in (prometheus_client docs).

    Only its `*.db` files are removed, so a directory set by mistake to something shared loses nothing else.
    """
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not path:
        return
    directory = Path(path)
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink(missing_ok=True)


def child_exit(_server: Any, worker: Any) -> None:
    """A worker that exits drops out of the live gauges; its counted totals stay in the sums."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess  # imported late: the variable must be set first

        multiprocess.mark_process_dead(worker.pid)
