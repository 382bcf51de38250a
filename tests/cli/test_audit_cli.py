"""`passion audit CONNECTION_ID` against a real database: the connection's entries, newest first,
tab-separated or as JSON Lines; an unknown connection is named in the error."""

from __future__ import annotations

import json

from click.testing import CliRunner

from tests.webhook_sender import event, history, signed_delivery
from workers.cli import main


def test_audit_prints_the_connections_entries(tmp_path, monkeypatch):
    from plugin import create_app

    monkeypatch.setenv("PASSION_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PASSION_DATABASE_URL", raising=False)
    monkeypatch.setenv("PASSION_BROKER_URL", "redis://127.0.0.1:1/0")
    runner = CliRunner()
    issued = json.loads(runner.invoke(main, ["connections", "create", "--name", "A", "--json"]).stdout)
    client = create_app().test_client()
    body, headers = signed_delivery(issued["secret"], event("candidate.created", history("cand/7", ["x"])))
    assert client.post(f"/webhooks/{issued['id']}", data=body, headers=headers).status_code == 202
    auth = {"Authorization": f"Bearer {issued['token']}"}
    for _ in range(2):  # the broker is unreachable: each request is still recorded
        assert client.post("/api/candidates/cand/7/reanalyze", headers=auth).status_code in (202, 503)

    printed = runner.invoke(main, ["audit", issued["id"]])
    assert printed.exit_code == 0, printed.output
    lines = [line.split("\t") for line in printed.stdout.splitlines()]
    assert [fields[1:3] for fields in lines] == [["crm", "reanalysis_requested"]] * 2
    assert lines[0][0] >= lines[1][0] and lines[0][5] == "history version 1"
    as_json = [json.loads(line) for line in runner.invoke(main, ["audit", issued["id"], "--json",
                                                               "--limit", "1"]).stdout.splitlines()]
    assert len(as_json) == 1 and as_json[0]["actor"] == "crm" and "cand/7" not in json.dumps(as_json)
    missing = runner.invoke(main, ["audit", "con_nobody"])
    assert missing.exit_code == 1 and "no connection con_nobody" in missing.output
