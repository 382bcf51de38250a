"""CRMs that attack the worker through its write-backs: one that drips its answer a byte at a time, one
that redirects, one that answers with a huge body. Raw sockets, so nothing tidies their behaviour up.

Run one by hand against a running stack with `python -m tests.attacks.hostile_crm drip|redirect|huge`.
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class HostileCrm:
    """What the server saw and did: requests received, bytes of answer sent."""

    url: str
    requests: int = 0
    bytes_sent: int = 0
    in_flight: int = 0
    most_in_flight: int = 0  # the most calls it held open at once
    lock: threading.Lock = field(default_factory=threading.Lock)


def _read_request(conn: socket.socket) -> None:
    """Read the request head and its body (Content-Length), so the client is waiting for the answer."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return
        body += chunk


@contextmanager
def _serve(answer: Callable[[socket.socket, HostileCrm], None]) -> Iterator[HostileCrm]:
    listener = socket.create_server(("127.0.0.1", 0))
    crm = HostileCrm(f"http://127.0.0.1:{listener.getsockname()[1]}/callback")
    stop = threading.Event()

    def handle(conn: socket.socket) -> None:
        with conn:
            try:
                _read_request(conn)
                with crm.lock:
                    crm.requests += 1
                    crm.in_flight += 1
                    crm.most_in_flight = max(crm.most_in_flight, crm.in_flight)
                try:
                    answer(conn, crm)
                finally:
                    with crm.lock:
                        crm.in_flight -= 1
            except OSError:
                pass  # the client hung up: what a deadline or a size cap does

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield crm
    finally:
        stop.set()
        thread.join(2)
        listener.close()


def _send(conn: socket.socket, crm: HostileCrm, data: bytes) -> None:
    conn.sendall(data)
    with crm.lock:
        crm.bytes_sent += len(data)


@contextmanager
def dripping_crm(*, every: float = 0.5, for_seconds: float = 30.0) -> Iterator[HostileCrm]:
    """Answers 200 one header byte every `every` seconds, completing after `for_seconds`: each read
    returns well inside any per-read timeout, so only a total deadline stops it."""

    def answer(conn: socket.socket, crm: HostileCrm) -> None:
        _send(conn, crm, b"HTTP/1.1 200 OK\r\nX-Slow: ")
        ends = time.monotonic() + for_seconds
        while time.monotonic() < ends:
            _send(conn, crm, b"a")
            time.sleep(every)
        _send(conn, crm, b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

    with _serve(answer) as crm:
        yield crm


@contextmanager
def redirecting_crm(location: str, *, status: int = 307) -> Iterator[HostileCrm]:
    """Answers every POST with a redirect to `location` (an internal address, or itself for a loop)."""

    def answer(conn: socket.socket, crm: HostileCrm) -> None:
        _send(conn, crm, f"HTTP/1.1 {status} Moved\r\nLocation: {location or crm.url}\r\n"
                         "Content-Length: 0\r\nConnection: close\r\n\r\n".encode())

    with _serve(answer) as crm:
        yield crm


@contextmanager
def huge_answer_crm(*, size: int = 300 * 1024 * 1024) -> Iterator[HostileCrm]:
    """Answers 200 with a body of `size` bytes, as fast as the client reads it."""

    def answer(conn: socket.socket, crm: HostileCrm) -> None:
        _send(conn, crm, f"HTTP/1.1 200 OK\r\nContent-Length: {size}\r\nConnection: close\r\n\r\n"
              .encode())
        chunk = b"\0" * 65536
        for _ in range(size // len(chunk)):
            _send(conn, crm, chunk)

    with _serve(answer) as crm:
        yield crm


if __name__ == "__main__":
    kinds = {"drip": lambda: dripping_crm(for_seconds=600), "redirect": lambda: redirecting_crm(""),
             "huge": huge_answer_crm}
    with kinds[sys.argv[1]]() as server:
        sys.stdout.write(f"{sys.argv[1]} CRM at {server.url} (Ctrl-C to stop)\n")
        sys.stdout.flush()
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            pass
