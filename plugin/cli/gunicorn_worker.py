"""gunicorn's threaded worker with a deadline for a request's headers and an idle limit for its body.

A sync worker is held for as long as one client takes to send its request, so two clients dripping their
headers froze the web server. Threads alone move the limit (each dripping client still holds one); here a
watchdog also shuts the socket of any request whose headers are not in after HEADER_SECONDS, and a body
(or a response) that stalls for BODY_IDLE_SECONDS ends with a socket timeout. Selected in gunicorn_conf.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

HEADER_SECONDS = 10.0  # from the connection's first byte to the end of its headers
BODY_IDLE_SECONDS = 10.0  # the longest silence while a body is read or an answer written
_WATCH_INTERVAL = 0.5


class DeadlineThreadWorker(ThreadWorker):
    """ThreadWorker whose threads a slow client holds for at most HEADER_SECONDS before its headers."""

    def init_process(self) -> None:
        self._reading: dict[Any, float] = {}  # connection -> deadline for its headers
        self._reading_lock = threading.Lock()
        threading.Thread(target=self._watch, name="header-deadline", daemon=True).start()
        super().init_process()  # runs the worker's loop: the watchdog starts first

    def handle(self, conn: Any) -> Any:
        with self._reading_lock:
            self._reading[conn] = time.monotonic() + HEADER_SECONDS
        try:
            return super().handle(conn)
        finally:
            with self._reading_lock:
                self._reading.pop(conn, None)

    def handle_request(self, req: Any, conn: Any) -> Any:
        """The headers are in: no more deadline, but reading the body may not stall."""
        with self._reading_lock:
            self._reading.pop(conn, None)
        conn.sock.settimeout(BODY_IDLE_SECONDS)  # handle() makes it blocking again for the next request
        return super().handle_request(req, conn)

    def _watch(self) -> None:
        while True:
            time.sleep(_WATCH_INTERVAL)
            now = time.monotonic()
            with self._reading_lock:
                late = [conn for conn, deadline in self._reading.items() if deadline < now]
                for conn in late:
                    self._reading.pop(conn, None)
                    self._cut(conn)

    def _cut(self, conn: Any) -> None:
        """Shut the socket: the thread reading it sees the end of the stream and is free again."""
        self.log.info("closing a connection whose request headers took over %ss", HEADER_SECONDS)
        with contextlib.suppress(OSError):  # already closed
            conn.sock.shutdown(socket.SHUT_RDWR)
