"""`passion connections create --provider bullhorn`: the API user's login checked against the (stand-in)
Bullhorn with one read, the event subscription created, all before anything is stored; the credentials
stored encrypted, the secrets taken from the options, the variables or hidden prompts, never printed."""

from __future__ import annotations

import json

from click.testing import CliRunner

from tests.bullhorn_fake import CLIENT_ID, CLIENT_SECRET, PASSWORD, USERNAME, bullhorn_server
from workers.cli import main


def _env(monkeypatch, tmp_path, fake) -> None:
    monkeypatch.setenv("PASSION_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PASSION_DATABASE_URL", raising=False)
    for name in ("PASSION_BULLHORN_PASSWORD", "PASSION_BULLHORN_CLIENT_SECRET",
                 "PASSION_GREENHOUSE_CLIENT_SECRET", "PASSION_GREENHOUSE_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PASSION_BULLHORN_AUTH_URL", fake.auth_url)
    monkeypatch.setenv("PASSION_BULLHORN_LOGIN_URL", fake.login_url)
    monkeypatch.setenv("PASSION_WRITEBACK_HTTP_HOSTS", "127.0.0.1")
    monkeypatch.setenv("PASSION_WRITEBACK_ALLOWED_NETWORKS", "127.0.0.0/8")


CREATE = ["connections", "create", "--provider", "bullhorn", "--name", "Bullhorn", "--client-id", CLIENT_ID,
          "--username", USERNAME, "--field", "customText5"]


def test_a_checked_login_is_stored_encrypted_with_its_new_subscription(tmp_path, monkeypatch):
    with bullhorn_server() as fake:
        _env(monkeypatch, tmp_path, fake)
        monkeypatch.setenv("PASSION_BULLHORN_CLIENT_SECRET", CLIENT_SECRET)
        result = CliRunner().invoke(main, [*CREATE, "--json"], input=f"{PASSWORD}\n")
        assert result.exit_code == 0, result.output
        reads = [c for c in fake.rest_calls() if c.method == "GET"]
        assert [(c.path.rsplit("/", 2)[-2:], c.query["count"]) for c in reads] == [
            (["query", "Candidate"], ["1"])]
        assert sum(c.path == "/oauth/authorize" for c in fake.calls) == 1  # one login for both
        (subscription_id, subscription), = fake.subscriptions.items()
        assert subscription["names"] == ["Candidate"]
        assert subscription["types"] == ["INSERTED", "UPDATED", "DELETED"]
    issued = json.loads(result.stdout.strip().splitlines()[-1])
    stored = (tmp_path / "passion.db").read_bytes()
    for secret in (PASSWORD, CLIENT_SECRET, subscription_id):
        assert secret not in result.output and secret.encode() not in stored
    from flask import current_app

    from plugin.cli.database import app_context
    from plugin.extensions import db
    from plugin.storage.models import Connection

    with app_context(must_exist=True):
        row = db.session.get(Connection, issued["id"])
        assert row.credentials(current_app.config["SECRET_KEY"]) == {
            "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "username": USERNAME,
            "password": PASSWORD, "field": "customText5", "subscription_id": subscription_id}


def test_a_refused_login_or_a_bad_field_stores_nothing(tmp_path, monkeypatch):
    with bullhorn_server() as fake:
        _env(monkeypatch, tmp_path, fake)
        wrong = CliRunner().invoke(main, [*CREATE, "--client-secret", CLIENT_SECRET],
                                   env={"PASSION_BULLHORN_PASSWORD": "wrong"})
        field = CliRunner().invoke(main, [*CREATE[:-1], "customText41", "--client-secret", CLIENT_SECRET,
                                          "--password", PASSWORD])
        misplaced = CliRunner().invoke(main, ["connections", "create", "--provider", "standard", "--name",
                                              "S", "--username", USERNAME])
        assert fake.subscriptions == {}
    assert wrong.exit_code == 1 and "Bullhorn login did not work" in wrong.output
    assert "wrong" not in wrong.output
    assert field.exit_code == 2 and "--field" in field.output
    assert misplaced.exit_code == 2 and "'--username': is for bullhorn, not standard" in misplaced.output
    listed = CliRunner().invoke(main, ["connections", "list", "--json"])
    assert listed.exit_code == 0 and listed.stdout.strip() == ""


def test_show_gives_the_status_and_which_credentials_are_set_never_their_values(tmp_path, monkeypatch):
    with bullhorn_server() as fake:
        _env(monkeypatch, tmp_path, fake)
        created = CliRunner().invoke(main, [*CREATE, "--client-secret", CLIENT_SECRET, "--password", PASSWORD,
                                            "--json"])
        assert created.exit_code == 0, created.output
    issued = json.loads(created.stdout.strip().splitlines()[-1])
    shown = CliRunner().invoke(main, ["connections", "show", issued["id"]])
    assert shown.exit_code == 0, shown.output
    row = json.loads(shown.stdout[shown.stdout.index("{"):])
    assert row["credentials_set"] == ["client_id", "client_secret", "field", "password", "subscription_id",
                                      "username"]
    assert row["status"]["reads_crm"] is True and row["status"]["dead_letters"] == 0
    assert row["status"]["reconciliation"]["ok"] is None
    for secret in (PASSWORD, CLIENT_SECRET):
        assert secret not in shown.output
    missing = CliRunner().invoke(main, ["connections", "show", "con_nothere"])
    assert missing.exit_code == 1 and "no connection con_nothere" in missing.output
