"""Child processes of `passion run|serve|worker`: supervised, restarted when they die, never orphaned.

Each child leads its own process group, so when it dies (even by `kill -9`) whatever it had started (gunicorn
workers, Celery's pool) is killed with it before it is started again: no second sweeper, no port still held.
On Linux each child also gets SIGTERM when the supervisor itself dies, so `kill -9` of `passion run` leaves
nothing serving. A child that keeps dying (MAX_RESTARTS within RESTART_WINDOW seconds) stops everything.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

log = logging.getLogger(__name__)

MAX_RESTARTS = 3
RESTART_WINDOW = 60.0
_PR_SET_PDEATHSIG = 1

Starter = Callable[[], "subprocess.Popen[bytes] | None"]


def die_with_parent() -> None:
    """Run in the child before exec: ask Linux for SIGTERM when the supervisor dies (a no-op elsewhere)."""
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the supervisor died before prctl took effect
        os.kill(os.getpid(), signal.SIGTERM)


def child_options() -> dict[str, Any]:
    """Popen options for a supervised child: its own process group and session, dies with its parent."""
    return {"start_new_session": True, "preexec_fn": die_with_parent, "stdin": subprocess.DEVNULL}


@dataclass
class Child:
    """One supervised process and how to start it again."""

    name: str
    start: Starter
    log_path: Path | None = None
    process: subprocess.Popen[bytes] | None = None
    restarts: deque[float] = field(default_factory=deque)


class ChildKeepsDying(RuntimeError):
    """A child died more than MAX_RESTARTS times within RESTART_WINDOW seconds."""


class Supervisor:
    """Owns the children; restarts one that dies; stops them in reverse start order."""

    def __init__(self, log_dir: Path | None = None) -> None:
        self.children: list[Child] = []
        self.log_dir = log_dir

    def adopt(self, name: str, start: Starter, log_path: Path | None = None) -> None:
        """Supervise a process that `start` launches (and launches again after a death)."""
        child = Child(name, start, log_path)
        child.process = start()
        if child.process is not None:
            self.children.append(child)

    def spawn(self, name: str, argv: Sequence[str], env: Mapping[str, str]) -> None:
        """Start `argv`; its output goes to LOG_DIR/NAME.log when the supervisor has a log dir."""
        log_path = self.log_dir / f"{name}.log" if self.log_dir else None

        def start() -> subprocess.Popen[bytes]:
            if log_path is None:
                return subprocess.Popen(list(argv), env=dict(env), **child_options())
            log_path.parent.mkdir(parents=True, exist_ok=True)
            with open(log_path, "ab") as output:  # the child keeps its own copy of the descriptor
                return subprocess.Popen(list(argv), env=dict(env), stdout=output,
                                        stderr=subprocess.STDOUT, **child_options())

        self.adopt(name, start, log_path)

    def wait(self, on_event: Callable[[str], None] | None = None) -> int:
        """Block until Ctrl-C or SIGTERM (0) or a child that keeps dying (1), restarting the others."""
        say = on_event or (lambda message: log.warning("%s", message))
        stop = {"signal": False}

        def _on_signal(signum: int, _frame: FrameType | None) -> None:
            stop["signal"] = True

        signal.signal(signal.SIGTERM, _on_signal)
        signal.signal(signal.SIGINT, _on_signal)
        try:
            while not stop["signal"]:
                for child in self.children:
                    if stop["signal"]:
                        break
                    status = _exit_status(child)
                    if status is not None:
                        self._restart(child, status, say)
                time.sleep(0.2)
        except ChildKeepsDying as exc:
            say(str(exc))
            self.stop()
            return 1
        self.stop()
        return 0

    def _restart(self, child: Child, status: int, say: Callable[[str], None]) -> None:
        """Kill what the dead child left in its process group, then start it again (or give up)."""
        assert child.process is not None
        _kill_group(child.process.pid)
        child.process.wait()
        now = time.monotonic()
        while child.restarts and now - child.restarts[0] > RESTART_WINDOW:
            child.restarts.popleft()
        where = f"; see {child.log_path}" if child.log_path else ""
        if len(child.restarts) >= MAX_RESTARTS:
            raise ChildKeepsDying(f"{child.name} exited {MAX_RESTARTS + 1} times within "
                                  f"{RESTART_WINDOW:.0f} s (last status {status}); "
                                  f"stopping everything{where}")
        child.restarts.append(now)
        say(f"{child.name} exited with status {status}; restarting it{where}")
        try:
            child.process = child.start()
        except (OSError, RuntimeError) as exc:
            child.process = None
            raise ChildKeepsDying(f"{child.name} could not be started again ({exc}); "
                                  f"stopping everything{where}") from exc
        if child.process is None:
            raise ChildKeepsDying(f"{child.name} could not be started again; stopping everything{where}")

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM each child (newest first), wait, then SIGKILL whatever is left in its group."""
        for child in reversed(self.children):
            process = child.process
            if process is None or process.returncode is not None:
                continue
            process.terminate()
            deadline = time.monotonic() + timeout
            while _exit_status(child) is None and time.monotonic() < deadline:
                time.sleep(0.05)
            _kill_group(process.pid)  # before reaping: until then no other process can get its id
            process.wait()
        self.children.clear()


def _exit_status(child: Child) -> int | None:
    """The child's exit status if it has exited, without reaping it (its pid keeps naming its group)."""
    assert child.process is not None
    if child.process.returncode is not None:
        return child.process.returncode
    try:
        found = os.waitid(os.P_PID, child.process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return child.process.poll()
    if found is None:
        return None
    return -found.si_status if found.si_code in (os.CLD_KILLED, os.CLD_DUMPED) else found.si_status


def _kill_group(pgid: int) -> None:
    """SIGKILL every process left in a child's group (its grandchildren); fine if none is left."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def python_module(module: str, *args: str) -> list[str]:
    """argv running a module with this interpreter, so the venv's packages are used."""
    return [sys.executable, "-m", module, *args]
