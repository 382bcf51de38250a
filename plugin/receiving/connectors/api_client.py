"""What every CRM API client shares: one rate gate and one call in flight per connection (both in Redis,
for every worker), a short rate-limit wait sat out in place, and answers turned into CrmError.

Every call goes through plugin.outbound (the URL policy, a hard deadline, a capped answer). A vendor's
client adds how it authenticates (`_authorization`) and how its list endpoints page.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from typing import Any
from urllib.parse import urlencode, urlsplit

import redis
from redis.exceptions import LockError

from plugin.outbound import OutboundAnswer, OutboundFailure, OutboundPolicy, request
from plugin.outbound.ratelimit import RateGate, retry_after
from plugin.receiving.connectors.base import CrmAccount, CrmError, Throttled, WriteBackError
from plugin.redis_client import broker_client

log = logging.getLogger(__name__)

MAX_ANSWER_BYTES = 2 * 1024 * 1024  # a page of 100 records is far below this
INLINE_429_RETRIES = 3  # tries of one call in place, each after the gate's wait


class NotFound(CrmError):
    """The record does not exist (any more) in the CRM."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=False)


@contextmanager
def write_back_errors(gone: str) -> Iterator[None]:
    """A write-back's CRM errors as the task reads them: a record `gone` is refused for good, a wait for our
    own gate passes through untouched (no call went out, so no attempt is used), the rest keep their
    retry hints."""
    try:
        yield
    except NotFound as exc:
        raise WriteBackError(f"{exc} ({gone})", retryable=False) from exc
    except Throttled:
        raise
    except CrmError as exc:
        raise WriteBackError(str(exc), retry_after=exc.retry_after, retryable=exc.retryable) from exc


