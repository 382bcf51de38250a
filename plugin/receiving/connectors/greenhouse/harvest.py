"""The Harvest v3 API client: OAuth client credentials and cursor pagination, on the shared client (one
rate gate and one call in flight per connection: plugin/receiving/connectors/api_client.py).

The access token is cached in Redis, encrypted, for every worker of the connection, refreshed before it
expires and once more on a 401. Only the API's own origin ever receives the token: a `Link` to anywhere
else is refused, not followed.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlencode

import redis
from cryptography.fernet import InvalidToken

from plugin.outbound.ratelimit import retry_after
from plugin.receiving.connectors.api_client import ApiClient, NotFound
from plugin.receiving.connectors.base import CrmAccount, CrmError
from plugin.storage.crypto import decrypt, encrypt

__all__ = ["HarvestClient", "NotFound", "next_link"]

_NEXT = re.compile(r'<([^>]*)>\s*;\s*rel="?next"?')


def next_link(headers: Mapping[str, str]) -> str | None:
    """The rel="next" URL of an RFC 8288 `Link` header; None on the last page."""
    value = next((v for k, v in headers.items() if k.lower() == "link"), "")
    found = _NEXT.search(value)
    return found.group(1) if found else None


class HarvestClient(ApiClient):
    """Calls for one Greenhouse connection."""

    vendor = "Greenhouse"
    refreshes_on_401 = True

    def __init__(self, account: CrmAccount, config: Mapping[str, Any], *,
                 redis_client: redis.Redis | None = None, shared: bool = True) -> None:
        super().__init__(account, config, api_url=str(config["GREENHOUSE_API_URL"]),
                         window_seconds=float(config["GREENHOUSE_RATE_WINDOW_SECONDS"]),
                         default_limit=int(config["GREENHOUSE_RATE_LIMIT"]),
                         redis_client=redis_client, shared=shared)
        self.token_url = str(config["GREENHOUSE_TOKEN_URL"])
        self.secret_key = str(config["SECRET_KEY"])
        self._token_key = f"passion:token:greenhouse:{account.connection_id}"

    def pages(self, path: str, params: Mapping[str, Any]) -> Iterator[list[Any]]:
        """Every page of a list endpoint: the filters on the first call, then only the `Link` next URL
        as given (v3 refuses a cursor with any other parameter)."""
        url: str | None = self.url(path, params)
        while url is not None:
            answer = self.call("GET", url)
            page = self.json(answer)
            if not isinstance(page, list):
                raise CrmError("Harvest answered a list call with something else", retryable=False)
            yield page
            url = next_link(answer.headers)
            if url is not None and not self.same_origin(url):
                raise CrmError("Harvest's Link header points outside the API", retryable=False)

    def check_credentials(self) -> None:
        """What `connections create` runs: a token, and one small read with it."""
        self.get("/v3/candidates", {"per_page": 1})

    # --- the token -------------------------------------------------------------------------------

    def _authorization(self, *, refresh: bool = False) -> str:
        return f"Bearer {self._token(refresh=refresh)}"

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
        answer = self.send_raw("POST", self.token_url, urlencode(form).encode(),
                               {"Authorization": f"Basic {basic}", "Accept": "application/json",
                                "Content-Type": "application/x-www-form-urlencoded",
                                "Accept-Encoding": "identity"})
        if answer.status == 429 or answer.status >= 500:
            raise CrmError(f"Greenhouse token endpoint answered {answer.status}",
                           retry_after=retry_after(answer.headers))
        if answer.status != 200:
            raise CrmError(f"Greenhouse refused the client credentials ({answer.status})",
                           retryable=False)
        payload = self.json(answer)
        token = payload.get("access_token") if isinstance(payload, dict) else None
        if not isinstance(token, str) or not token:
            raise CrmError("Greenhouse token answer has no access_token", retryable=False)
        expires = payload.get("expires_in", 3600)
        return token, float(expires) if isinstance(expires, int | float) else 3600.0
