"""A stand-in Greenhouse: a real HTTP server on loopback speaking Harvest v3 as its docs describe it, and
the CRM's webhook side (signed deliveries built from the same records).

Built from the documented shapes (/work/shared/spec/crm-connectors.md section 1, harvestdocs pages on
authentication, pagination and list filters): OAuth client credentials at the token endpoint (HTTP Basic,
form body, `expires_in`), Bearer calls, cursor pagination in a `Link: <…>; rel="next"` header where the
cursor must be the only query parameter, `updated_at=gte|<ISO>` filters, `X-RateLimit-Limit` and
`X-RateLimit-Remaining` on every answer, 429 with `Retry-After`, 401 for a bad token, 404, 422 for a
select field without options or an unknown option id, custom fields keyed by `name_key`, and duplicate
option names silently ignored. What v3 leaves undocumented (the write routes for custom fields, the
employments route) follows v1's documented shapes under /v3, as the connector does: see
docs/connectors.md.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.servers import json_api_server

CLIENT_ID, CLIENT_SECRET = "gh-client", "gh-client-secret"


def greenhouse_json(payload: Any) -> bytes:
    """JSON as Greenhouse sends it: HTML-significant characters escaped (`<p>` becomes `\\u003cp\\u003e`)."""
    text = json.dumps(payload)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").encode()


def sign(secret: str, body: bytes) -> str:
    """The documented header value: "sha256 " and the hex HMAC-SHA256 of the entire raw body."""
    return "sha256 " + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass
class Call:
    at: float
    method: str
    path: str
    status: int
    query: dict[str, list[str]]


@dataclass
class FakeGreenhouse:
    """The records and the behaviour switches a test drives."""

    candidates: dict[int, dict[str, Any]] = field(default_factory=dict)
    employments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    fields: list[dict[str, Any]] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)
    token_requests: int = 0
    rate_limit_every: int = 0  # every n-th API call answers 429 (0: never)
    retry_after: int = 1
    limit: int = 1000
    too_early: list[str] = field(default_factory=list)  # calls that came before a Retry-After ran out
    scripted: list[int] = field(default_factory=list)  # statuses for the next API calls (0: answer normally)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _blocked_until: float = 0.0
    _api_calls: int = 0
    _next_id: int = 9000

    # --- records ---------------------------------------------------------------------------------

    def add_candidate(self, candidate_id: int, jobs: list[tuple[str, str, str, str | None]], *,
                      worksheet: str | None = None) -> None:
        """jobs: (title, company, start ISO date, end ISO date or None)."""
        with self.lock:
            self.candidates[candidate_id] = {
                "id": candidate_id, "first_name": "Ada", "last_name": "Lo",
                "updated_at": self._now(), "custom_fields": {}}
            if worksheet is not None:
                self.candidates[candidate_id]["custom_fields"]["passion_worksheet"] = {
                    "name": "Passion Worksheet", "type": "long_text", "value": worksheet}
            self.employments[candidate_id] = [
                {"id": self._new_id(), "candidate_id": candidate_id, "title": title, "company_name": company,
                 "start_date": start, "end_date": end} for title, company, start, end in jobs]

    def touch(self, candidate_id: int) -> None:
        with self.lock:
            self.candidates[candidate_id]["updated_at"] = self._now()

    def field_values(self, candidate_id: int) -> list[str]:
        """The names of the options set on the candidate's Passion Tagger field."""
        with self.lock:
            ours = next((f for f in self.fields if f["name"] == "Passion Tagger"), None)
            if ours is None:
                return []
            value = self.candidates[candidate_id]["custom_fields"].get(ours["name_key"], {}).get("value")
            names = {o["id"]: o["name"] for o in ours["custom_field_options"]}
            return sorted(names[i] for i in value or [])

    def patches(self) -> list[Call]:
        return [c for c in self.calls if c.method == "PATCH"]

    # --- webhooks ---------------------------------------------------------------------------------

    def webhook(self, secret: str, action: str, candidate_id: int, *,
                event_id: str | None = None) -> tuple[bytes, dict[str, str]]:
        """A signed delivery as Greenhouse makes it (update_candidate carries the full candidate with
        MM/DD/YYYY employment dates and custom_fields keyed by name_key)."""
        with self.lock:
            candidate = self.candidates[candidate_id]
            employments = [{"company_name": e["company_name"], "title": e["title"],
                            "start_date": _webhook_date(e["start_date"]),
                            "end_date": _webhook_date(e["end_date"])}
                           for e in self.employments[candidate_id]]
            full = {**candidate, "employments": employments, "custom_fields": _keyed(candidate, self.fields)}
        if action == "update_candidate":
            payload: dict[str, Any] = {"candidate": full}
        elif action in ("new_candidate_application", "new_prospect_application"):
            payload = {"application": {"id": 1, "candidate": {**full, "employments": []}}}
        else:
            payload = {"person": {"id": candidate_id}}
        body = greenhouse_json({"action": action, "payload": payload})
        return body, {"Signature": sign(secret, body), "Greenhouse-Event-ID": event_id or str(uuid.uuid4()),
                      "Content-Type": "application/json", "User-Agent": "Greenhouse"}

    # --- HTTP ------------------------------------------------------------------------------------

    def handle(self, method: str, url: str, headers: dict[str, str], body: bytes
               ) -> tuple[int, dict[str, str], Any]:
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        if parts.path == "/token":
            return self._token(headers, body)
        with self.lock:
            now = time.monotonic()
            if now < self._blocked_until:
                self.too_early.append(f"{method} {parts.path} {self._blocked_until - now:.3f}s early")
            self._api_calls += 1
            limited = self.rate_limit_every and self._api_calls % self.rate_limit_every == 0
        status, extra, answer = self._api(method, parts.path, query, headers, body, limited=bool(limited))
        with self.lock:
            if status == 429:  # from the moment the answer is decided, before the client can know
                self._blocked_until = time.monotonic() + self.retry_after
            self.calls.append(Call(time.time(), method, parts.path, status, query))
        rate = {"X-RateLimit-Limit": str(self.limit), "X-RateLimit-Remaining": str(self.limit)}
        return status, {**rate, **extra}, answer

    def _api(self, method: str, path: str, query: dict[str, list[str]], headers: dict[str, str],
             body: bytes, *, limited: bool) -> tuple[int, dict[str, str], Any]:
        token = headers.get("authorization", "").removeprefix("Bearer ")
        with self.lock:
            if token not in self.tokens:
                return 401, {}, {"errors": [{"message": "Unauthorized"}]}
        if limited:
            return 429, {"Retry-After": str(self.retry_after)}, {"errors": [{"message": "Too many"}]}
        with self.lock:
            scripted = self.scripted.pop(0) if self.scripted else None
        if scripted:
            return scripted, {}, {"errors": [{"message": f"scripted {scripted}"}]}
        if "cursor" in query and len(query) > 1:
            return 422, {}, {"errors": [{"message": "cursor must be the only parameter"}]}
        if method == "GET":
            return self._list(path, query)
        payload = json.loads(body or b"{}")
        if method == "POST" and path == "/v3/custom_fields":
            return self._create_field(payload)
        if method == "POST" and path.startswith("/v3/custom_field/"):
            return self._add_options(int(path.split("/")[3]), payload)
        if method == "PATCH" and path.startswith("/v3/candidates/"):
            return self._patch(int(path.rsplit("/", 1)[1]), payload)
        return 404, {}, {"errors": [{"message": "Not found"}]}

    def _token(self, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], Any]:
        expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        form = parse_qs(body.decode())
        if headers.get("authorization") != expected or form.get("grant_type") != ["client_credentials"]:
            return 401, {}, {"error": "invalid_client"}
        with self.lock:
            self.token_requests += 1
            token = f"tok-{uuid.uuid4().hex}"
            self.tokens.add(token)
        return 200, {}, {"access_token": token, "token_type": "Bearer", "expires_in": 3600}

    def expire_tokens(self) -> None:
        with self.lock:
            self.tokens.clear()

    def _list(self, path: str, query: dict[str, list[str]]) -> tuple[int, dict[str, str], Any]:
        if "cursor" in query:
            state = json.loads(base64.urlsafe_b64decode(query["cursor"][0]))
            path, query, offset = state["path"], state["query"], state["offset"]
        else:
            offset = 0
        with self.lock:
            rows = self._rows(path, query)
        if rows is None:
            return 404, {}, {"errors": [{"message": "Not found"}]}
        size = int(query.get("per_page", ["100"])[0])
        page, extra = rows[offset:offset + size], {}
        if offset + size < len(rows):
            cursor = base64.urlsafe_b64encode(json.dumps(
                {"path": path, "query": query, "offset": offset + size}).encode()).decode()
            extra["Link"] = f'<{self.base_url}{path}?cursor={cursor}>; rel="next"'
        return 200, extra, page

    def _rows(self, path: str, query: dict[str, list[str]]) -> list[dict[str, Any]] | None:
        if path == "/v3/candidates":
            rows = [{**c, "custom_fields": _keyed(c, self.fields)} for c in self.candidates.values()]
            if "ids" in query:
                wanted = {int(i) for i in query["ids"][0].split(",")}
                rows = [r for r in rows if r["id"] in wanted]
            if "updated_at" in query:
                operator, _, stamp = query["updated_at"][0].partition("|")
                assert operator == "gte", operator
                since = datetime.fromisoformat(stamp)
                rows = [r for r in rows if datetime.fromisoformat(r["updated_at"]) >= since]
            return sorted(rows, key=lambda r: -r["id"])
        if path == "/v3/candidate_employments":
            wanted = {int(i) for i in query["candidate_ids"][0].split(",")}
            return [e for cid in sorted(wanted) for e in self.employments.get(cid, [])]
        if path == "/v3/custom_fields":
            return [f for f in self.fields if f["field_type"] == query.get("field_type", ["candidate"])[0]]
        return None

    def _create_field(self, payload: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
        options = payload.get("custom_field_options") or []
        if payload.get("value_type") in ("single_select", "multi_select") and not options:
            return 422, {}, {"errors": [{"message": "Options are required", "field": "custom_field_options"}]}
        with self.lock:
            created = {"id": self._new_id(), "name": payload["name"], "field_type": payload["field_type"],
                       "value_type": payload["value_type"], "active": True,
                       "name_key": payload["name"].lower().replace(" ", "_"),
                       "custom_field_options": [{"id": self._new_id(), "name": o["name"],
                                                 "priority": o.get("priority"),
                                                 "external_id": o.get("external_id")} for o in options]}
            self.fields.append(created)
        return 201, {}, created

    def _add_options(self, field_id: int, payload: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
        with self.lock:
            target = next((f for f in self.fields if f["id"] == field_id), None)
            if target is None:
                return 404, {}, {"errors": [{"message": "Not found"}]}
            names = {o["name"] for o in target["custom_field_options"]}
            for option in payload.get("options", []):
                if option["name"] not in names:  # a duplicate name is silently ignored
                    target["custom_field_options"].append({"id": self._new_id(), "name": option["name"],
                                                           "priority": option.get("priority")})
        return 201, {}, None

    def _patch(self, candidate_id: int, payload: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
        with self.lock:
            candidate = self.candidates.get(candidate_id)
            if candidate is None:
                return 404, {}, {"errors": [{"message": "Not found"}]}
            for entry in payload.get("custom_fields", []):
                target = next((f for f in self.fields if f["name_key"] == entry.get("name_key")
                               or f["id"] == entry.get("id")), None)
                if target is None:
                    return 422, {}, {"errors": [{"message": "Unknown custom field"}]}
                if entry.get("delete_value") == "true":
                    candidate["custom_fields"].pop(target["name_key"], None)
                    continue
                known = {o["id"] for o in target["custom_field_options"]}
                if not isinstance(entry.get("value"), list) or not set(entry["value"]) <= known:
                    return 422, {}, {"errors": [{"message": "Invalid option id", "field": "value"}]}
                candidate["custom_fields"][target["name_key"]] = {"value": entry["value"]}
            candidate["updated_at"] = self._now()
        return 200, {}, {"id": candidate_id}

    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    @staticmethod
    def _now() -> str:
        return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    base_url: str = ""


def _webhook_date(iso: str | None) -> str | None:
    if iso is None:
        return None
    year, month, day = iso[:10].split("-")
    return f"{month}/{day}/{year}"


def _keyed(candidate: dict[str, Any], fields: list[dict[str, Any]]) -> dict[str, Any]:
    """custom_fields keyed by name_key, each {name, type, value} (select values as option names)."""
    out: dict[str, Any] = {}
    for key, entry in candidate["custom_fields"].items():
        spec = next((f for f in fields if f["name_key"] == key), None)
        if spec is None:
            out[key] = entry
            continue
        names = {o["id"]: o["name"] for o in spec["custom_field_options"]}
        out[key] = {"name": spec["name"], "type": spec["value_type"],
                    "value": [names[i] for i in entry["value"]]}
    return out


@contextmanager
def greenhouse_server() -> Iterator[FakeGreenhouse]:
    fake = FakeGreenhouse()

    with json_api_server(fake.handle, methods=("GET", "POST", "PATCH")) as base_url:
        fake.base_url = base_url
        yield fake
