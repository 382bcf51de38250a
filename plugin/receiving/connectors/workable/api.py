"""The Workable SPI v3 client: an API access token as Bearer, on the account's own host
(`https://{subdomain}.workable.com`), lists followed through `paging.next`, on the shared client (one rate
gate and one call in flight per connection, for Workable's documented 10 calls per 10 s per account token).
A 401 is final: an access token does not refresh."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote

import redis

from plugin.receiving.connectors.api_client import ApiClient
from plugin.receiving.connectors.base import CrmAccount, CrmError

PAGE_SIZE = 100  # Workable's `limit` (default 50)
MAX_PAGES = 1000  # a `paging.next` that never ends is refused rather than followed for ever
CANDIDATES_PATH = "/spi/v3/candidates"
CANDIDATE_PATH = "/spi/v3/candidates/{id}"
TAGS_PATH = "/spi/v3/candidates/{id}/tags"
# a Workable account's subdomain: a DNS label, so that it can only ever name a host under workable.com
SUBDOMAIN = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


def candidate_path(template: str, candidate_id: str) -> str:
    return template.format(id=quote(candidate_id, safe=""))


def api_url(config: Mapping[str, Any], subdomain: str) -> str:
    """The account's API origin: WORKABLE_API_URL with `{subdomain}` filled in."""
    if not SUBDOMAIN.fullmatch(subdomain):
        raise CrmError("the Workable subdomain is not a DNS label", retryable=False)
    return str(config["WORKABLE_API_URL"]).replace("{subdomain}", subdomain)


class WorkableClient(ApiClient):
    """Calls for one Workable connection."""

    vendor = "Workable"

    def __init__(self, account: CrmAccount, config: Mapping[str, Any], *,
                 redis_client: redis.Redis | None = None, shared: bool = True) -> None:
        super().__init__(account, config,
                         api_url=api_url(config, account.credentials.get("subdomain", "")),
                         window_seconds=float(config["WORKABLE_RATE_WINDOW_SECONDS"]),
                         default_limit=int(config["WORKABLE_RATE_LIMIT"]),
                         redis_client=redis_client, shared=shared)

    def _authorization(self, *, refresh: bool = False) -> str:
        token = self.account.credentials.get("api_token")
        if not token:
            raise CrmError("the connection has no Workable API token", retryable=False)
        return f"Bearer {token}"

    def check_credentials(self) -> None:
        """What `connections create` runs: one small read with the token."""
        self.get(CANDIDATES_PATH, {"limit": 1})

    def candidate(self, candidate_id: str) -> Any:
        return self.get(candidate_path(CANDIDATE_PATH, candidate_id))

    def candidate_pages(self, params: Mapping[str, Any]) -> Iterator[list[Any]]:
        """Every page of the candidates list: the filters on the first call, then `paging.next` (a full
        URL, which carries them) as given, only on the account's own host."""
        url = self.url(CANDIDATES_PATH, {**params, "limit": PAGE_SIZE})
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            page = self.json(self.call("GET", url))
            rows = page.get("candidates") if isinstance(page, dict) else None
            if not isinstance(rows, list):
                raise CrmError("Workable answered a list call without a candidates list", retryable=False)
            yield rows
            paging = page.get("paging")
            following = paging.get("next") if isinstance(paging, dict) else None
            if not isinstance(following, str) or not following:
                return
            if not self.same_origin(following):
                raise CrmError("Workable's paging.next points outside the account's API", retryable=False)
            if following in seen or following == url:
                raise CrmError("Workable's paging.next repeats a page", retryable=False)
            seen.add(url)
            url = following
        raise CrmError(f"Workable listed more than {MAX_PAGES} pages", retryable=False)
