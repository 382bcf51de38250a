"""`passion worksheet link` and `revoke` against a real database: the printed link opens the worksheet
until it is revoked; an unknown CRM id is named in the error."""

from __future__ import annotations

import json

from click.testing import CliRunner

from tests.webhook_sender import event, history, signed_delivery
from workers.cli import main


def test_link_then_revoke(tmp_path, monkeypatch):
    from plugin import create_app

    monkeypatch.setenv("PASSION_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PASSION_DATABASE_URL", raising=False)
    monkeypatch.setenv("PASSION_BROKER_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setenv("PASSION_PUBLIC_URL", "https://tagger.example")
    runner = CliRunner()
    issued = json.loads(runner.invoke(main, ["connections", "create", "--name", "A", "--json"]).stdout)
    client = create_app().test_client()
    body, headers = signed_delivery(issued["secret"], event("candidate.created", history("cand/7", ["x"])))
    assert client.post(f"/webhooks/{issued['id']}", data=body, headers=headers).status_code == 202

    missing = runner.invoke(main, ["worksheet", "link", "nobody"])
    assert missing.exit_code == 1 and "no candidate 'nobody'" in missing.output
    made = runner.invoke(main, ["worksheet", "link", "cand/7", "--days", "3"])
    assert made.exit_code == 0, made.output
    fields = dict(line.split(": ", 1) for line in made.stdout.splitlines())
    path = fields["url"].strip().removeprefix("https://tagger.example")
    assert path.startswith("/worksheet/")
    assert client.get(path).status_code == 200
    assert runner.invoke(main, ["worksheet", "revoke", fields["link_id"].strip()]).exit_code == 0
    assert client.get(path).status_code == 410
    again = runner.invoke(main, ["worksheet", "revoke", fields["link_id"].strip()])
    assert again.exit_code == 1 and "no open link" in again.output
