"""The Lever API client: an API key in HTTP Basic (the key as user name, a blank password), `offset`
pagination, on the shared client (one rate gate and one call in flight per connection, for Lever's
documented 10 requests a second, bursts of 20). A 401 is final: a key does not refresh."""

from __future__ import annotations

import base64
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote

import redis

from plugin.receiving.connectors.api_client import ApiClient, NotFound
from plugin.receiving.connectors.base import CrmAccount, CrmError

PAGE_SIZE = 100  # Lever's `limit` is 1 to 100
MAX_PAGES = 1000  # a `next` that never ends is refused rather than followed for ever
OPPORTUNITIES_PATH = "/v1/opportunities"
RESUMES_PATH = "/v1/opportunities/{id}/resumes"


def opportunity_path(template: str, opportunity_id: str) -> str:
    return template.format(id=quote(opportunity_id, safe=""))


class LeverClient(ApiClient):
    """Calls for one Lever connection."""

    vendor = "Lever"

    def __init__(self, account: CrmAccount, config: Mapping[str, Any], *,
                 redis_client: redis.Redis | None = None, shared: bool = True) -> None:
        super().__init__(account, config, api_url=str(config["LEVER_API_URL"]),
                         window_seconds=float(config["LEVER_RATE_WINDOW_SECONDS"]),
                         default_limit=int(config["LEVER_RATE_LIMIT"]),
                         redis_client=redis_client, shared=shared)

    def _authorization(self, *, refresh: bool = False) -> str:
        key = self.account.credentials.get("api_key")
        if not key:
            raise CrmError("the connection has no Lever API key", retryable=False)
        return "Basic " + base64.b64encode(f"{key}:".encode()).decode()

    def pages(self, path: str, params: Mapping[str, Any]) -> Iterator[list[Any]]:
        """Every page of a list endpoint: `{data, hasNext, next}`, the next page asked for with
        `offset=<next>` beside the same filters."""
        query = {**params, "limit": PAGE_SIZE}
        for _ in range(MAX_PAGES):
            page = self.get(path, query)
            data = page.get("data") if isinstance(page, dict) else None
            if not isinstance(data, list):
                raise CrmError("Lever answered a list call without a data list", retryable=False)
            yield data
            following = page.get("next")
            if page.get("hasNext") is not True or not isinstance(following, str) or not following:
                return
            if following == query.get("offset"):
                raise CrmError("Lever's next offset repeats the current one", retryable=False)
            query["offset"] = following
        raise CrmError(f"Lever listed more than {MAX_PAGES} pages", retryable=False)

    def check_credentials(self) -> None:
        """What `connections create` runs: one small read with the key."""
        self.get("/v1/opportunities", {"limit": 1})

    def opportunities(self, contact_id: str) -> list[dict[str, Any]]:
        """The contact's opportunities (the `contact_id` filter, every page)."""
        return [row for page in self.pages(OPPORTUNITIES_PATH, {"contact_id": contact_id})
                for row in page if isinstance(row, dict) and isinstance(row.get("id"), str) and row["id"]]

    def resumes(self, opportunity_ids: list[str]) -> list[Any]:
        """The resumes of each opportunity, parsed data included; one deleted since it was listed has
        none."""
        found: list[Any] = []
        for opportunity_id in opportunity_ids:
            try:
                found += [resume for page in self.pages(opportunity_path(RESUMES_PATH, opportunity_id), {})
                          for resume in page]
            except NotFound:
                continue
        return found
