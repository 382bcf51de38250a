"""Child processes of `passion run|serve|worker`: started together, stopped together on Ctrl-C."""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from types import FrameType

log = logging.getLogger(__name__)


class Supervisor:
    """Owns the children; stops them in reverse start order (web, worker, then the broker)."""

    def __init__(self) -> None:
        self.children: list[tuple[str, subprocess.Popen[bytes]]] = []

    def adopt(self, name: str, process: subprocess.Popen[bytes] | None) -> None:
        if process is not None:
            self.children.append((name, process))

    def spawn(self, name: str, argv: Sequence[str], env: Mapping[str, str]) -> None:
        self.adopt(name, subprocess.Popen(list(argv), env=dict(env), stdin=subprocess.DEVNULL))

    def wait(self) -> int:
        """Block until Ctrl-C, SIGTERM or a child's exit; then stop everything."""
        stop = {"signal": False}

        def _on_signal(signum: int, _frame: FrameType | None) -> None:
            stop["signal"] = True

        signal.signal(signal.SIGTERM, _on_signal)
        signal.signal(signal.SIGINT, _on_signal)
        exited = None
        while not stop["signal"] and exited is None:
            exited = next((name for name, p in self.children if p.poll() is not None), None)
            time.sleep(0.2)
        if exited:
            log.error("%s exited; stopping the rest", exited)
        self.stop()
        return 1 if exited else 0

    def stop(self, timeout: float = 15.0) -> None:
        for _name, process in reversed(self.children):
            if process.poll() is None:
                process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.children.clear()


def python_module(module: str, *args: str) -> list[str]:
    """argv running a module with this interpreter, so the venv's packages are used."""
    return [sys.executable, "-m", module, *args]
