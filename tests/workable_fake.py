"""A stand-in Workable: a real HTTP server on loopback speaking SPI v3 as the team's reference describes it,
and the CRM's webhook side (signed deliveries).

Built from the documented shapes (the team's reference, crm-connectors.md section 4): every account on its own
host (here a first path segment, `/<subdomain>/spi/v3/…`), `Authorization: Bearer <API token>` (anything
else 401); `GET /spi/v3/candidates` with `limit` (default 50) and `updated_after`, its rows without
experience or tags, the next page as the full URL in `paging.next`; `GET /spi/v3/candidates/{id}` with
`experience_entries[]{title, company, summary (HTML), start_date, end_date, current, industry}`, `tags` and
`updated_at`; `PUT /spi/v3/candidates/{id}/tags {"tags": [...]}` replacing the whole list (202); windows of
10 calls per account token (the window 10 s, shortened by tests that make many calls), with
`X-Rate-Limit-Limit`, `-Remaining` and `-Reset` on every answer and 429 past the limit. Webhooks: the full
candidate in `{id, fired_at, resource_type, event_type, data}`, `X-Workable-Signature` = hex HMAC-SHA256 of
the body under the API token.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import math
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from tests.servers import json_api_server

API_TOKEN = "workable-api-token-1"
SUBDOMAIN = "acme"


def entry(title: str, company: str, start: str | None, end: str | None, summary: str = "", *,
          current: bool = False) -> dict[str, Any]:
    """One experience entry as Workable gives it (dates "YYYY-MM-DD", the summary HTML)."""
    return {"title": title, "company": company, "summary": summary, "start_date": start,
            "end_date": end, "current": current, "industry": None}


def sign(token: str, body: bytes) -> str:
    return hmac.new(token.encode(), body, hashlib.sha256).hexdigest()


def _stamp(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class Call:
    at: float
    method: str
    path: str
    status: int
    query: dict[str, list[str]]
    body: Any = None


@dataclass
class FakeWorkable:
    """The records and the behaviour switches a test drives."""

    candidates: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    api_token: str = API_TOKEN
    window_seconds: float = 10.0  # Workable: windows of 10 s
    window_limit: int = 10  # Workable: 10 calls a window for an account token
    rate_limit_every: int = 0  # every n-th API call answers 429 (0: never)
    retry_after: int | None = None  # a Retry-After on the 429s above
    too_early: list[str] = field(default_factory=list)  # calls before a Retry-After ran out
    over_limit: int = 0  # calls refused because the window's calls were used up
    scripted: list[int] = field(default_factory=list)  # statuses for the next API calls (0: normal)
    on_read: Any = None  # called with the candidate id on each candidate read (a recruiter's edit)
    lock: threading.Lock = field(default_factory=threading.Lock)
    base_url: str = ""
    _window: tuple[int, int] = (0, 0)  # (window index, calls in it)
    _blocked_until: float = 0.0
    _api_calls: int = 0

    @property
    def api_url(self) -> str:
        """What WORKABLE_API_URL is set to: the account's host, by subdomain."""
        return f"{self.base_url}/{{subdomain}}"

    # --- records ---------------------------------------------------------------------------------

    def add_candidate(self, candidate_id: str, entries: list[dict[str, Any]], *,
                      tags: list[str] | None = None) -> dict[str, Any]:
        now = time.time()
        with self.lock:
            self.candidates[candidate_id] = {
                "id": candidate_id, "name": "Cindy Sawyers", "headline": "Operations Manager",
                "job": {"shortcode": "GROOV005", "title": "Office Manager"}, "stage": "Phone screen",
                "experience_entries": copy.deepcopy(entries), "skills": [{"name": "Budgeting"}],
                "tags": list(tags or []), "created_at": _stamp(now), "updated_at": _stamp(now),
                "_updated": now}
            return self._public(self.candidates[candidate_id])

    def touch(self, candidate_id: str) -> None:
        with self.lock:
            self._touch(self.candidates[candidate_id])

    @staticmethod
    def _touch(candidate: dict[str, Any]) -> None:
        now = max(time.time(), candidate["_updated"] + 0.001)
        candidate.update(_updated=now, updated_at=_stamp(now))

    def tags_of(self, candidate_id: str) -> list[str]:
        with self.lock:
            return list(self.candidates[candidate_id]["tags"])

    def tag_calls(self) -> list[Call]:
        return [c for c in self.calls if c.method == "PUT"]

    def api_calls(self, suffix: str = "") -> list[Call]:
        return [c for c in self.calls if c.path.endswith(suffix)]

    # --- webhooks ---------------------------------------------------------------------------------

    def webhook(self, event_type: str, candidate_id: str, *, event_id: str | None = None,
                token: str = API_TOKEN) -> tuple[bytes, dict[str, str]]:
        """A signed delivery as Workable makes it: the full candidate, as it is when sent."""
        with self.lock:
            found = self.candidates.get(candidate_id)
            data = self._public(found) if found else {"id": candidate_id}
        body = json.dumps({"id": event_id or f"evt_{uuid.uuid4().hex}", "fired_at": _stamp(time.time()),
                           "resource_type": "candidate", "event_type": event_type,
                           "data": data}).encode()
        return body, {"Content-Type": "application/json", "X-Workable-Signature": sign(token, body)}

    # --- HTTP ------------------------------------------------------------------------------------

    def handle(self, method: str, url: str, headers: dict[str, str], body: bytes
               ) -> tuple[int, dict[str, str], Any]:
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        payload = json.loads(body) if body else None
        with self.lock:
            now = time.monotonic()
            if now < self._blocked_until:
                self.too_early.append(f"{method} {parts.path} {self._blocked_until - now:.3f}s early")
            self._api_calls += 1
            forced = bool(self.rate_limit_every) and self._api_calls % self.rate_limit_every == 0
            limits = self._count(time.time())
        status, extra, answer = self._api(method, parts.path, query, headers, payload, forced=forced,
                                          limits=limits)
        with self.lock:
            if status == 429 and self.retry_after is not None:
                self._blocked_until = time.monotonic() + self.retry_after
            self.calls.append(Call(time.time(), method, parts.path, status, query, payload))
        return status, extra, answer

    def _count(self, now: float) -> dict[str, str]:
        """Count the call in its window; the rate headers (remaining -1: over the limit)."""
        index = math.floor(now / self.window_seconds)
        used = self._window[1] + 1 if self._window[0] == index else 1
        self._window = (index, used)
        reset = math.ceil((index + 1) * self.window_seconds)
        return {"X-Rate-Limit-Limit": str(self.window_limit),
                "X-Rate-Limit-Remaining": str(self.window_limit - used),
                "X-Rate-Limit-Reset": str(reset)}

    def _api(self, method: str, path: str, query: dict[str, list[str]], headers: dict[str, str],
             payload: Any, *, forced: bool, limits: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        segments = [unquote(s) for s in path.strip("/").split("/")]
        if segments[:3] != [SUBDOMAIN, "spi", "v3"]:
            return 404, {}, {"error": "Not found"}
        if headers.get("authorization") != f"Bearer {self.api_token}":
            return 401, {}, {"error": "Not authorized"}
        over = int(limits["X-Rate-Limit-Remaining"]) < 0
        shown = {**limits, "X-Rate-Limit-Remaining": str(max(0, int(limits["X-Rate-Limit-Remaining"])))}
        if forced or over:
            with self.lock:
                self.over_limit += over
            extra = dict(shown) if self.retry_after is None else {**shown,
                                                                  "Retry-After": str(self.retry_after)}
            return 429, extra, {"error": "Too many requests"}
        with self.lock:
            scripted = self.scripted.pop(0) if self.scripted else None
        if scripted:
            return scripted, shown, {"error": f"scripted {scripted}"}
        route = segments[3:]
        if method == "GET" and route == ["candidates"]:
            return self._list(query, shown)
        if method == "GET" and len(route) == 2 and route[0] == "candidates":
            if self.on_read is not None:
                self.on_read(route[1])
            with self.lock:
                found = self.candidates.get(route[1])
                answer = None if found is None else {"candidate": self._public(found)}
            return (404, shown, {"error": "Not found"}) if answer is None else (200, shown, answer)
        if method == "PUT" and len(route) == 3 and route[0] == "candidates" and route[2] == "tags":
            return self._tags(route[1], payload, shown)
        return 404, shown, {"error": "Not found"}

    def _list(self, query: dict[str, list[str]], shown: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        limit = int(query.get("limit", ["50"])[0])
        if not 1 <= limit <= 100:
            return 400, shown, {"error": "limit must be between 1 and 100"}
        with self.lock:
            rows = sorted(self.candidates.values(), key=lambda c: (c["_updated"], c["id"]))
        if "updated_after" in query:
            after = datetime.fromisoformat(query["updated_after"][0].replace("Z", "+00:00")).timestamp()
            rows = [r for r in rows if r["_updated"] >= after]
        if "since_id" in query:
            ids = [r["id"] for r in rows]
            rows = rows[ids.index(query["since_id"][0]) + 1:] if query["since_id"][0] in ids else []
        page = rows[:limit]
        answer: dict[str, Any] = {"candidates": [{k: v for k, v in self._public(r).items()
                                                  if k not in ("experience_entries", "tags")}
                                                 for r in page]}
        if len(rows) > limit:
            following = {**{k: v[0] for k, v in query.items()}, "since_id": page[-1]["id"]}
            answer["paging"] = {"next": f"{self.base_url}/{SUBDOMAIN}/spi/v3/candidates?"
                                        f"{urlencode(following)}"}
        return 200, shown, answer

    def _tags(self, candidate_id: str, payload: Any, shown: dict[str, str]
              ) -> tuple[int, dict[str, str], Any]:
        if not isinstance(payload, dict) or not isinstance(payload.get("tags"), list):
            return 422, shown, {"error": "tags must be a list"}
        with self.lock:
            found = self.candidates.get(candidate_id)
            if found is None:
                return 404, shown, {"error": "Not found"}
            found["tags"] = [str(t) for t in payload["tags"]]
            self._touch(found)
        return 202, shown, None

    @staticmethod
    def _public(candidate: dict[str, Any]) -> dict[str, Any]:
        return copy.deepcopy({k: v for k, v in candidate.items() if not k.startswith("_")})


@contextmanager
def workable_server() -> Iterator[FakeWorkable]:
    fake = FakeWorkable()

    with json_api_server(fake.handle, methods=("GET", "PUT", "POST")) as base_url:
        fake.base_url = base_url
        yield fake
