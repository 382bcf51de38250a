"""A stand-in Lever: a real HTTP server on loopback speaking Lever's Data API v1 as the team's reference
describes it, and the CRM's webhook side (signed deliveries).

Built from the documented shapes (/work/shared/spec/crm-connectors.md section 2): an API key in HTTP Basic
(the key as user name, a blank password; anything else 401), list answers `{data, hasNext, next}` with
`limit` 1 to 100 and the next page asked for with `offset=<next>` beside the same filters, the
`contact_id` and `updated_at_start`/`updated_at_end` (epoch ms) filters, parsed resumes under
`GET /v1/opportunities/{id}/resumes` (`data[].parsedData.positions[]` with org, title, summary,
start{year,month}, end{year,month}), tags on the opportunity changed only through the additive
`POST …/addTags` and `…/removeTags` (`{"tags": [...]}`), and a token bucket per key of 10 requests a
second with bursts of 20, answering 429 when empty (Lever documents no rate headers, so none are sent
unless a test asks for Retry-After). Webhooks: `signature` = hex HMAC-SHA256(signature token,
token + triggeredAt), both in the body.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.servers import json_api_server

API_KEY = "lever-api-key-1"
SIGNATURE_TOKEN = "lever-signature-token-1"

def position(title: str, org: str, start: tuple[int, int] | None, end: tuple[int, int] | None,
             summary: str = "") -> dict[str, Any]:
    """A parsed position as Lever's resume parser gives it."""
    def month(value: tuple[int, int] | None) -> dict[str, int] | None:
        return None if value is None else {"year": value[0], "month": value[1]}
    return {"org": org, "title": title, "summary": summary, "location": "Toronto",
            "start": month(start), "end": month(end)}


def sign(token_key: str, token: str, triggered_at: int) -> str:
    return hmac.new(token_key.encode(), f"{token}{triggered_at}".encode(), hashlib.sha256).hexdigest()


@dataclass
class Call:
    at: float
    method: str
    path: str
    status: int
    query: dict[str, list[str]]
    body: Any = None


