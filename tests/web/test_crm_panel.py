"""The embedded CRM panel, on both databases: the API mints a signed URL for its own candidates only; the
URL opens that candidate's profile read-only (no form, no way to the pool, no cookie) and nothing once it
expired, was changed, or its candidate was erased; each connection's frame ancestors go into the panel's
CSP, while every other page still refuses to be framed."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from itsdangerous import URLSafeSerializer

from plugin.extensions import db
from plugin.panel import links
from plugin.storage.connections import create_connection, set_enabled, set_frame_ancestors
from plugin.storage.models import Candidate, Connection
from tests.conftest import ingest_and_analyze
from tests.webhook_sender import event, signed_delivery

ANA = {"candidate_id": "c-ana", "name": "Ana Ortiz", "crm_url": "https://crm.example/c-ana", "jobs": [
    {"title": "Litigation Clerk", "employer": "Smith LLP",
     "likes": ["legal research on CanLII", "drafting memos"], "dislikes": ["cold calling clients"]},
    {"title": "Paralegal", "employer": "Jones & Co",
     "likes": ["digging through case law", "writing reports"], "dislikes": ["answering the phones"]}]}
ACME = "https://acme.greenhouse.io"


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _path(url: str) -> str:
    return url.removeprefix("http://testserver")


def _frame_ancestors(response) -> str:
    found = re.search(r"frame-ancestors ([^;]+)", response.headers["Content-Security-Policy"])
    assert found, response.headers["Content-Security-Policy"]
    return found.group(1)


@pytest.fixture
def ana(app, client, connection):
    ingest_and_analyze(app, client, connection, ANA)
    return connection


def _receive(client, issued, data: dict) -> None:
    """Over the webhook, not analysed (ingest_and_analyze finds rows by CRM id, which both share here)."""
    body, headers = signed_delivery(issued.secret, event("candidate.created", data))
    assert client.post(f"/webhooks/{issued.id}", data=body, headers=headers).status_code == 202


def _mint(client, token: str, crm_id: str = "c-ana") -> str:
    answer = client.post(f"/api/candidates/{crm_id}/panel-link", headers=_auth(token))
    assert answer.status_code == 201, answer.json
    return _path(answer.json["url"])


def test_the_api_mints_a_url_that_opens_the_profile_read_only(client, ana):
    before = datetime.now(UTC)
    answer = client.post("/api/candidates/c-ana/panel-link", headers=_auth(ana.token))
    assert answer.status_code == 201
    assert answer.json["url"].startswith("http://testserver/panel/")
    expires = datetime.fromisoformat(answer.json["expires_at"])
    assert timedelta(minutes=14) < expires - before <= timedelta(minutes=15, seconds=1)

    page = client.get(_path(answer.json["url"]))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<h1>Ana Ortiz</h1>" in html and "legal research on CanLII" in html
    assert "Passion profile" in html and "Research" in html
    assert "<form" not in html and "csrf" not in html.lower()
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert [h for h in hrefs if h.startswith("/") and not h.startswith("/static/")] == []
    assert "crm.example" not in html  # "Open in the CRM": the panel is in the CRM already
    assert "Set-Cookie" not in page.headers


def test_the_api_refuses_without_a_token_and_for_another_connections_candidate(app, client, ana):
    with app.app_context():
        other = create_connection(provider="standard", name="Other agency")
    assert client.post("/api/candidates/c-ana/panel-link").status_code == 401
    refused = client.post("/api/candidates/c-ana/panel-link", headers=_auth(other.token))
    assert refused.status_code == 404 and refused.json["message"] == "No such candidate."


def test_the_csp_names_each_connections_origins_and_other_pages_stay_unframeable(app, client, ana):
    url = _mint(client, ana.token)
    unset = client.get(url)
    assert _frame_ancestors(unset) == "'none'" and unset.headers["X-Frame-Options"] == "DENY"
    with app.app_context():
        set_frame_ancestors(db.session.get(Connection, ana.id), [ACME, "https://Tools.Acme.example:8443/"])
    framed = client.get(url)
    assert _frame_ancestors(framed) == f"{ACME} https://tools.acme.example:8443"
    assert "X-Frame-Options" not in framed.headers
    policy = framed.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy and "form-action 'self'" in policy

    with app.app_context():
        other = create_connection(provider="standard", name="Other agency")
        set_frame_ancestors(db.session.get(Connection, other.id), ["https://other.lever.co"])
    _receive(client, other, {**ANA, "name": "Ana of the other agency"})
    assert _frame_ancestors(client.get(_mint(client, other.token))) == "https://other.lever.co"
    for elsewhere in ["/", "/pool", "/api/candidates"]:
        answer = client.get(elsewhere)
        assert _frame_ancestors(answer) == "'none'" and answer.headers["X-Frame-Options"] == "DENY", elsewhere


def test_an_expired_url_opens_nothing_but_still_explains_itself_in_the_frame(app, client, ana, monkeypatch):
    with app.app_context():
        set_frame_ancestors(db.session.get(Connection, ana.id), [ACME])
    url = _mint(client, ana.token)
    assert client.get(url).status_code == 200
    later = time.time() + 15 * 60 + 1
    monkeypatch.setattr(links.time, "time", lambda: later)
    expired = client.get(url)
    assert expired.status_code == 410
    html = expired.get_data(as_text=True)
    assert "This panel link has expired" in html and "Ana" not in html
    assert _frame_ancestors(expired) == ACME  # the CRM shows the message, not a blocked frame


def test_the_expiry_is_configurable(app, client, ana):
    app.config["PANEL_LINK_MINUTES"] = 2
    answer = client.post("/api/candidates/c-ana/panel-link", headers=_auth(ana.token))
    expires = datetime.fromisoformat(answer.json["expires_at"])
    assert expires - datetime.now(UTC) <= timedelta(minutes=2, seconds=1)


def test_a_changed_or_foreign_token_is_refused(app, client, ana):
    url = _mint(client, ana.token)
    token = url.removeprefix("/panel/")
    payload, _, signature = token.rpartition(".")
    # the first character: the last one of unpadded base64 also holds bits a decoder drops, so changing it
    # can leave the signature's bytes, and so the signature, as they were
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    with app.app_context():
        row = db.session.query(Candidate).filter_by(external_id="c-ana").one()
        claim = [ana.id, "c-ana", *links.row_of(row), int(time.time()) + 600]
    forged = [
        "/panel/" + payload + "." + flipped,
        "/panel/" + token.replace(payload, payload[:-2] + "xx"),
        # the same claim under another salt (the worksheet links') or another key
        "/panel/" + URLSafeSerializer("test-secret-key", salt="passion-tagger worksheet link").dumps(claim),
        "/panel/" + URLSafeSerializer("another-key", salt=links.SALT).dumps(claim),
        "/panel/" + "x" * 2000,
        "/panel/not-a-token",
    ]
    for path in forged:
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert "Ana" not in answer.get_data(as_text=True)
        assert _frame_ancestors(answer) == "'none'"


def test_a_claim_never_crosses_connections(app, client, ana):
    """Even a correctly signed claim opens only the row it was issued for, in its own connection."""
    with app.app_context():
        other = create_connection(provider="standard", name="Other agency")
    _receive(client, other, {**ANA, "name": "Ana of the other agency"})
    with app.app_context():
        theirs = db.session.query(Candidate).filter_by(connection_id=other.id).one()
        serializer = URLSafeSerializer(app.config["SECRET_KEY"], salt=links.SALT)
        mixed = serializer.dumps([ana.id, "c-ana", *links.row_of(theirs), int(time.time()) + 600])
    answer = client.get("/panel/" + mixed)
    assert answer.status_code == 410 and "Ana" not in answer.get_data(as_text=True)


def test_an_erased_candidate_is_gone_even_when_sent_again(app, client, ana):
    url = _mint(client, ana.token)
    body, headers = signed_delivery(ana.secret, event("candidate.deleted", {"candidate_id": "c-ana"}))
    assert client.post(f"/webhooks/{ana.id}", data=body, headers=headers).status_code == 202
    gone = client.get(url)
    assert gone.status_code == 410 and "Ana" not in gone.get_data(as_text=True)
    ingest_and_analyze(app, client, ana, ANA)  # the same CRM id, a new row: the old link stays closed
    assert client.get(url).status_code == 410
    assert client.get(_mint(client, ana.token)).status_code == 200


def test_a_disabled_connection_opens_no_panel(app, client, ana):
    url = _mint(client, ana.token)
    with app.app_context():
        set_enabled(db.session.get(Connection, ana.id), False)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("origin", ["http://acme.greenhouse.io", "https://acme.greenhouse.io/path",
                                    "https://acme.greenhouse.io'; script-src *", "https://localhost",
                                    "*", "'self'", "https://a.com?x=1", "https://u:p@a.com"])
def test_frame_ancestors_are_https_origins_only(app, connection, origin):
    with app.app_context():
        row = db.session.get(Connection, connection.id)
        with pytest.raises(ValueError, match=re.escape(repr(origin))):
            set_frame_ancestors(row, [ACME, origin])
        assert db.session.get(Connection, connection.id).frame_ancestors is None
