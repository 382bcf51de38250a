"""Issue 13, finding 10: the recruiter pages against a browser-borne attacker. Secure cookies over https
(X-Forwarded-Proto trusted only behind a declared proxy), CSRF tokens on every form (sign-in and sign-out
included), CSP with frame-ancestors, X-Frame-Options, nosniff, no-store on personal data, and a cookie
saved before sign-out that no longer opens the pool."""

from __future__ import annotations

import re

import pytest

from plugin import create_app
from tests.browser import csrf_token, sign_in, sign_out
from tests.conftest import ingest_and_analyze
from tests.hardening.support import auth
from tests.webhook_sender import history


@pytest.fixture
def with_candidate(app, client, connection):
    ingest_and_analyze(app, client, connection, history("ada-1", ["legal research"], ["case law"]))
    return connection


def _session_cookie(response) -> str:
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    return cookie


def test_the_session_cookie_is_secure_over_https_only(app, connection):
    over_https = app.test_client()
    over_https.get("/", base_url="https://localhost")
    response = over_https.post("/", base_url="https://localhost", headers={"Referer": "https://localhost/"},
                               data={"token": connection.token, "csrf_token": _https_token(over_https)})
    assert response.status_code == 302
    assert "; Secure" in _session_cookie(response)
    over_http = app.test_client()
    response = sign_in(over_http, connection.token)
    assert response.status_code == 302 and "; Secure" not in _session_cookie(response)


def _https_token(browser) -> str:
    page = browser.get("/", base_url="https://localhost").get_data(as_text=True)
    return re.search(r'name="csrf_token"\s+value="([^"]+)"', page).group(1)


def test_x_forwarded_proto_counts_only_behind_a_declared_proxy(app, database_url, connection, tmp_path):
    forwarded = {"X-Forwarded-Proto": "https"}
    direct = app.test_client()
    direct.get("/", headers=forwarded)
    response = direct.post("/", headers=forwarded,
                           data={"token": connection.token, "csrf_token": csrf_token(direct)})
    assert response.status_code == 302 and "; Secure" not in _session_cookie(response)
    proxied_app = create_app({**{k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "BROKER_URL",
                                                            "SECRET_KEY", "DATA_DIR")},
                              "TESTING": True, "PROXY_HOPS": 1})
    proxied = proxied_app.test_client()
    proxied.get("/", headers=forwarded)
    response = proxied.post("/", headers=forwarded | {"Referer": "https://localhost/"},
                            data={"token": connection.token, "csrf_token": csrf_token(proxied)})
    assert response.status_code == 302 and "; Secure" in _session_cookie(response)
    with proxied_app.app_context():
        from plugin.extensions import db

        db.session.remove()
        db.engine.dispose()


def test_sign_in_without_the_forms_csrf_token_is_refused(app, connection):
    """Login CSRF: a cross-site page posts its own connection's token to sign the recruiter in to it."""
    cross_site = app.test_client()  # no cookie of ours, as SameSite=Lax leaves a cross-site POST
    response = cross_site.post("/", data={"token": connection.token})
    assert response.status_code == 400
    assert "did not come from this site" in response.get_data(as_text=True)
    assert cross_site.get("/pool").status_code == 302
    same_session_wrong_token = app.test_client()
    csrf_token(same_session_wrong_token)
    response = same_session_wrong_token.post("/", data={"token": connection.token, "csrf_token": "forged"})
    assert response.status_code == 400
    assert same_session_wrong_token.get("/pool").status_code == 302


def test_sign_out_without_the_forms_csrf_token_is_refused(app, connection):
    browser = app.test_client()
    assert sign_in(browser, connection.token).status_code == 302
    assert browser.post("/sign-out").status_code == 400
    assert browser.get("/pool").status_code == 200  # still signed in: a cross-site page cannot sign out
    assert sign_out(browser).status_code == 302
    assert browser.get("/pool").status_code == 302


def test_a_cookie_saved_before_sign_out_opens_nothing_after(app, connection):
    browser = app.test_client()
    assert sign_in(browser, connection.token).status_code == 302
    saved = browser.get_cookie("session").value
    assert browser.get("/pool").status_code == 200
    assert sign_out(browser).status_code == 302
    replayed = app.test_client()
    replayed.set_cookie("session", saved)
    assert replayed.get("/pool").status_code == 302
    assert replayed.get("/pool/ada-1").status_code == 302


PAGES = ["/", "/pool", "/pool/ada-1", "/pool?theme=research"]


def test_pages_and_api_answers_carry_the_security_headers(app, with_candidate):
    browser = app.test_client()
    sign_in(browser, with_candidate.token)
    answers = {url: browser.get(url) for url in PAGES}
    answers |= {url: browser.get(url, headers=auth(with_candidate.token))
                for url in ("/api/candidates", "/api/candidates/ada-1", "/api/themes")}
    for url, response in answers.items():
        assert response.status_code == 200, url
        headers = response.headers
        assert headers["X-Content-Type-Options"] == "nosniff", url
        assert headers["X-Frame-Options"] == "DENY", url
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], url
        assert "script-src" not in headers["Content-Security-Policy"], url  # default-src 'none' holds
        assert headers["Cache-Control"] == "no-store", url
    assert "ada-1" in answers["/pool/ada-1"].get_data(as_text=True)
    stylesheet = browser.get("/static/web/style.css")
    assert stylesheet.headers["X-Content-Type-Options"] == "nosniff"
    assert stylesheet.headers.get("Cache-Control") != "no-store"  # no personal data: cacheable
    stylesheet.close()