@dataclass
class FakeLever:
    """The records and the behaviour switches a test drives."""

    opportunities: dict[str, dict[str, Any]] = field(default_factory=dict)
    resumes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    api_key: str = API_KEY
    rate_limit_every: int = 0  # every n-th API call answers 429 (0: never)
    retry_after: int | None = None  # a Retry-After on the 429s above (Lever documents none)
    bucket_size: float = 20.0  # Lever: bursts up to 20
    refill_per_second: float = 10.0  # Lever: 10 requests a second steady
    too_early: list[str] = field(default_factory=list)  # calls before a Retry-After ran out
    emptied_bucket: int = 0  # calls refused because the bucket was empty
    scripted: list[int] = field(default_factory=list)  # statuses for the next API calls (0: normal)
    lock: threading.Lock = field(default_factory=threading.Lock)
    base_url: str = ""
    _tokens: float = 20.0
    _refilled_at: float = field(default_factory=time.monotonic)
    _blocked_until: float = 0.0
    _api_calls: int = 0

    # --- records ---------------------------------------------------------------------------------

    def add_opportunity(self, contact: str, resumes: list[list[dict[str, Any]]], *,
                        opportunity_id: str | None = None, tags: list[str] | None = None) -> str:
        """One opportunity of `contact` with one resume per list of parsed positions."""
        opportunity_id = opportunity_id or str(uuid.uuid4())
        now = _ms()
        with self.lock:
            self.opportunities[opportunity_id] = {
                "id": opportunity_id, "name": "Ada Lo", "contact": contact, "headline": "Firm A, Firm B",
                "tags": list(tags or []), "createdAt": now, "updatedAt": now, "archived": None}
            self.resumes[opportunity_id] = [
                {"id": str(uuid.uuid4()), "createdAt": now,
                 "file": {"name": "cv.pdf", "ext": ".pdf", "downloadUrl": "https://x/cv.pdf"},
                 "parsedData": {"positions": copy.deepcopy(positions), "schools": []}}
                for positions in resumes]
        return opportunity_id

    def touch(self, opportunity_id: str) -> None:
        with self.lock:
            self.opportunities[opportunity_id]["updatedAt"] = _ms()

    def tags_of(self, contact: str) -> dict[str, list[str]]:
        """Each opportunity of the contact with its tags, sorted."""
        with self.lock:
            return {o["id"]: sorted(o["tags"]) for o in self.opportunities.values()
                    if o["contact"] == contact}

    def tag_calls(self) -> list[Call]:
        return [c for c in self.calls if c.method == "POST"]

    def api_calls(self, suffix: str = "") -> list[Call]:
        return [c for c in self.calls if c.path.endswith(suffix)]

    # --- webhooks ---------------------------------------------------------------------------------

    def webhook(self, event: str, contact: str, *, opportunity_id: str | None = None,
                token_key: str = SIGNATURE_TOKEN) -> bytes:
        """A signed delivery as Lever makes it: ids only, signature over token + triggeredAt."""
        token, triggered = uuid.uuid4().hex, _ms()
        return json.dumps({"id": str(uuid.uuid4()), "triggeredAt": triggered, "event": event,
                           "token": token, "signature": sign(token_key, token, triggered),
                           "data": {"contactId": contact, "opportunityId": opportunity_id,
                                    "candidateId": opportunity_id}}).encode()

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
            bucket_empty = not self._take_token(now)
        status, extra, answer = self._api(method, parts.path, query, headers, payload,
                                          forced=forced, bucket_empty=bucket_empty)
        with self.lock:
            if status == 429 and self.retry_after is not None:
                self._blocked_until = time.monotonic() + self.retry_after
            self.calls.append(Call(time.time(), method, parts.path, status, query, payload))
        return status, extra, answer

    def _take_token(self, now: float) -> bool:
        refilled = (now - self._refilled_at) * self.refill_per_second
        self._tokens = min(self.bucket_size, self._tokens + refilled)
        self._refilled_at = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True

    def _api(self, method: str, path: str, query: dict[str, list[str]], headers: dict[str, str],
             payload: Any, *, forced: bool, bucket_empty: bool) -> tuple[int, dict[str, str], Any]:
        expected = "Basic " + base64.b64encode(f"{self.api_key}:".encode()).decode()
        if headers.get("authorization") != expected:
            return 401, {}, {"code": "UnauthorizedError", "message": "Invalid API key"}
        if forced or bucket_empty:
            with self.lock:
                self.emptied_bucket += bucket_empty
            extra = {} if self.retry_after is None else {"Retry-After": str(self.retry_after)}
            return 429, extra, {"code": "TooManyRequests", "message": "Rate limit exceeded"}
        with self.lock:
            scripted = self.scripted.pop(0) if self.scripted else None
        if scripted:
            return scripted, {}, {"code": "Scripted", "message": f"scripted {scripted}"}
        segments = [unquote(s) for s in path.strip("/").split("/")]
        if method == "GET" and segments == ["v1", "opportunities"]:
            return self._list(query, self._opportunities(query))
        if method == "GET" and len(segments) == 4 and segments[3] == "resumes":
            with self.lock:
                found = self.resumes.get(segments[2])
            return (404, {}, {"code": "ResourceNotFound"}) if found is None else self._list(query, found)
        if method == "POST" and len(segments) == 4 and segments[3] in ("addTags", "removeTags"):
            return self._tags(segments[2], segments[3], payload)
        return 404, {}, {"code": "ResourceNotFound", "message": "Not found"}

    def _opportunities(self, query: dict[str, list[str]]) -> list[dict[str, Any]]:
        with self.lock:
            rows = sorted(self.opportunities.values(), key=lambda o: o["createdAt"])
        if "contact_id" in query:
            rows = [r for r in rows if r["contact"] in query["contact_id"]]
        if "updated_at_start" in query:
            rows = [r for r in rows if r["updatedAt"] >= int(query["updated_at_start"][0])]
        if "updated_at_end" in query:
            rows = [r for r in rows if r["updatedAt"] < int(query["updated_at_end"][0])]
        return [dict(r, tags=list(r["tags"])) for r in rows]

    @staticmethod
    def _list(query: dict[str, list[str]], rows: list[dict[str, Any]]) -> tuple[int, dict[str, str], Any]:
        limit = int(query.get("limit", ["100"])[0])
        if not 1 <= limit <= 100:
            return 400, {}, {"code": "BadRequestError", "message": "limit must be between 1 and 100"}
        offset = int(base64.urlsafe_b64decode(query["offset"][0])) if "offset" in query else 0
        page = rows[offset:offset + limit]
        more = offset + limit < len(rows)
        answer: dict[str, Any] = {"data": page, "hasNext": more}
        if more:
            answer["next"] = base64.urlsafe_b64encode(str(offset + limit).encode()).decode()
        return 200, {}, answer

    def _tags(self, opportunity_id: str, action: str, payload: Any) -> tuple[int, dict[str, str], Any]:
        if not isinstance(payload, dict) or not isinstance(payload.get("tags"), list):
            return 400, {}, {"code": "BadRequestError", "message": "tags must be a list"}
        with self.lock:
            opportunity = self.opportunities.get(opportunity_id)
            if opportunity is None:
                return 404, {}, {"code": "ResourceNotFound"}
            if action == "addTags":
                opportunity["tags"] += [t for t in payload["tags"] if t not in opportunity["tags"]]
            else:
                opportunity["tags"] = [t for t in opportunity["tags"] if t not in payload["tags"]]
            opportunity["updatedAt"] = _ms()
            return 200, {}, {"data": dict(opportunity)}


def _ms() -> int:
    return int(time.time() * 1000)


@contextmanager
def lever_server() -> Iterator[FakeLever]:
    fake = FakeLever()

    with json_api_server(fake.handle, methods=("GET", "POST")) as base_url:
        fake.base_url = base_url
        yield fake
