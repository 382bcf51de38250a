"""`passion connections create --provider greenhouse`: credentials checked against the (stand-in) API
before anything is stored, stored encrypted, and refused by name when missing or misplaced."""

from __future__ import annotations

import json

from click.testing import CliRunner

from tests.greenhouse_fake import CLIENT_ID, CLIENT_SECRET, greenhouse_server
from workers.cli import main


def _env(monkeypatch, tmp_path, base_url: str) -> None:
    monkeypatch.setenv("PASSION_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PASSION_DATABASE_URL", raising=False)
    monkeypatch.setenv("PASSION_GREENHOUSE_API_URL", base_url)
    monkeypatch.setenv("PASSION_GREENHOUSE_TOKEN_URL", f"{base_url}/token")
    monkeypatch.setenv("PASSION_WRITEBACK_HTTP_HOSTS", "127.0.0.1")
    monkeypatch.setenv("PASSION_WRITEBACK_ALLOWED_NETWORKS", "127.0.0.0/8")


def test_checked_credentials_are_stored_encrypted_and_the_webhook_url_printed(tmp_path, monkeypatch):
    with greenhouse_server() as fake:
        _env(monkeypatch, tmp_path, fake.base_url)
        monkeypatch.setenv("PASSION_GREENHOUSE_CLIENT_SECRET", CLIENT_SECRET)
        result = CliRunner().invoke(main, ["connections", "create", "--provider", "greenhouse", "--name",
                                           "GH", "--client-id", CLIENT_ID, "--user-id", "77"])
        assert result.exit_code == 0, result.output
        assert fake.token_requests == 1 and [c.path for c in fake.calls] == ["/v3/candidates"]
    assert "webhook_url: http://" in result.output and "update_candidate" in result.output
    stored = (tmp_path / "passion.db").read_bytes()
    assert CLIENT_SECRET.encode() not in stored and CLIENT_ID.encode() not in stored


def test_refused_credentials_store_nothing(tmp_path, monkeypatch):
    with greenhouse_server() as fake:
        _env(monkeypatch, tmp_path, fake.base_url)
        result = CliRunner().invoke(main, ["connections", "create", "--provider", "greenhouse", "--name",
                                           "GH", "--client-id", CLIENT_ID, "--client-secret", "wrong"])
    assert result.exit_code != 0
    assert "the Greenhouse credentials did not work" in result.output
    listed = CliRunner().invoke(main, ["connections", "list", "--json"])
    assert listed.stdout.strip() == ""


def test_missing_and_misplaced_options_are_named(tmp_path, monkeypatch):
    _env(monkeypatch, tmp_path, "http://127.0.0.1:9")
    missing = CliRunner().invoke(main, ["connections", "create", "--provider", "greenhouse", "--name", "GH"])
    assert missing.exit_code == 2 and "'--client-id'" in missing.output
    misplaced = CliRunner().invoke(main, ["connections", "create", "--name", "S", "--client-id", "x"])
    assert misplaced.exit_code == 2
    assert "'--client-id': is for greenhouse and bullhorn, not standard" in misplaced.output


def test_list_shows_the_crm_state_without_secrets(tmp_path, monkeypatch):
    with greenhouse_server() as fake:
        _env(monkeypatch, tmp_path, fake.base_url)
        CliRunner().invoke(main, ["connections", "create", "--provider", "greenhouse", "--name", "GH",
                                  "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET])
    listed = CliRunner().invoke(main, ["connections", "list", "--json"])
    row = json.loads(listed.stdout.strip().splitlines()[-1])
    assert row["provider"] == "greenhouse" and row["crm"] == {}
    assert CLIENT_SECRET not in listed.output

