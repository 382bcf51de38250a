"""Attack helpers kept so the findings can be replayed: clients that send slowly, and servers to aim at.

Run one by hand against any server, e.g. `python -m tests.attacks.slow_clients 127.0.0.1 8000 8`: it opens
that many connections that send their headers one byte at a time while it times GET /healthz.
"""

from __future__ import annotations

import socket
import sys
import threading
import time

import requests


def open_request(base_url: str, head: bytes) -> socket.socket:
    """A connection that has sent `head` (request line, headers, maybe part of a body) and waits."""
    host, port = base_url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=30)
    sock.sendall(head)
    return sock


def read_status(sock: socket.socket) -> int:
    """The status code of the answer on a raw connection."""
    first = b""
    while b"\r\n" not in first:
        chunk = sock.recv(4096)
        if not chunk:
            break
        first += chunk
    return int(first.split(b" ", 2)[1])


class HeaderDripper:
    """Connections that send a request's headers one byte every `interval` seconds and never finish."""

    def __init__(self, base_url: str, count: int, *, interval: float = 0.5) -> None:
        self.base_url = base_url
        self.count = count
        self.interval = interval
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []
        self.connected = 0
        self.cut = 0  # connections the server closed before the headers were done

    def _drip(self) -> None:
        head = b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"a" * 10_000
        try:
            sock = open_request(self.base_url, head[:1])
        except OSError:
            return
        self.connected += 1
        try:
            for byte in head[1:]:
                if self.stop.wait(self.interval):
                    break
                sock.sendall(bytes([byte]))
        except OSError:
            self.cut += 1  # the server closed us: what a header deadline should do
        finally:
            sock.close()

    def __enter__(self) -> HeaderDripper:
        for _ in range(self.count):
            thread = threading.Thread(target=self._drip, daemon=True)
            thread.start()
            self.threads.append(thread)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(5)


def healthz_seconds(base_url: str, *, timeout: float = 30.0) -> float:
    """How long GET /healthz took to answer 200 (the timeout when it did not)."""
    started = time.monotonic()
    try:
        ok = requests.get(f"{base_url}/healthz", timeout=timeout).status_code == 200
    except requests.RequestException:
        ok = False
    return time.monotonic() - started if ok else timeout


if __name__ == "__main__":
    target = f"http://{sys.argv[1]}:{sys.argv[2]}"
    with HeaderDripper(target, int(sys.argv[3]) if len(sys.argv) > 3 else 8):
        time.sleep(2)
        print(f"/healthz answered in {healthz_seconds(target):.2f}s with slow clients connected")
