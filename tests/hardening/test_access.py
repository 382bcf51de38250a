"""Callers it keeps out: every API endpoint needs a valid token, a token sees only its own connection's
candidates (read, filter, re-analyse, delete by webhook), tokens are stored hashed, secrets encrypted."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import pytest
from cryptography.fernet import InvalidToken
from sqlalchemy import text

from plugin.extensions import db
from plugin.storage.connections import IssuedConnection, create_connection
from plugin.storage.crypto import decrypt
from plugin.storage.models import Candidate, CandidateTag, Connection
from tests.browser import sign_in
from tests.hardening.support import auth, post_signed
from tests.webhook_sender import event, history
from workers import pipeline

ENDPOINTS = [("GET", "/api/candidates"), ("GET", "/api/candidates?theme=research"),
             ("GET", "/api/candidates?aversion=numbers&skill=legal+research"),
             ("GET", "/api/candidates/shared-1"), ("POST", "/api/candidates/shared-1/reanalyze"),
             ("GET", "/api/themes"), ("GET", "/api/explanations/shared-1"), ("GET", "/api/audit"),
             ("GET", "/api/connection/status")]


@dataclass(frozen=True)
class Agencies:
    a: IssuedConnection
    b: IssuedConnection


def _ingest(app, client, issued: IssuedConnection, candidate_id: str, likes: list[str],
            dislikes: list[str]) -> None:
    """Receive over the signed webhook, then run the worker's analysis in-process."""
    payload = event("candidate.created", history(candidate_id, likes, likes, dislikes=dislikes))
    assert post_signed(client, issued, payload).status_code == 202
    with app.app_context():
        row = db.session.query(Candidate).filter_by(connection_id=issued.id,
                                                    external_id=candidate_id).one()
        pipeline.analyze(row.id, row.history_version)


@pytest.fixture
def agencies(app, client, redis_client) -> Agencies:
    """Two agencies; both know a candidate "shared-1" (different people), each has one of its own."""
    with app.app_context():
        a = create_connection(provider="standard", name="Agency A")
        b = create_connection(provider="standard", name="Agency B")
    _ingest(app, client, a, "shared-1", ["scheduling the calendar", "organising closings"], ["billing"])
    _ingest(app, client, a, "a-only", ["negotiating settlements"], ["filing"])
    _ingest(app, client, b, "shared-1", ["legal research on case law", "digging through records"],
            ["client calls"])
    _ingest(app, client, b, "b-only", ["legal research", "drafting memos"], ["budgets and invoices"])
    redis_client.delete("passion")
    return Agencies(a, b)


def _call(client, method: str, url: str, headers: dict[str, str] | None = None):
    return client.open(url, method=method, headers=headers or {})


BAD_HEADERS = [None, "", "Bearer", "Bearer ", "Bearer pt_wrong", "Basic dXNlcjpwYXNz", "Token {token}",
               "Bearer {token}x", "Bearer x{token}", "Bearer {hash}", "{token}", "Bearer {half}"]


