"""analyze_history end to end with the rule cascade: the contract's shape, determinism, caching, imports.

The learned labeller's own tests are in test_labellers.py; these pin the rule labeller, whose outputs they
assert phrase by phrase."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from typing import Any

import pytest

from schemas.analysis import dump_analysis
from workers.analysis import analysis_version, analyze_history, tagger
from workers.analysis.lexicon import find_mentions
from workers.analysis.tagger import RuleLabeller

HISTORY: dict[str, Any] = {
    "candidate_id": "t-1",
    "jobs": [
        {"title": "Law Clerk", "employer": "A LLP", "start": "2022-01", "end": None, "description": "",
         "likes": ["hunting down case law on CanLII", "drafting affidavits", "the pay"],
         "dislikes": ["phones ringing all day", "rescheduling examinations"]},
        {"title": "Legal Assistant", "employer": "B LLP", "start": "2019-01", "end": "2021-12",
         "description": "", "likes": ["research memos for the partners", "scheduling discoveries"],
         "dislikes": ["difficult clients calling for updates", "the commute"]},
        {"title": "Server", "employer": "C Grill", "start": "2016-01", "end": "2018-12",
         "description": "", "likes": ["writing the specials board"],
         "dislikes": ["upselling wine", "angry customers"]},
    ],
}


def run(history: dict[str, Any]) -> dict[str, Any]:
    """The analysis as stored and printed (the typed result dumped through its schema), by the rules."""
    return dump_analysis(analyze_history(history, labeller=RuleLabeller()))


def test_output_has_the_cli_shape() -> None:
    out = run(HISTORY)
    assert set(out) == {"candidate_id", "analysis_version", "history_hash", "phrases", "passions",
                        "aversions", "mixed", "skills", "summary"}
    assert out["candidate_id"] == "t-1"
    assert out["analysis_version"] == analysis_version(RuleLabeller())
    slots = [(p["job"], p["list"], p["index"]) for p in out["phrases"]]
    expected = [(j, lst, i) for j, job in enumerate(HISTORY["jobs"]) for lst in ("likes", "dislikes")
                for i in range(len(job[lst]))]
    assert slots == expected
    assert isinstance(out["skills"], list)
    json.dumps(out)  # serialisable as it stands


def test_recurring_rule_applied_to_the_labels() -> None:
    out = run(HISTORY)
    assert [p["theme"] for p in out["passions"]] == ["research", "writing"]
    assert [p["jobs"] for p in out["passions"]] == [[0, 1], [0, 2]]
    assert out["passions"][0]["evidence"] == [{"job": 0, "list": "likes", "index": 0},
                                              {"job": 1, "list": "likes", "index": 0}]
    assert [a["theme"] for a in out["aversions"]] == ["client_contact"]
    assert out["aversions"][0]["jobs"] == [0, 1, 2]
    assert [m["theme"] for m in out["mixed"]] == ["coordination"]
    assert out["summary"].startswith("Loves ")
    assert "client contact (3 of 3 jobs)" in out["summary"]


def test_off_catalogue_phrase_has_empty_labels() -> None:
    out = run(HISTORY)
    pay = next(p for p in out["phrases"] if p["text"] == "the pay")
    assert pay["labels"] == []


def test_one_job_history_makes_single_likes_passions() -> None:
    one = {"candidate_id": "t-2", "jobs": [dict(HISTORY["jobs"][0])]}
    out = run(one)
    assert {"research", "writing"} <= {p["theme"] for p in out["passions"]}
    assert "(the only job listed)" in out["summary"]


def test_same_input_same_output_even_from_a_cold_cache() -> None:
    first = run(copy.deepcopy(HISTORY))
    tagger.clear_cache()
    second = run(copy.deepcopy(HISTORY))
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)


def test_spacing_and_case_changes_do_not_change_labels_but_do_change_text() -> None:
    edited = copy.deepcopy(HISTORY)
    edited["jobs"][0]["likes"][0] = "  Hunting down   CASE LAW on CanLII "
    a, b = run(HISTORY), run(edited)
    assert a["phrases"][0]["labels"] == b["phrases"][0]["labels"]


def test_reanalysis_after_one_edit_recomputes_only_that_phrase(monkeypatch: pytest.MonkeyPatch) -> None:
    run(HISTORY)
    calls: list[str] = []

    def counting(text: str, list_name: str | None = None) -> list:  # type: ignore[type-arg]
        calls.append(text)
        return find_mentions(text, list_name)

    monkeypatch.setattr(tagger, "find_mentions", counting)
    edited = copy.deepcopy(HISTORY)
    edited["jobs"][1]["likes"][1] = "scheduling mediations for three firms"
    out = run(edited)
    assert calls == ["scheduling mediations for three firms"]
    assert out["history_hash"] != run(HISTORY)["history_hash"]


def test_engine_imports_neither_flask_nor_celery() -> None:
    code = ("import sys, workers.analysis as a; a.analyze_history({'candidate_id': 'x', 'jobs': []}); "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('flask', 'celery')]; "
            "print(','.join(bad)); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_empty_history() -> None:
    out = run({"candidate_id": "t-3", "jobs": []})
    assert out["phrases"] == [] and out["passions"] == [] and out["summary"]


@pytest.mark.parametrize("data_file", ["data/themes/lexicon.txt", "data/themes/examples.tsv"])
def test_version_changes_with_the_data_files(monkeypatch: pytest.MonkeyPatch, data_file: str) -> None:
    from importlib import resources

    real = resources.files("workers.analysis")

    class Edited:
        """The package's files, with one data file edited."""

        def __init__(self, path: Any) -> None:
            self.path = path

        def read_bytes(self) -> bytes:
            return self.path.read_bytes() + b"\n# an edit\n"

    class Package:
        def joinpath(self, name: str) -> Any:
            return Edited(real.joinpath(name)) if name == data_file else real.joinpath(name)

    before = tagger.rules_version()
    tagger.rules_version.cache_clear()
    monkeypatch.setattr(tagger.resources, "files", lambda _: Package())
    try:
        assert tagger.rules_version() != before
    finally:
        tagger.rules_version.cache_clear()
