"""Recruiter accounts: one per person on one connection, passwords hashed, sign-ins rate-limited, the
API token kept for administrators."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from click.testing import CliRunner

from plugin.extensions import db
from plugin.storage import sign_in_limits
from plugin.storage.connections import create_connection
from plugin.storage.models import Recruiter, SignInFailure
from plugin.storage.recruiters import AccountError, create_recruiter, delete_recruiter
from tests.browser import csrf_token, sign_in
from tests.conftest import ingest_and_analyze
from tests.webhook_sender import history

PASSWORD = "correct horse battery"


@pytest.fixture
def account(app, client, connection):
    ingest_and_analyze(app, client, connection, history("mine-1", ["legal research"], ["case law"]))
    with app.app_context():
        other = create_connection(provider="standard", name="Other agency")
        create_recruiter(connection.id, "Ana@Agency.example", PASSWORD)
    ingest_and_analyze(app, client, other, history("theirs-1", ["legal research"], ["case law"]))
    return connection


def account_sign_in(browser, email: str, password: str):
    return browser.post("/", data={"email": email, "password": password, "csrf_token": csrf_token(browser)})


def test_a_recruiter_signs_in_as_themselves_and_sees_only_their_connection(app, account):
    browser = app.test_client()
    response = account_sign_in(browser, "ana@agency.example", PASSWORD)
    assert response.status_code == 302
    page = browser.get("/pool").get_data(as_text=True)
    assert "ana@agency.example · Test CRM" in page
    assert "mine-1" in page and "theirs-1" not in page
    assert browser.get("/pool/theirs-1").status_code == 404


def test_the_password_is_stored_only_as_a_salted_hash(app, account):
    with app.app_context():
        stored = db.session.query(Recruiter.password_hash).scalar()
    assert stored.startswith("scrypt:") and PASSWORD not in stored


@pytest.mark.parametrize(("email", "password"), [("ana@agency.example", "wrong password!"),
                                                  ("nobody@agency.example", PASSWORD)])
def test_a_wrong_email_or_password_is_one_answer(app, account, email, password):
    response = account_sign_in(app.test_client(), email, password)
    assert response.status_code == 401
    assert "do not match an account" in response.get_data(as_text=True)


def test_guessing_one_accounts_password_is_stopped(app, account):
    browser = app.test_client()
    for _ in range(sign_in_limits.PER_EMAIL):
        assert account_sign_in(browser, "ana@agency.example", "wrong password!").status_code == 401
    blocked = account_sign_in(browser, "ana@agency.example", PASSWORD)  # even the right one: not checked
    assert blocked.status_code == 429 and "wait 15 minutes" in blocked.get_data(as_text=True)
    with app.app_context():  # the window passes
        db.session.query(SignInFailure).update(
            {SignInFailure.at: SignInFailure.at - sign_in_limits.WINDOW - timedelta(seconds=1)})
        db.session.commit()
    assert account_sign_in(browser, "ana@agency.example", PASSWORD).status_code == 302


def test_one_client_trying_many_accounts_or_tokens_is_stopped(app, account):
    browser = app.test_client()
    for n in range(sign_in_limits.PER_ADDRESS):
        assert account_sign_in(browser, f"guess{n}@agency.example", "wrong password!").status_code == 401
    assert sign_in(browser, account.token).status_code == 429
    other_client = app.test_client()  # the same address here: the limit is the address's, not the cookie's
    assert account_sign_in(other_client, "ana@agency.example", PASSWORD).status_code == 429


def test_a_success_clears_the_accounts_count_not_the_addresss(app, account):
    browser = app.test_client()
    for _ in range(sign_in_limits.PER_EMAIL - 1):
        account_sign_in(browser, "ana@agency.example", "wrong password!")
    assert account_sign_in(browser, "ana@agency.example", PASSWORD).status_code == 302
    with app.app_context():
        left = db.session.query(SignInFailure.key_hash).all()
        address = next(iter(sign_in_limits.keys(email=None, address="127.0.0.1")))
    # the address keeps the failures before it; the successful attempt itself is taken back
    assert left == [(address,)] * (sign_in_limits.PER_EMAIL - 1)


def test_deleting_or_disabling_an_account_signs_its_browsers_out(app, account):
    browser = app.test_client()
    account_sign_in(browser, "ana@agency.example", PASSWORD)
    assert browser.get("/pool").status_code == 200
    with app.app_context():
        db.session.query(Recruiter).update({Recruiter.enabled: False})
        db.session.commit()
    assert browser.get("/pool").status_code == 302
    assert account_sign_in(browser, "ana@agency.example", PASSWORD).status_code == 401
    with app.app_context():
        db.session.query(Recruiter).update({Recruiter.enabled: True})
        db.session.commit()
    account_sign_in(browser, "ana@agency.example", PASSWORD)
    with app.app_context():
        assert delete_recruiter("ANA@agency.example")
    assert browser.get("/pool").status_code == 302


def test_the_api_token_still_opens_the_pages_for_administrators(app, account):
    browser = app.test_client()
    assert sign_in(browser, account.token).status_code == 302
    page = browser.get("/pool").get_data(as_text=True)
    assert "mine-1" in page and "ana@agency.example" not in page


@pytest.mark.parametrize(("args", "message"), [
    (("con_nope", "b@x.example", PASSWORD), "connection: no connection con_nope"),
    ((None, "ana@agency.example", PASSWORD), "email: an account with this email exists"),
    ((None, "not-an-email", PASSWORD), "email: must be an email address"),
    ((None, "b@x.example", "short"), "password: must be 12 to 200 characters"),
])
def test_accounts_are_refused_with_the_reason(app, account, args, message):
    connection_id, email, password = args
    with app.app_context(), pytest.raises(AccountError, match=message):
        create_recruiter(connection_id or account.id, email, password)


def test_the_cli_creates_lists_and_deletes_accounts(tmp_path, monkeypatch):
    from workers.cli import main

    monkeypatch.setenv("PASSION_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PASSION_DATABASE_URL", raising=False)
    runner = CliRunner()
    issued = json.loads(runner.invoke(main, ["connections", "create", "--name", "A", "--json"]).stdout)
    created = runner.invoke(main, ["recruiters", "create", "--connection", issued["id"], "--email",
                                   "ben@agency.example", "--password-stdin"], input=PASSWORD + "\n")
    assert created.exit_code == 0, created.output
    assert PASSWORD.encode() not in (tmp_path / "passion.db").read_bytes()
    listed = runner.invoke(main, ["recruiters", "list"]).stdout
    assert f"ben@agency.example\t{issued['id']}\tenabled" in listed
    short = runner.invoke(main, ["recruiters", "create", "--connection", issued["id"], "--email",
                                 "c@agency.example", "--password-stdin"], input="short\n")
    assert short.exit_code == 1 and "password: must be 12 to 200 characters" in short.output
    assert runner.invoke(main, ["recruiters", "delete", "--email", "ben@agency.example"]).exit_code == 0
    assert "ben@" not in runner.invoke(main, ["recruiters", "list"]).stdout
