"""The Harvest v3 API client: OAuth client credentials, one shared rate gate and one call in flight
per connection, cursor pagination.

Every call goes through plugin.outbound (the URL policy, a hard deadline, a capped answer). The access
token is cached in Redis, encrypted, for every worker of the connection, refreshed before it expires and
once more on a 401. Only the API's own origin ever receives the token: a `Link` to anywhere else is
refused, not followed.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from typing import Any
from urllib.parse import urlencode, urlsplit

import redis
from cryptography.fernet import InvalidToken
from redis.exceptions import LockError

from plugin.metrics import broker_client
from plugin.outbound import OutboundAnswer, OutboundFailure, OutboundPolicy, request
from plugin.outbound.ratelimit import RateGate, retry_after
from plugin.receiving.connectors.base import CrmAccount, CrmError, Throttled
from plugin.storage.crypto import decrypt, encrypt

log = logging.getLogger(__name__)

MAX_ANSWER_BYTES = 2 * 1024 * 1024  # a page of 100 candidates is far below this
INLINE_429_RETRIES = 3  # tries of one call in place, each after the gate's wait
_NEXT = re.compile(r'<([^>]*)>\s*;\s*rel="?next"?')


class NotFound(CrmError):
    """The record does not exist (any more) in the CRM."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=False)


def next_link(headers: Mapping[str, str]) -> str | None:
    """The rel="next" URL of an RFC 8288 `Link` header; None on the last page."""
    value = next((v for k, v in headers.items() if k.lower() == "link"), "")
    found = _NEXT.search(value)
    return found.group(1) if found else None