def _bad_authorizations(issued: IssuedConnection) -> list[dict[str, str]]:
    """No header, other schemes, near misses of a real token, its stored hash, half a token."""
    values = {"token": issued.token, "hash": hashlib.sha256(issued.token.encode()).hexdigest(),
              "half": issued.token[: len(issued.token) // 2]}
    return [{} if h is None else {"Authorization": h.format(**values)} for h in BAD_HEADERS]


def test_every_endpoint_refuses_a_missing_or_invalid_token(app, client, connection, redis_client) -> None:
    """401 with a Bearer challenge in the one error shape, and no work done, for every pairing."""
    failures = []
    for method, url in ENDPOINTS:
        for headers in _bad_authorizations(connection):
            response = _call(client, method, url, headers)
            if (response.status_code != 401 or response.headers.get("WWW-Authenticate") != "Bearer"
                    or not {"code", "status", "message"} <= set(response.json or {})):
                failures.append((method, url, headers, response.status_code))
    assert failures == []
    assert redis_client.llen("passion") == 0


def test_a_disabled_connections_token_is_refused_everywhere(app, client, connection) -> None:
    assert _call(client, "GET", "/api/themes", auth(connection.token)).status_code == 200
    with app.app_context():
        db.session.get(Connection, connection.id).enabled = False
        db.session.commit()
    assert [_call(client, m, u, auth(connection.token)).status_code for m, u in ENDPOINTS] == [401] * len(
        ENDPOINTS)


def _listed(client, token: str, query: str = "") -> set[str]:
    response = client.get(f"/api/candidates{query}", headers=auth(token))
    assert response.status_code == 200
    return {row["id"] for row in response.json}


def test_lists_and_filters_show_only_the_tokens_connection(client, agencies) -> None:
    """B's "b-only" is a research passion; A filtering on research must not find it."""
    assert _listed(client, agencies.a.token) == {"shared-1", "a-only"}
    assert _listed(client, agencies.b.token) == {"shared-1", "b-only"}
    assert "b-only" in _listed(client, agencies.b.token, "?theme=research")
    for query in ("?theme=research", "?aversion=numbers", "?skill=legal+research",
                  "?page=1&page_size=100", "?theme=research&theme=writing"):
        assert _listed(client, agencies.a.token, query) <= {"shared-1", "a-only"}


def test_detail_of_a_shared_external_id_is_the_tokens_own(client, agencies) -> None:
    """The same CRM id at two agencies is two people: each token sees its own history."""
    a_view = client.get("/api/candidates/shared-1", headers=auth(agencies.a.token)).json
    b_view = client.get("/api/candidates/shared-1", headers=auth(agencies.b.token)).json
    assert a_view["history"]["jobs"][0]["likes"][0] == "scheduling the calendar"
    assert b_view["history"]["jobs"][0]["likes"][0] == "legal research on case law"
    assert client.get("/api/candidates/b-only", headers=auth(agencies.a.token)).status_code == 404
    assert client.get("/api/candidates/a-only", headers=auth(agencies.b.token)).status_code == 404


def test_explanations_and_the_audit_log_are_the_tokens_own(client, agencies) -> None:
    """The explanation of a shared CRM id is of the token's own candidate; the log lists only its own."""
    a_view = client.get("/api/explanations/shared-1", headers=auth(agencies.a.token)).json
    b_view = client.get("/api/explanations/shared-1", headers=auth(agencies.b.token)).json
    assert a_view["jobs"][0]["likes"][0] == "scheduling the calendar"
    assert b_view["jobs"][0]["likes"][0] == "legal research on case law"
    assert client.get("/api/explanations/b-only", headers=auth(agencies.a.token)).status_code == 404
    a_log = client.get("/api/audit", headers=auth(agencies.a.token)).json
    b_log = client.get("/api/audit", headers=auth(agencies.b.token)).json
    assert len(a_log) == len(b_log) == 2  # each agency's two analyses
    assert not {e["candidate_id"] for e in a_log} & {e["candidate_id"] for e in b_log}


def test_reanalyse_reaches_only_the_tokens_own_candidates(app, client, agencies, redis_client) -> None:
    response = client.post("/api/candidates/b-only/reanalyze", headers=auth(agencies.a.token))
    assert response.status_code == 404
    assert redis_client.llen("passion") == 0
    assert client.post("/api/candidates/shared-1/reanalyze",
                       headers=auth(agencies.a.token)).status_code == 202
    queued = [json.loads(raw) for raw in redis_client.lrange("passion", 0, -1)]
    with app.app_context():
        a_row = db.session.query(Candidate).filter_by(connection_id=agencies.a.id,
                                                      external_id="shared-1").one()
    assert [message["headers"]["argsrepr"] for message in queued] == [f"({a_row.id}, 1)"]


def test_theme_counts_are_the_tokens_own(app, client, agencies) -> None:
    counts = {row["id"]: row["passion_count"]
              for row in client.get("/api/themes", headers=auth(agencies.a.token)).json}
    with app.app_context():
        own = db.session.query(CandidateTag.value).join(Candidate).filter(
            Candidate.connection_id == agencies.a.id, CandidateTag.kind == "passion").all()
    assert sum(counts.values()) == len(own)


def test_a_webhook_signed_by_a_is_refused_at_bs_url(app, client, agencies) -> None:
    """A's secret cannot write into, or delete from, B's pool."""
    for payload in (event("candidate.deleted", {"candidate_id": "b-only"}),
                    event("candidate.updated", history("b-only", ["anything"]))):
        response = post_signed(client, agencies.a, payload, url_id=agencies.b.id)
        assert response.status_code == 401
    assert _listed(client, agencies.b.token) == {"shared-1", "b-only"}


def test_a_deletion_from_a_leaves_bs_candidate_with_the_same_id(app, client, agencies) -> None:
    response = post_signed(client, agencies.a, event("candidate.deleted", {"candidate_id": "shared-1"}))
    assert response.status_code == 202
    assert _listed(client, agencies.a.token) == {"a-only"}
    assert _listed(client, agencies.b.token) == {"shared-1", "b-only"}
    b_view = client.get("/api/candidates/shared-1", headers=auth(agencies.b.token)).json
    assert b_view["latest_analysis"] is not None


def _connection_row(app, connection_id: str) -> str:
    """Every column of the connection as stored, as one string to search."""
    with app.app_context():
        row = db.session.execute(text("SELECT * FROM connections WHERE id = :id"),
                                 {"id": connection_id}).mappings().one()
    return json.dumps({key: str(value) for key, value in row.items()})


def test_tokens_are_stored_only_as_hashes(app, connection) -> None:
    stored = _connection_row(app, connection.id)
    assert connection.token not in stored
    assert connection.token.removeprefix("pt_") not in stored
    assert hashlib.sha256(connection.token.encode()).hexdigest() in stored


def test_signing_secrets_are_encrypted_with_the_environment_key(app, connection) -> None:
    stored = _connection_row(app, connection.id)
    raw_key = connection.secret.removeprefix("whsec_")
    assert connection.secret not in stored and raw_key not in stored
    with app.app_context():
        encrypted = db.session.get(Connection, connection.id).signing_secrets_encrypted
    assert json.loads(decrypt(app.config["SECRET_KEY"], encrypted)) == [connection.secret]
    with pytest.raises(InvalidToken):
        decrypt("another-secret-key", encrypted)


def test_pages_show_only_the_signed_in_connections_candidates(app, agencies) -> None:
    """The recruiter pages resolve the same token to the same one connection."""
    browser = app.test_client()
    assert browser.get("/pool").status_code == 302  # not signed in: to the sign-in page
    assert sign_in(browser, agencies.b.token[:-1]).status_code == 401
    assert sign_in(browser, agencies.a.token).status_code == 302
    page = browser.get("/pool").get_data(as_text=True)
    assert "a-only" in page and "b-only" not in page
    assert browser.get("/pool/b-only").status_code == 404
    own = browser.get("/pool/shared-1").get_data(as_text=True)
    assert "scheduling the calendar" in own and "legal research on case law" not in own


def test_an_id_with_a_slash_is_reachable_in_api_and_pages(app, client, connection) -> None:
    """CRMs with path-like ids ("people/42") must not get candidates nobody can open."""
    payload = event("candidate.created", history("people/42", ["legal research"]))
    assert post_signed(client, connection, payload).status_code == 202
    for url in ("/api/candidates/people/42", "/api/candidates/people%2F42"):
        assert client.get(url, headers=auth(connection.token)).json["id"] == "people/42"
    assert client.post("/api/candidates/people/42/reanalyze",
                       headers=auth(connection.token)).status_code == 202
    browser = app.test_client()
    sign_in(browser, connection.token)
    link = "/pool/people/42"
    assert f'href="{link}"' in browser.get("/pool").get_data(as_text=True)
    assert browser.get(link).status_code == 200
