"""A stand-in Bullhorn: a real HTTP server on loopback speaking the OAuth login, the REST API and the event
subscriptions as the team's reference describes them (crm-connectors.md section 3).

Login: `GET /oauth/authorize?client_id&response_type=code&action=Login&username&password` answers a
redirect whose Location carries a one-time `code`; `POST /oauth/token?grant_type=authorization_code&code&
client_id&client_secret` (or `grant_type=refresh_token&refresh_token`) gives `access_token` (10 minutes),
`refresh_token` (single use: each refresh rotates it) and `expires_in`; `POST /rest-services/login?
version=*&access_token` gives `BhRestToken` and `restUrl` (`/rest-services/corp1/`).

REST: every call needs a live `BhRestToken` header (else 401). `GET entity/Candidate/{id}?fields` answers
`{"data": {...}}` (404 when unknown); `GET query/{Entity}?where&fields&start&count` answers
`{start, count, total, data}` (CandidateWorkHistory by `candidate.id=N`, Candidate by
`dateLastModified>=ms`), dates in epoch ms; `POST entity/Candidate/{id}` updates.

Events: `PUT event/subscription/{id}?type=entity&names&eventTypes`; `GET event/subscription/{id}?maxEvents`
gives `{requestId, events[]}` and purges them (an empty body when there are none), `requestId=<n>` reads
batch n again (a batch it no longer has answers 404: the reference does not say); `GET …/{id}/lastRequestId`
the latest id (its shape is not in the reference: a bare number here). Events carry ids only
(`entityName`, `entityId`, `entityEventType`, `updatedProperties`).
A scripted status answers the next REST calls (429: "wait 1 second then retry").
"""

from __future__ import annotations

import calendar
import copy
import itertools
import json
import re
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.servers import json_api_server

CLIENT_ID = "bh-client-1"
CLIENT_SECRET = "bh-client-secret-1"
USERNAME = "passion.api"
PASSWORD = "bh-password-1"
CORP = "corp1"


def ms(year: int, month: int) -> int:
    """The first of a month as Bullhorn's epoch milliseconds (UTC)."""
    return calendar.timegm((year, month, 1, 12, 0, 0)) * 1000


def work(title: str, company: str, start: int | None, end: int | None, comments: str = "") -> dict[str, Any]:
    """One CandidateWorkHistory row as Bullhorn stores it."""
    return {"title": title, "companyName": company, "startDate": start, "endDate": end,
            "comments": comments, "isLastJob": end is None}


@dataclass
class Call:
    method: str
    path: str
    status: int
    query: dict[str, list[str]]
    body: Any = None


