"""The CRM side of write-back: an HTTP server that records candidate.analyzed deliveries.

It verifies each delivery with the reference `standardwebhooks` library, as a real receiver would.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError


class CallbackReceiver:
    """Collects verified deliveries; `secret` is set once the connection exists."""

    def __init__(self) -> None:
        self.secret: str | None = None
        self.deliveries: list[dict[str, Any]] = []
        self.rejected = 0
        self.lock = threading.Lock()
        self.scripted: list[tuple[int, dict[str, str]]] = []  # answers to give before accepting
        self.fail_every = 0  # when set, every n-th call answers 500 (a flaky CRM)
        self.calls = 0
        self.on_call: Callable[[], None] | None = None  # run while the sender waits for our answer

    def handle(self, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str]]:
        if self.on_call is not None:
            self.on_call()
        with self.lock:
            self.calls += 1
            if self.scripted:
                return self.scripted.pop(0)
            if self.fail_every and self.calls % self.fail_every == 0:
                return 500, {}
        try:
            payload = Webhook(self.secret or "").verify(body, headers)
        except WebhookVerificationError:
            with self.lock:
                self.rejected += 1
            return 401, {}
        with self.lock:
            self.deliveries.append({"id": headers["webhook-id"], "payload": payload})
        return 200, {}

    def reset(self) -> None:
        """Forget every call and script (a fault test's stack handed to the next test)."""
        with self.lock:
            self.deliveries.clear()
            self.scripted.clear()
            self.rejected = self.fail_every = self.calls = 0
            self.on_call = None

    def for_candidate(self, candidate_id: str) -> list[dict[str, Any]]:
        with self.lock:
            return [d for d in self.deliveries if d["payload"]["data"]["candidate_id"] == candidate_id]


@contextmanager
def callback_server() -> Iterator[tuple[CallbackReceiver, str]]:
    receiver = CallbackReceiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            status, extra = receiver.handle({k.lower(): v for k, v in self.headers.items()}, body)
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(json.dumps({"ok": status == 200}).encode())

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver, f"http://127.0.0.1:{server.server_address[1]}/passion-callback"
    finally:
        server.shutdown()
        server.server_close()
