"""`passion connections create --provider workable`: the subdomain and API token checked against the
(stand-in) API with one read before anything is stored, the token stored encrypted (it is also the
webhook signing key), taken from the option, the variable or a hidden prompt, and never printed back."""

from __future__ import annotations

import json

from click.testing import CliRunner

from tests.workable_fake import API_TOKEN, SUBDOMAIN, workable_server
from workers.cli import main


def _env(monkeypatch, tmp_path, api_url: str) -> None:
    monkeypatch.setenv("PASSION_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PASSION_DATABASE_URL", raising=False)
    monkeypatch.delenv("PASSION_WORKABLE_API_TOKEN", raising=False)
    monkeypatch.setenv("PASSION_WORKABLE_API_URL", api_url)
    monkeypatch.setenv("PASSION_WRITEBACK_HTTP_HOSTS", "127.0.0.1")
    monkeypatch.setenv("PASSION_WRITEBACK_ALLOWED_NETWORKS", "127.0.0.0/8")


CREATE = ["connections", "create", "--provider", "workable", "--name", "Workable", "--subdomain", SUBDOMAIN]


def test_a_checked_token_is_stored_encrypted_and_not_printed(tmp_path, monkeypatch):
    with workable_server() as fake:
        _env(monkeypatch, tmp_path, fake.api_url)
        monkeypatch.setenv("PASSION_WORKABLE_API_TOKEN", API_TOKEN)
        result = CliRunner().invoke(main, [*CREATE, "--json"])
        assert result.exit_code == 0, result.output
        assert [(c.path, c.query, c.status) for c in fake.calls] == [
            ("/acme/spi/v3/candidates", {"limit": ["1"]}, 200)]
        text = CliRunner().invoke(main, [*CREATE], env={"PASSION_WORKABLE_API_TOKEN": API_TOKEN})
    issued = json.loads(result.stdout)
    assert issued["webhook_url"].endswith(f"/webhooks/{issued['id']}")
    assert API_TOKEN not in result.output and "API token" in issued["secret"]
    assert API_TOKEN.encode() not in (tmp_path / "passion.db").read_bytes()
    assert "webhook_url:" in text.output and "/spi/v3/subscriptions" in text.output
    assert API_TOKEN not in text.output


def test_the_stored_token_verifies_workables_webhooks(tmp_path, monkeypatch):
    with workable_server() as fake:
        _env(monkeypatch, tmp_path, fake.api_url)
        result = CliRunner().invoke(main, [*CREATE, "--api-token", API_TOKEN, "--json"])
    connection_id = json.loads(result.stdout)["id"]
    from plugin.cli.database import app_context
    from plugin.extensions import db
    from plugin.storage.models import Connection

    with app_context(must_exist=True):
        from flask import current_app

        row = db.session.get(Connection, connection_id)
        key = current_app.config["SECRET_KEY"]
        assert row.signing_secrets(key) == [API_TOKEN]
        assert row.credentials(key) == {"subdomain": SUBDOMAIN, "api_token": API_TOKEN}


def test_the_token_is_asked_for_hidden_when_not_given(tmp_path, monkeypatch):
    with workable_server() as fake:
        _env(monkeypatch, tmp_path, fake.api_url)
        result = CliRunner().invoke(main, CREATE, input=f"{API_TOKEN}\n")
    assert result.exit_code == 0, result.output
    assert "Workable API token" in result.output and API_TOKEN not in result.output


def test_a_refused_token_stores_nothing(tmp_path, monkeypatch):
    with workable_server() as fake:
        _env(monkeypatch, tmp_path, fake.api_url)
        result = CliRunner().invoke(main, [*CREATE, "--api-token", "wrong"])
    assert result.exit_code != 0
    assert "the Workable API token did not work: Workable refused the credentials (401)" in result.output
    assert CliRunner().invoke(main, ["connections", "list", "--json"]).stdout.strip() == ""


def test_missing_and_misplaced_options_are_named(tmp_path, monkeypatch):
    _env(monkeypatch, tmp_path, "http://127.0.0.1:9/{subdomain}")
    no_subdomain = CliRunner().invoke(main, ["connections", "create", "--provider", "workable", "--name", "W",
                                             "--api-token", API_TOKEN])
    assert no_subdomain.exit_code == 2 and "'--subdomain'" in no_subdomain.output
    bad = CliRunner().invoke(main, ["connections", "create", "--provider", "workable", "--name", "W",
                                    "--subdomain", "acme.evil.com", "--api-token", API_TOKEN])
    assert bad.exit_code == 2 and "'--subdomain'" in bad.output
    misplaced = CliRunner().invoke(main, ["connections", "create", "--name", "S", "--api-token", "t"])
    assert misplaced.exit_code == 2 and "'--api-token': is for workable, not standard" in misplaced.output
    assert CliRunner().invoke(main, ["connections", "list", "--json"]).stdout.strip() == ""