@dataclass
class FakeBullhorn:
    """The records, the sessions and the behaviour switches a test drives."""

    candidates: dict[int, dict[str, Any]] = field(default_factory=dict)
    histories: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    subscriptions: dict[str, dict[str, Any]] = field(default_factory=dict)
    scripted: list[int] = field(default_factory=list)  # statuses for the next REST calls (0: normal)
    lock: threading.Lock = field(default_factory=threading.Lock)
    base_url: str = ""
    _codes: set[str] = field(default_factory=set)
    _access: dict[str, float] = field(default_factory=dict)  # access token -> expiry
    _refresh: set[str] = field(default_factory=set)  # live refresh tokens (each used once)
    _sessions: set[str] = field(default_factory=set)  # live BhRestTokens
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def auth_url(self) -> str:
        return self.base_url

    @property
    def login_url(self) -> str:
        return f"{self.base_url}/rest-services"

    # --- records ---------------------------------------------------------------------------------

    def add_candidate(self, candidate_id: int, rows: list[dict[str, Any]]) -> None:
        with self.lock:
            self.candidates[candidate_id] = {"id": candidate_id, "firstName": "Cindy",
                                             "lastName": "Sawyers", "isDeleted": False,
                                             "dateLastModified": int(time.time() * 1000)}
            self.histories[candidate_id] = [{**copy.deepcopy(r), "id": next(self._ids)} for r in rows]
            self._event("Candidate", candidate_id, "INSERTED")

    def edit(self, candidate_id: int, rows: list[dict[str, Any]]) -> None:
        """A recruiter edits the candidate's history."""
        with self.lock:
            self.histories[candidate_id] = [{**copy.deepcopy(r), "id": next(self._ids)} for r in rows]
            self.candidates[candidate_id]["dateLastModified"] = int(time.time() * 1000)
            self._event("Candidate", candidate_id, "UPDATED", ["occupation"])

    def delete(self, candidate_id: int) -> None:
        with self.lock:
            del self.candidates[candidate_id]
            self.histories.pop(candidate_id, None)
            self._event("Candidate", candidate_id, "DELETED")

    def field_of(self, candidate_id: int, name: str) -> Any:
        with self.lock:
            return self.candidates[candidate_id].get(name)

    def set_field(self, candidate_id: int, name: str, value: Any) -> None:
        with self.lock:
            self.candidates[candidate_id][name] = value

    def expire_sessions(self) -> None:
        """Every BhRestToken times out (the session's ttl)."""
        with self.lock:
            self._sessions.clear()

    def updates(self) -> list[Call]:
        return [c for c in self.calls if c.method == "POST" and "/entity/Candidate/" in c.path]

    def rest_calls(self) -> list[Call]:
        return [c for c in self.calls if f"/rest-services/{CORP}/" in c.path]

    def _event(self, entity: str, entity_id: int, kind: str, properties: list[str] | None = None) -> None:
        for subscription in self.subscriptions.values():
            if entity in subscription["names"] and kind in subscription["types"]:
                subscription["queue"].append({
                    "eventId": f"ID:JBM-{next(self._ids)}", "eventType": "ENTITY",
                    "eventTimestamp": int(time.time() * 1000),
                    "eventMetadata": {"PERSON_ID": "1314", "TRANSACTION_ID": secrets.token_hex(8)},
                    "entityName": entity, "entityId": entity_id, "entityEventType": kind,
                    "updatedProperties": list(properties or [])})

    # --- HTTP ------------------------------------------------------------------------------------

    def handle(self, method: str, url: str, headers: dict[str, str], body: bytes
               ) -> tuple[int, dict[str, str], Any]:
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        payload = json.loads(body) if body else None
        with self.lock:
            status, extra, answer = self._route(method, parts.path, query, headers, payload)
            self.calls.append(Call(method, parts.path, status, query, payload))
        return status, extra, answer

    def _route(self, method: str, path: str, query: dict[str, list[str]], headers: dict[str, str],
               payload: Any) -> tuple[int, dict[str, str], Any]:
        one = {k: v[0] for k, v in query.items()}
        if method == "GET" and path == "/oauth/authorize":
            return self._authorize(one)
        if method == "POST" and path == "/oauth/token":
            return self._token(one)
        if method == "POST" and path == "/rest-services/login":
            return self._login(one)
        prefix = f"/rest-services/{CORP}/"
        if not path.startswith(prefix):
            return 404, {}, {"errorMessage": "not found"}
        if headers.get("bhresttoken") not in self._sessions:
            return 401, {}, {"errorMessage": "Bad 'BhRestToken' or timed-out."}
        scripted = self.scripted.pop(0) if self.scripted else 0
        if scripted:
            return scripted, {}, {"errorMessage": f"scripted {scripted}"}
        return self._rest(method, [unquote(s) for s in path[len(prefix):].split("/")], one, payload)

    def _authorize(self, q: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        if (q.get("client_id"), q.get("response_type"), q.get("action")) != (CLIENT_ID, "code", "Login") or \
                (q.get("username"), q.get("password")) != (USERNAME, PASSWORD):
            return 200, {}, {"error": "Invalid credentials"}  # Bullhorn shows its login page again
        code = secrets.token_hex(8)
        self._codes.add(code)
        return 302, {"Location": f"https://example.invalid/callback?code={code}&client_id={CLIENT_ID}"}, None

    def _token(self, q: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        if (q.get("client_id"), q.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
            return 400, {}, {"error": "invalid_client"}
        if q.get("grant_type") == "authorization_code" and q.get("code") in self._codes:
            self._codes.discard(q["code"])
        elif q.get("grant_type") == "refresh_token" and q.get("refresh_token") in self._refresh:
            self._refresh.discard(q["refresh_token"])
        else:
            return 400, {}, {"error": "invalid_grant"}
        access, refresh = secrets.token_hex(8), secrets.token_hex(8)
        self._access[access] = time.time() + 600
        self._refresh.add(refresh)
        return 200, {}, {"access_token": access, "token_type": "Bearer", "expires_in": 600,
                         "refresh_token": refresh}

    def _login(self, q: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        if q.get("version") != "*" or self._access.get(q.get("access_token", ""), 0) < time.time():
            return 401, {}, {"errorMessage": "Invalid access token"}
        token = secrets.token_hex(8)
        self._sessions.add(token)
        return 200, {}, {"BhRestToken": token, "restUrl": f"{self.base_url}/rest-services/{CORP}/"}

    def _rest(self, method: str, route: list[str], q: dict[str, str], payload: Any
              ) -> tuple[int, dict[str, str], Any]:
        if route[:2] == ["entity", "Candidate"] and len(route) == 3 and route[2].isdigit():
            found = self.candidates.get(int(route[2]))
            if found is None:
                return 404, {}, {"errorMessage": "entity not found"}
            if method == "POST":
                return self._update(found, payload)
            wanted = set(q.get("fields", "").split(","))
            return 200, {}, {"data": {k: v for k, v in found.items() if k in wanted or k == "id"}}
        if method == "GET" and route[0] == "query" and len(route) == 2:
            return self._query(route[1], q)
        if route[:2] == ["event", "subscription"] and len(route) in (3, 4):
            return self._subscription(method, route[2:], q)
        return 404, {}, {"errorMessage": "not found"}

    def _update(self, found: dict[str, Any], payload: Any) -> tuple[int, dict[str, str], Any]:
        custom = re.compile(r"customText(Block)?\d+")
        if not isinstance(payload, dict) or any(not custom.fullmatch(k) for k in payload):
            return 400, {}, {"errorMessage": "unknown field"}
        found.update(payload)
        found["dateLastModified"] = int(time.time() * 1000)
        self._event("Candidate", found["id"], "UPDATED", list(payload))
        return 200, {}, {"changedEntityType": "Candidate", "changedEntityId": found["id"],
                         "changeType": "UPDATE"}

    def _query(self, entity: str, q: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        where, fields = q.get("where", ""), q.get("fields", "")
        if not where or not fields:
            return 400, {}, {"errorMessage": "where and fields are required"}
        if entity == "CandidateWorkHistory" and (found := re.fullmatch(r"candidate\.id=(\d+)", where)):
            rows = sorted(self.histories.get(int(found.group(1)), []), key=lambda r: r["id"])
        elif entity == "Candidate" and (found := re.fullmatch(r"dateLastModified>=(\d+)", where)):
            rows = sorted((c for c in self.candidates.values()
                           if c["dateLastModified"] >= int(found.group(1))), key=lambda c: c["id"])
        elif entity == "Candidate" and where == "id>0":
            rows = sorted(self.candidates.values(), key=lambda c: c["id"])
        else:
            return 400, {}, {"errorMessage": "unsupported where"}
        start, count = int(q.get("start", "0")), int(q.get("count", "20"))
        wanted = set(fields.split(","))
        page = [{k: v for k, v in r.items() if k in wanted or k == "id"} for r in rows[start:start + count]]
        return 200, {}, {"start": start, "count": len(page), "total": len(rows), "data": page}

    def _subscription(self, method: str, route: list[str], q: dict[str, str]
                      ) -> tuple[int, dict[str, str], Any]:
        name = route[0]
        if method == "PUT" and len(route) == 1:
            if q.get("type") != "entity" or name in self.subscriptions:
                return 400, {}, {"errorMessage": "bad or existing subscription"}
            self.subscriptions[name] = {"names": q.get("names", "").split(","),
                                        "types": q.get("eventTypes", "").split(","),
                                        "queue": [], "batches": {}, "last": 0}
            return 200, {}, {"subscriptionId": name, "createdOn": int(time.time() * 1000)}
        subscription = self.subscriptions.get(name)
        if subscription is None or method != "GET":
            return 404, {}, {"errorMessage": "no such subscription"}
        if len(route) == 2:
            return (200, {}, subscription["last"]) if route[1] == "lastRequestId" else (404, {}, None)
        if "requestId" in q:
            batch = subscription["batches"].get(int(q["requestId"]))
            return (200, {}, batch) if batch is not None else (404, {}, {"errorMessage": "no such request"})
        taken = subscription["queue"][:int(q.get("maxEvents", "100"))]
        if not taken:
            return 200, {}, None
        del subscription["queue"][:len(taken)]
        subscription["last"] += 1
        batch = {"requestId": subscription["last"], "events": taken}
        subscription["batches"][subscription["last"]] = batch
        return 200, {}, batch


@contextmanager
def bullhorn_server() -> Iterator[FakeBullhorn]:
    fake = FakeBullhorn()

    with json_api_server(fake.handle, methods=("GET", "PUT", "POST")) as base_url:
        fake.base_url = base_url
        yield fake
