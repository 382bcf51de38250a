"""gunicorn hooks for prometheus_client's multiprocess mode: `gunicorn -c python:plugin.cli.gunicorn_conf`.

With PROMETHEUS_MULTIPROC_DIR set, each gunicorn worker writes its counters to a file there and /metrics
sums them, whichever worker answers the scrape. Without it these hooks do nothing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


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
