"""The Bullhorn REST client: the API user's OAuth login (authorization code, then tokens, then the REST
`/login` that gives a `BhRestToken` and the corporation's `restUrl`), on the shared client (one rate gate
and one call in flight per connection; a 429 waited out, as Bullhorn says, a second at a time).

The session (BhRestToken, restUrl, the refresh token) is cached in Redis, encrypted, for every worker of
the connection. A 401 refreshes once: the refresh token (single use, rotated) gives a new access token and
a new session; if Bullhorn refuses it (another worker used it first, or it expired), the login starts again
from the username and password.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import redis
from cryptography.fernet import InvalidToken

from plugin.outbound import OutboundAnswer
from plugin.outbound.ratelimit import retry_after
from plugin.receiving.connectors.api_client import ApiClient
from plugin.receiving.connectors.base import CrmAccount, CrmError
from plugin.storage.crypto import decrypt, encrypt
from schemas.bullhorn import WORK_HISTORY_FIELDS, data_of

CREDENTIAL_KEYS = ("client_id", "client_secret", "username", "password")
PAGE_SIZE = 200  # `count` of a query page; Bullhorn documents no maximum for /query
MAX_PAGES = 1000  # a query whose pages never end is refused rather than followed for ever
SESSION_SECONDS = 24 * 3600  # the cached session is dropped after a day (a 401 renews it sooner)


@dataclass(frozen=True)
class Session:
    """What the REST login gave, and the refresh token that renews it."""

    rest_token: str
    rest_url: str
    refresh_token: str


class BullhornClient(ApiClient):
    """Calls for one Bullhorn connection."""

    vendor = "Bullhorn"
    refreshes_on_401 = True

    def __init__(self, account: CrmAccount, config: Mapping[str, Any], *,
                 redis_client: redis.Redis | None = None, shared: bool = True) -> None:
        super().__init__(account, config, api_url="", window_seconds=float(
            config["BULLHORN_RATE_WINDOW_SECONDS"]), default_limit=int(config["BULLHORN_RATE_LIMIT"]),
            redis_client=redis_client, shared=shared)
        self.auth_url = str(config["BULLHORN_AUTH_URL"]).rstrip("/")
        self.login_url = str(config["BULLHORN_LOGIN_URL"]).rstrip("/")
        self.secret_key = str(config["SECRET_KEY"])
        self._session_key = f"passion:token:bullhorn:{account.connection_id}"
        self._session: Session | None = None

    # --- calls -----------------------------------------------------------------------------------

    def url(self, path: str, params: Mapping[str, Any] | None = None) -> str:
        """On the corporation's restUrl, which only the login tells."""
        self.api_url = self._current().rest_url.rstrip("/")
        return super().url(path, params)

    def check_credentials(self) -> None:
        """What `connections create` runs: the whole login, and one small read with the session."""
        self.get("/query/Candidate", {"where": "id>0", "fields": "id", "count": 1})

    def candidate(self, candidate_id: str, fields: str) -> dict[str, Any]:
        """`GET entity/Candidate/{id}`; NotFound when Bullhorn has no such candidate."""
        found = data_of(self.get(f"/entity/Candidate/{quote(candidate_id, safe='')}", {"fields": fields}))
        if not isinstance(found, dict):
            raise CrmError("Bullhorn answered a candidate without data", retryable=False)
        return found

    def query_pages(self, entity: str, params: Mapping[str, Any]) -> Iterator[list[Any]]:
        """Every page of `GET query/{entity}` by `start` + `count`, until a short page or `total`."""
        start = 0
        for _ in range(MAX_PAGES):
            page = self.get(f"/query/{entity}", {**params, "start": start, "count": PAGE_SIZE})
            rows = data_of(page)
            if not isinstance(rows, list):
                raise CrmError(f"Bullhorn answered a {entity} query without a data list", retryable=False)
            yield rows
            start += len(rows)
            total = page.get("total")
            if len(rows) < PAGE_SIZE or (isinstance(total, int) and start >= total):
                return
        raise CrmError(f"Bullhorn listed more than {MAX_PAGES} pages", retryable=False)

    def work_history(self, candidate_id: str) -> list[Any]:
        """Every CandidateWorkHistory row of the candidate (a candidate's own association gives 10 at
        most, so the rows are queried)."""
        where = f"candidate.id={int(candidate_id)}"
        return [row for page in self.query_pages(
            "CandidateWorkHistory", {"where": where, "fields": WORK_HISTORY_FIELDS, "orderBy": "id"})
            for row in page]

    # --- the session -----------------------------------------------------------------------------

    def _auth_headers(self, *, refresh: bool = False) -> dict[str, str]:
        return {"BhRestToken": self._current(renew=refresh).rest_token}

    def _current(self, *, renew: bool = False) -> Session:
        if self._session is not None and not renew:
            return self._session
        cached = self._cached()
        if cached is not None and (not renew or cached != self._session):  # (or another worker renewed)
            self._session = cached
            return cached
        previous = self._session or self._cached()
        session = self._renewed(previous.refresh_token) if previous is not None else None
        self._session = session or self._logged_in(self._tokens(self._authorization_code()))
        self._save(self._session)
        return self._session

    def _cached(self) -> Session | None:
        if self.redis is None:
            return None
        stored = self.redis.get(self._session_key)
        if not isinstance(stored, bytes):
            return None
        try:
            return Session(**json.loads(decrypt(self.secret_key, stored.decode())))
        except (InvalidToken, TypeError, ValueError):
            return None  # SECRET_KEY changed, or an older shape: log in again

    def _save(self, session: Session) -> None:
        if self.redis is not None:
            self.redis.set(self._session_key, encrypt(self.secret_key, json.dumps(asdict(session))),
                           ex=SESSION_SECONDS)

    def _renewed(self, refresh_token: str) -> Session | None:
        """A new session from the refresh token; None when Bullhorn refuses the token."""
        try:
            return self._logged_in(self._tokens(None, refresh_token=refresh_token))
        except CrmError as exc:
            if exc.retryable:
                raise
            return None

    def _credential(self, key: str) -> str:
        value = self.account.credentials.get(key)
        if not value:
            raise CrmError(f"the connection has no Bullhorn {key}", retryable=False)
        return value

    def _authorization_code(self) -> str:
        """The API user's login: `oauth/authorize` with `action=Login` answers a redirect whose Location
        carries the code."""
        params = {"client_id": self._credential("client_id"), "response_type": "code", "action": "Login",
                  "username": self._credential("username"), "password": self._credential("password")}
        answer = self._auth_call("GET", f"{self.auth_url}/oauth/authorize?{urlencode(params)}", "login")
        location = next((v for k, v in answer.headers.items() if k.lower() == "location"), "")
        code = parse_qs(urlsplit(location).query).get("code", [""])[0]
        if not 300 <= answer.status < 400 or not code:
            raise CrmError(f"Bullhorn refused the API user's login ({answer.status})", retryable=False)
        return code

    def _tokens(self, code: str | None, *, refresh_token: str = "") -> tuple[str, str]:
        """`oauth/token`: an access token and the next refresh token, from a code or a refresh token."""
        grant = ({"grant_type": "authorization_code", "code": code} if code is not None
                 else {"grant_type": "refresh_token", "refresh_token": refresh_token})
        params = {**grant, "client_id": self._credential("client_id"),
                  "client_secret": self._credential("client_secret")}
        answer = self._auth_call("POST", f"{self.auth_url}/oauth/token?{urlencode(params)}", "token")
        payload = self.json(answer) if answer.status == 200 else None
        access = payload.get("access_token") if isinstance(payload, dict) else None
        rotated = payload.get("refresh_token") if isinstance(payload, dict) else None
        if not isinstance(access, str) or not access or not isinstance(rotated, str):
            raise CrmError(f"Bullhorn refused the {grant['grant_type']} grant ({answer.status})",
                           retryable=False)
        return access, rotated

    def _logged_in(self, tokens: tuple[str, str]) -> Session:
        """The REST login: the access token for a BhRestToken and the corporation's restUrl."""
        access, refresh_token = tokens
        answer = self._auth_call("POST", f"{self.login_url}/login?" + urlencode(
            {"version": "*", "access_token": access}, safe="*"), "REST login")
        payload = self.json(answer) if answer.status == 200 else None
        token = payload.get("BhRestToken") if isinstance(payload, dict) else None
        rest_url = payload.get("restUrl") if isinstance(payload, dict) else None
        if not isinstance(token, str) or not token or not isinstance(rest_url, str) or not rest_url:
            raise CrmError(f"Bullhorn refused the REST login ({answer.status})", retryable=False)
        if urlsplit(rest_url).scheme not in ("https", "http"):
            raise CrmError("Bullhorn's restUrl is not a web address", retryable=False)
        return Session(token, rest_url, refresh_token)

    def _auth_call(self, method: str, url: str, what: str) -> OutboundAnswer:
        """A login step outside the gate; a 307 means another data centre (BULLHORN_AUTH_URL and
        BULLHORN_LOGIN_URL name the account's), a 429 or 5xx is retried later."""
        answer = self.send_raw(method, url, None, {"Accept": "application/json",
                                                   "Accept-Encoding": "identity"})
        if answer.status == 307:
            raise CrmError(f"Bullhorn's {what} answered 307: the account is in another data centre "
                           "(set PASSION_BULLHORN_AUTH_URL and PASSION_BULLHORN_LOGIN_URL)",
                           retryable=False)
        if answer.status == 429 or answer.status >= 500:
            raise CrmError(f"Bullhorn's {what} answered {answer.status}",
                           retry_after=retry_after(answer.headers) or 1.0)
        return answer
