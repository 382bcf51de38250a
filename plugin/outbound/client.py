"""One guarded call to a tenant's URL or a CRM's API: the policy checked on every connection, a hard
total deadline, no redirects, and at most a few KB of the answer read.

Built on urllib3's connection classes (requests sits on them too) so that the socket connects to the very
address the policy checked, while TLS still verifies the certificate and sends SNI for the host name. A
per-read timeout alone lets a peer that sends a byte every few seconds hold a worker for ever, so a timer
shuts the socket down when the deadline passes, whatever the call is waiting for.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.client import HTTPException
from typing import Any

import certifi
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import HTTPError
from urllib3.util.connection import create_connection

from plugin.outbound.policy import OutboundPolicy, RefusedURL, Target

MAX_ANSWER_BYTES = 64 * 1024  # we need the status and Retry-After; the body is read only this far


class OutboundFailure(Exception):
    """The call did not produce an answer: refused by the policy, unreachable, or past its deadline."""

    def __init__(self, message: str, *, refused: bool = False) -> None:
        super().__init__(message)
        self.refused = refused


@dataclass(frozen=True)
class OutboundAnswer:
    status: int
    headers: Mapping[str, str]
    body: bytes = b""  # only when the caller asked to read it


@dataclass
class _Deadline:
    """Shuts down every socket registered with it once `seconds` have passed."""

    seconds: float
    expired: bool = False
    _sockets: list[socket.socket] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._ends = time.monotonic() + self.seconds
        self._timer = threading.Timer(self.seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        return max(0.0, self._ends - time.monotonic())

    def watch(self, sock: socket.socket) -> None:
        """Keep a duplicate descriptor: shutting it down stops reads on the TLS socket wrapped later."""
        with self._lock:
            self._sockets.append(sock.dup())
            if self.expired:
                self._shut_all()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            self._shut_all()

    def _shut_all(self) -> None:
        for sock in self._sockets:
            with contextlib.suppress(OSError):  # already closed by the peer or by us
                sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self._timer.cancel()
        with self._lock:
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()


class _Pinned:
    """Mixed into urllib3's connections: resolve, check every address, connect to a checked one."""

    policy: OutboundPolicy
    deadline: _Deadline
    host: str
    port: int
    timeout: Any
    socket_options: Any

    def _new_conn(self) -> socket.socket:
        addresses = self.policy.resolve(self.host, self.port)
        last: OSError | None = None
        for address in addresses:
            try:
                sock = create_connection((str(address), self.port), self.timeout,
                                         socket_options=self.socket_options)
            except OSError as exc:
                last = exc
                continue
            self.deadline.watch(sock)
            return sock
        raise OSError(f"no address of {self.host} accepted a connection") from last


class _PinnedHTTP(_Pinned, HTTPConnection):
    pass


class _PinnedHTTPS(_Pinned, HTTPSConnection):
    pass


def post(url: str, body: bytes, headers: Mapping[str, str], *, policy: OutboundPolicy,
         deadline_seconds: float) -> OutboundAnswer:
    """POST once and return the status and headers; OutboundFailure when there is no answer in time.

    A redirect is an answer like any other (3xx): it is never followed.
    """
    return request("POST", url, body, headers, policy=policy, deadline_seconds=deadline_seconds)


def request(method: str, url: str, body: bytes | None, headers: Mapping[str, str], *,
            policy: OutboundPolicy, deadline_seconds: float, read_body: int = 0) -> OutboundAnswer:
    """One call under the policy and the deadline; the answer's body is kept when `read_body` > 0 (a
    CRM API's JSON), up to that many bytes: a longer one is a failure, never silently cut."""
    try:
        target = policy.check_url(url)
    except RefusedURL as exc:
        raise OutboundFailure(f"refused by policy: {exc}", refused=True) from exc
    deadline = _Deadline(deadline_seconds)
    connection = _connection(target, policy, deadline)
    try:
        connection.request(method, target.path, body=body, headers=dict(headers), preload_content=False)
        response = connection.getresponse()
        if deadline.expired:  # a head cut short by the shutdown can still parse as an answer
            raise OSError("deadline passed while the answer was arriving")
        if read_body:
            content = response.read(read_body + 1, decode_content=False)
            if deadline.expired:
                raise OSError("deadline passed while the answer was arriving")
            if len(content) > read_body:
                raise OutboundFailure(f"answer larger than {read_body} bytes", refused=True)
            return OutboundAnswer(response.status, dict(response.headers), bytes(content))
        answer = OutboundAnswer(response.status, dict(response.headers))
        _drain(response)
        return answer
    except RefusedURL as exc:
        raise OutboundFailure(f"refused by policy: {exc}", refused=True) from exc
    except (OSError, HTTPException, HTTPError) as exc:
        if deadline.expired:
            raise OutboundFailure(f"gave no answer within the {deadline_seconds:g} s deadline") from exc
        raise OutboundFailure(f"unreachable: {type(exc).__name__}") from exc
    finally:
        connection.close()
        deadline.close()


def _connection(target: Target, policy: OutboundPolicy, deadline: _Deadline) -> HTTPConnection:
    timeout = deadline_seconds_left(deadline)
    connection: HTTPConnection
    if target.scheme == "https":  # verified against certifi's bundle, as requests does
        connection = _PinnedHTTPS(target.host, target.port, timeout=timeout, ca_certs=certifi.where())
    else:
        connection = _PinnedHTTP(target.host, target.port, timeout=timeout)
    connection.policy = policy  # type: ignore[attr-defined]
    connection.deadline = deadline  # type: ignore[attr-defined]
    return connection


def deadline_seconds_left(deadline: _Deadline) -> float:
    """The socket timeout: never longer than what is left of the deadline (the timer is the backstop)."""
    return max(0.1, deadline.remaining())


def _drain(response: Any) -> None:
    """Read at most MAX_ANSWER_BYTES of the body, undecoded (no decompression bomb); the rest is dropped
    with the connection. The status already decided the outcome, so a failure here changes nothing."""
    with contextlib.suppress(OSError, HTTPException, HTTPError):
        response.read(MAX_ANSWER_BYTES, decode_content=False)
