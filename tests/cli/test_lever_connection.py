"""`passion connections create --provider lever`: the API key checked against the (stand-in) API with one
read before anything is stored, stored encrypted, taken from the option, the variable or a hidden prompt;
the signature tokens still required."""

from __future__ import annotations

import json

from click.testing import CliRunner

from tests.lever_fake import API_KEY, lever_server
from workers.cli import main


def _env(monkeypatch, tmp_path, base_url: str) -> None:
    monkeypatch.setenv("PASSION_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PASSION_DATABASE_URL", raising=False)
    monkeypatch.delenv("PASSION_LEVER_API_KEY", raising=False)
    monkeypatch.setenv("PASSION_LEVER_API_URL", base_url)
    monkeypatch.setenv("PASSION_WRITEBACK_HTTP_HOSTS", "127.0.0.1")
    monkeypatch.setenv("PASSION_WRITEBACK_ALLOWED_NETWORKS", "127.0.0.0/8")


CREATE = ["connections", "create", "--provider", "lever", "--name", "Lever"]


def test_a_checked_key_is_stored_encrypted_beside_the_signature_tokens(tmp_path, monkeypatch):
    with lever_server() as fake:
        _env(monkeypatch, tmp_path, fake.base_url)
        monkeypatch.setenv("PASSION_LEVER_API_KEY", API_KEY)
        result = CliRunner().invoke(main, [*CREATE, "--signature-token", "sig-token-1",
                                           "--signature-token", "sig-token-2", "--json"])
        assert result.exit_code == 0, result.output
        assert [(c.path, c.query, c.status) for c in fake.calls] == [
            ("/v1/opportunities", {"limit": ["1"]}, 200)]
    assert json.loads(result.stdout)["secret"] == "sig-token-1"
    stored = (tmp_path / "passion.db").read_bytes()
    assert API_KEY.encode() not in stored and b"sig-token-2" not in stored


def test_the_key_is_asked_for_hidden_when_not_given(tmp_path, monkeypatch):
    with lever_server() as fake:
        _env(monkeypatch, tmp_path, fake.base_url)
        result = CliRunner().invoke(main, [*CREATE, "--signature-token", "t"], input=f"{API_KEY}\n")
    assert result.exit_code == 0, result.output
    assert "Lever API key" in result.output and API_KEY not in result.output  # not echoed


def test_a_refused_key_stores_nothing(tmp_path, monkeypatch):
    with lever_server() as fake:
        _env(monkeypatch, tmp_path, fake.base_url)
        result = CliRunner().invoke(main, [*CREATE, "--signature-token", "t", "--api-key", "wrong"])
    assert result.exit_code != 0
    assert "the Lever API key did not work: Lever refused the credentials (401)" in result.output
    assert CliRunner().invoke(main, ["connections", "list", "--json"]).stdout.strip() == ""


def test_missing_and_misplaced_options_are_named(tmp_path, monkeypatch):
    _env(monkeypatch, tmp_path, "http://127.0.0.1:9")
    no_tokens = CliRunner().invoke(main, [*CREATE, "--api-key", API_KEY])
    assert no_tokens.exit_code == 2 and "'--signature-token'" in no_tokens.output
    misplaced = CliRunner().invoke(main, ["connections", "create", "--name", "S", "--api-key", "k"])
    assert misplaced.exit_code == 2 and "'--api-key': is for lever, not standard" in misplaced.output
    greenhouse_option = CliRunner().invoke(main, [*CREATE, "--signature-token", "t", "--client-id", "x"])
    assert greenhouse_option.exit_code == 2
    assert "'--client-id': is for greenhouse and bullhorn, not lever" in greenhouse_option.output
    no_key_asked = CliRunner().invoke(main, [*CREATE, "--signature-token", "t"], input="\n")
    assert no_key_asked.exit_code != 0  # an empty answer is asked again, then aborted: nothing stored
    assert CliRunner().invoke(main, ["connections", "list", "--json"]).stdout.strip() == ""