class ApiClient:
    """Calls for one connection; cheap to build per task. Subclasses name the vendor and its settings."""

    vendor = "CRM"  # in messages: "Lever answered 503"
    refreshes_on_401 = False  # a 401 is tried once more with fresh credentials (an OAuth token)

    def __init__(self, account: CrmAccount, config: Mapping[str, Any], *, api_url: str,
                 window_seconds: float, default_limit: int, redis_client: redis.Redis | None = None,
                 shared: bool = True) -> None:
        """`shared=False` (the CLI's credential check, where no broker may run): no gate, no lock."""
        self.account = account
        self.api_url = api_url.rstrip("/")
        self.policy = OutboundPolicy.from_config(config)
        self.deadline = float(config["WRITEBACK_TIMEOUT_SECONDS"])
        self.inline_wait = float(config["CRM_INLINE_WAIT_SECONDS"])
        self.window_seconds = window_seconds
        self.redis = (redis_client or broker_client(str(config["BROKER_URL"]))) if shared else None
        self.gate = None if self.redis is None else RateGate(
            self.redis, f"{account.provider}:{account.connection_id}",
            window_seconds=window_seconds, default_limit=default_limit)

    # --- for subclasses --------------------------------------------------------------------------

    def _authorization(self, *, refresh: bool = False) -> str:
        """The Authorization header's value."""
        raise NotImplementedError

    def _auth_headers(self, *, refresh: bool = False) -> dict[str, str]:
        """The headers that authenticate a call (Bullhorn's is its own `BhRestToken`, not Authorization)."""
        return {"Authorization": self._authorization(refresh=refresh)}

    def check_credentials(self) -> None:
        """What `connections create` runs before storing the credentials: one small read."""
        raise NotImplementedError

    # --- the calls -------------------------------------------------------------------------------

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.json(self.call("GET", self.url(path, params)))

    def send(self, method: str, path: str, body: Mapping[str, Any]) -> Any:
        return self.json(self.call(method, self.url(path), json.dumps(body).encode()))

    def call(self, method: str, url: str, body: bytes | None = None) -> OutboundAnswer:
        """One API call through the gate; a 429 whose wait is short is tried again here once the gate
        (which the 429 closed) opens. A 401 is tried once more only where credentials refresh."""
        for _ in range(INLINE_429_RETRIES):
            answer = self._authorised(method, url, body, self._auth_headers())
            if answer.status == 401 and self.refreshes_on_401:
                answer = self._authorised(method, url, body, self._auth_headers(refresh=True))
            told = self._told_to_wait(answer)
            if answer.status != 429 or told is None or told > self.inline_wait:
                break
        if 200 <= answer.status < 300:
            return answer
        raise self._error(answer, method)

    def url(self, path: str, params: Mapping[str, Any] | None = None) -> str:
        query = f"?{urlencode(params, safe='|,:')}" if params else ""
        return f"{self.api_url}{path}{query}"

    def same_origin(self, url: str) -> bool:
        mine, theirs = urlsplit(self.api_url), urlsplit(url)
        return (mine.scheme, mine.netloc) == (theirs.scheme, theirs.netloc)

    def json(self, answer: OutboundAnswer) -> Any:
        if not answer.body:
            return None
        try:
            return json.loads(answer.body)
        except ValueError as exc:
            raise CrmError(f"{self.vendor} answered with invalid JSON", retryable=False) from exc

    # --- parts -----------------------------------------------------------------------------------

    def _told_to_wait(self, answer: OutboundAnswer) -> float | None:
        """A 429's wait: its Retry-After, else the gate's window (what the gate holds calls back)."""
        if answer.status != 429:
            return None
        told = retry_after(answer.headers)
        return told if told is not None else (self.window_seconds if self.gate is not None else None)

    def _authorised(self, method: str, url: str, body: bytes | None, authentication: dict[str, str]
                    ) -> OutboundAnswer:
        headers = {**authentication, "Accept": "application/json", "Accept-Encoding": "identity"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if self.gate is None or self.redis is None:
            return self.send_raw(method, url, body, headers)
        with self._turn():
            self._wait_for_gate()
            answer = self.send_raw(method, url, body, headers)
            hold = self.gate.observe(answer.status, answer.headers, now=time.time())
        if hold is not None:
            log.info("%s rate limit connection=%s status=%s hold=%.1fs", self.account.provider,
                     self.account.connection_id, answer.status, hold)
        return answer

    @contextmanager
    def _turn(self) -> Iterator[None]:
        """One call in flight per connection across every worker: a 429 is known to the gate before
        the next call leaves, so no call goes out while the CRM has said to wait."""
        assert self.redis is not None
        lock = self.redis.lock(f"passion:inflight:{self.account.provider}:{self.account.connection_id}",
                               timeout=self.deadline + self.inline_wait + 5,
                               blocking_timeout=self.deadline + self.inline_wait)
        if not lock.acquire():
            raise Throttled(f"another call to this {self.vendor} account is in flight", retry_after=1.0)
        try:
            yield
        finally:
            with suppress(LockError):  # it expired (a call past its deadline): nothing to release
                lock.release()

    def _wait_for_gate(self) -> None:
        """Wait a little in place; a longer wait goes back to the queue as a retry, never sooner."""
        waited = 0.0
        while self.gate is not None and (wait := self.gate.acquire()) > 0:
            if waited + wait > self.inline_wait:
                raise Throttled("rate limited by our own gate", retry_after=wait)
            time.sleep(wait)
            waited += wait

    def send_raw(self, method: str, url: str, body: bytes | None, headers: dict[str, str]
                 ) -> OutboundAnswer:
        """One call outside the gate (a token endpoint's too), under the policy and the deadline."""
        try:
            return request(method, url, body, headers, policy=self.policy,
                           deadline_seconds=self.deadline, read_body=MAX_ANSWER_BYTES)
        except OutboundFailure as exc:
            raise CrmError(f"{self.vendor} {exc}", retryable=not exc.refused) from exc

    def _error(self, answer: OutboundAnswer, method: str) -> CrmError:
        status = answer.status
        if status == 429 or status >= 500:
            return CrmError(f"{self.vendor} answered {status}",
                            retry_after=self._told_to_wait(answer) or retry_after(answer.headers))
        if status == 404:
            return NotFound(f"{self.vendor} answered {status} to {method}")
        if status == 401:
            fresh = " (401 after a fresh token)" if self.refreshes_on_401 else " (401)"
            return CrmError(f"{self.vendor} refused the credentials{fresh}", retryable=False)
        return CrmError(f"{self.vendor} refused {method} with {status}", retryable=False)