class HarvestClient:
    """Calls for one connection; cheap to build per task."""

    def __init__(self, account: CrmAccount, config: Mapping[str, Any], *,
                 redis_client: redis.Redis | None = None, shared: bool = True) -> None:
        """`shared=False` (the CLI's credential check, where no broker may run): no gate, no cache."""
        self.account = account
        self.api_url = str(config["GREENHOUSE_API_URL"]).rstrip("/")
        self.token_url = str(config["GREENHOUSE_TOKEN_URL"])
        self.policy = OutboundPolicy.from_config(config)
        self.deadline = float(config["WRITEBACK_TIMEOUT_SECONDS"])
        self.inline_wait = float(config["CRM_INLINE_WAIT_SECONDS"])
        self.secret_key = str(config["SECRET_KEY"])
        self.redis = (redis_client or broker_client(str(config["BROKER_URL"]))) if shared else None
        self.gate = None if self.redis is None else RateGate(
            self.redis, f"greenhouse:{account.connection_id}",
            window_seconds=float(config["GREENHOUSE_RATE_WINDOW_SECONDS"]),
            default_limit=int(config["GREENHOUSE_RATE_LIMIT"]))
        self._token_key = f"passion:token:greenhouse:{account.connection_id}"

    # --- the calls -------------------------------------------------------------------------------

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self._json(self.call("GET", self._url(path, params)))

    def send(self, method: str, path: str, body: Mapping[str, Any]) -> Any:
        return self._json(self.call(method, self._url(path), json.dumps(body).encode()))

    def pages(self, path: str, params: Mapping[str, Any]) -> Iterator[list[Any]]:
        """Every page of a list endpoint: the filters on the first call, then only the `Link` next URL
        as given (v3 refuses a cursor with any other parameter)."""
        url: str | None = self._url(path, params)
        while url is not None:
            answer = self.call("GET", url)
            page = self._json(answer)
            if not isinstance(page, list):
                raise CrmError("Harvest answered a list call with something else", retryable=False)
            yield page
            url = next_link(answer.headers)
            if url is not None and not self._same_origin(url):
                raise CrmError("Harvest's Link header points outside the API", retryable=False)

    def call(self, method: str, url: str, body: bytes | None = None) -> OutboundAnswer:
        """One API call through the gate; a 401 refreshes the token and tries once more, and a 429 whose
        wait is short is tried again here once the gate (which the 429 closed) opens."""
        for _ in range(INLINE_429_RETRIES):
            answer = self._authorised(method, url, body, self._token())
            if answer.status == 401:
                answer = self._authorised(method, url, body, self._token(refresh=True))
            told = retry_after(answer.headers)
            if answer.status != 429 or told is None or told > self.inline_wait:
                break
        if 200 <= answer.status < 300:
            return answer
        raise self._error(answer, method)

    def check_credentials(self) -> None:
        """What `connections create` runs: a token, and one small read with it."""
        self.get("/v3/candidates", {"per_page": 1})

    # --- parts -----------------------------------------------------------------------------------

    def _url(self, path: str, params: Mapping[str, Any] | None = None) -> str:
        query = f"?{urlencode(params, safe='|,:')}" if params else ""
        return f"{self.api_url}{path}{query}"

    def _same_origin(self, url: str) -> bool:
        mine, theirs = urlsplit(self.api_url), urlsplit(url)
        return (mine.scheme, mine.netloc) == (theirs.scheme, theirs.netloc)

    def _authorised(self, method: str, url: str, body: bytes | None, token: str) -> OutboundAnswer:
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json",
                   "Accept-Encoding": "identity"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if self.gate is None or self.redis is None:
            return self._send(method, url, body, headers)
        with self._turn():
            self._wait_for_gate()
            answer = self._send(method, url, body, headers)
            hold = self.gate.observe(answer.status, answer.headers, now=time.time())
        if hold is not None:
            log.info("greenhouse rate limit connection=%s status=%s hold=%.1fs",
                     self.account.connection_id, answer.status, hold)
        return answer

    @contextmanager
    def _turn(self) -> Iterator[None]:
        """One call in flight per connection across every worker: a 429 is known to the gate before
        the next call leaves, so no call goes out while the CRM has said to wait."""
        assert self.redis is not None
        lock = self.redis.lock(f"passion:inflight:greenhouse:{self.account.connection_id}",
                               timeout=self.deadline + self.inline_wait + 5,
                               blocking_timeout=self.deadline + self.inline_wait)
        if not lock.acquire():
            raise Throttled("another call to this Greenhouse account is in flight", retry_after=1.0)
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

    def _send(self, method: str, url: str, body: bytes | None, headers: dict[str, str]
              ) -> OutboundAnswer:
        try:
            return request(method, url, body, headers, policy=self.policy,
                           deadline_seconds=self.deadline, read_body=MAX_ANSWER_BYTES)
        except OutboundFailure as exc:
            raise CrmError(f"Greenhouse {exc}", retryable=not exc.refused) from exc

    def _error(self, answer: OutboundAnswer, method: str) -> CrmError:
        status = answer.status
        if status == 429 or status >= 500:
            return CrmError(f"Greenhouse answered {status}", retry_after=retry_after(answer.headers))
        if status == 404:
            return NotFound(f"Greenhouse answered {status} to {method}")
        if status == 401:
            return CrmError("Greenhouse refused the credentials (401 after a fresh token)",
                            retryable=False)
        return CrmError(f"Greenhouse refused {method} with {status}", retryable=False)

    @staticmethod
    def _json(answer: OutboundAnswer) -> Any:
        if not answer.body:
            return None
        try:
            return json.loads(answer.body)
        except ValueError as exc:
            raise CrmError("Greenhouse answered with invalid JSON", retryable=False) from exc

    # --- the token -------------------------------------------------------------------------------

    def _token(self, *, refresh: bool = False) -> str:
        if self.redis is None:
            return self._new_token()[0]
        if not refresh:
            cached = self.redis.get(self._token_key)
            if isinstance(cached, bytes):
                try:
                    return decrypt(self.secret_key, cached.decode())
                except InvalidToken:
                    pass  # SECRET_KEY changed: fetch a new one
        token, lifetime = self._new_token()
        ttl = max(1, int(lifetime) - 60)  # refreshed a minute before it expires
        self.redis.set(self._token_key, encrypt(self.secret_key, token), ex=ttl)
        return token

    def _new_token(self) -> tuple[str, float]:
        """POST the client credentials (HTTP Basic) to the token endpoint, form-encoded."""
        creds = self.account.credentials
        if not creds.get("client_id") or not creds.get("client_secret"):
            raise CrmError("the connection has no Greenhouse client credentials", retryable=False)
        basic = base64.b64encode(f"{creds['client_id']}:{creds['client_secret']}".encode()).decode()
        form = {"grant_type": "client_credentials"}
        if creds.get("user_id"):
            form["sub"] = creds["user_id"]
        answer = self._send("POST", self.token_url, urlencode(form).encode(),
                            {"Authorization": f"Basic {basic}", "Accept": "application/json",
                             "Content-Type": "application/x-www-form-urlencoded",
                             "Accept-Encoding": "identity"})
        if answer.status == 429 or answer.status >= 500:
            raise CrmError(f"Greenhouse token endpoint answered {answer.status}",
                           retry_after=retry_after(answer.headers))
        if answer.status != 200:
            raise CrmError(f"Greenhouse refused the client credentials ({answer.status})",
                           retryable=False)
        payload = self._json(answer)
        token = payload.get("access_token") if isinstance(payload, dict) else None
        if not isinstance(token, str) or not token:
            raise CrmError("Greenhouse token answer has no access_token", retryable=False)
        expires = payload.get("expires_in", 3600)
        return token, float(expires) if isinstance(expires, int | float) else 3600.0
