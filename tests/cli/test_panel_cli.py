"""`passion connections update --frame-ancestor` and `passion panel link` against a real database: the
origins are checked and reach the panel's CSP; the printed URL opens the panel until it expires."""

from __future__ import annotations

import json

from click.testing import CliRunner

from tests.webhook_sender import event, history, signed_delivery
from workers.cli import main


def test_frame_ancestors_then_a_panel_link(tmp_path, monkeypatch):
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

    bad = runner.invoke(main, ["connections", "update", issued["id"], "--frame-ancestor", "http://acme.example"])
    assert bad.exit_code == 2 and "'--frame-ancestor'" in bad.output
    assert "must start with https://" in bad.output
    neither = runner.invoke(main, ["connections", "update", issued["id"]])
    assert neither.exit_code == 2 and "--no-frame-ancestors" in neither.output
    set_ = runner.invoke(main, ["connections", "update", issued["id"], "--frame-ancestor",
                                "https://acme.greenhouse.io/", "--frame-ancestor", "https://acme.lever.co"])
    assert set_.exit_code == 0, set_.output
    assert "frame ancestors: https://acme.greenhouse.io https://acme.lever.co" in set_.stdout
    listed = json.loads(runner.invoke(main, ["connections", "list", "--json"]).stdout)
    assert listed["frame_ancestors"] == ["https://acme.greenhouse.io", "https://acme.lever.co"]

    missing = runner.invoke(main, ["panel", "link", "nobody"])
    assert missing.exit_code == 1 and "no candidate 'nobody'" in missing.output
    made = runner.invoke(main, ["panel", "link", "cand/7", "--minutes", "5"])
    assert made.exit_code == 0, made.output
    fields = dict(line.split(": ", 1) for line in made.stdout.splitlines())
    path = fields["url"].strip().removeprefix("https://tagger.example")
    assert path.startswith("/panel/")
    opened = client.get(path)
    assert opened.status_code == 200 and "cand/7" in opened.get_data(as_text=True)
    assert ("frame-ancestors https://acme.greenhouse.io https://acme.lever.co;"
            in opened.headers["Content-Security-Policy"])

    cleared = runner.invoke(main, ["connections", "update", issued["id"], "--no-frame-ancestors"])
    assert cleared.exit_code == 0 and "none (the panel cannot be framed)" in cleared.stdout
    assert "frame-ancestors 'none'" in client.get(path).headers["Content-Security-Policy"]
