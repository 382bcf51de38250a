"""The recurring rule (docs/analysis.md) at its edges."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from workers.analysis.recurring import apply_rule, classify, collect
from workers.analysis.result import ThemeSets


@pytest.mark.parametrize(("pos", "neg", "n_jobs", "expected"), [
    (1, 0, 1, "passion"),      # the only job listed
    (0, 1, 1, "aversion"),
    (1, 0, 3, None),           # one job of several is not a pattern
    (0, 1, 2, None),
    (2, 0, 4, "passion"),
    (0, 2, 4, "aversion"),
    (1, 1, 2, "mixed"),        # a tie
    (2, 2, 4, "mixed"),
    (2, 1, 3, "mixed"),        # a one-job margin is not enough
    (3, 1, 4, "passion"),      # a two-job margin is
    (1, 3, 4, "aversion"),
    (4, 2, 5, "passion"),
])
def test_classify(pos: int, neg: int, n_jobs: int, expected: str | None) -> None:
    assert classify(pos, neg, n_jobs) == expected


def test_counts_distinct_jobs_not_phrases() -> None:
    # three likes of research, all in job 0, in a three-job history: still one job
    ev = collect([(0, "research", 1, 0.9), (0, "research", 1, 0.9), (0, "research", 1, 0.8)])
    assert apply_rule(ev, 3) == ThemeSets()


def test_lists_sorted_with_evidence_and_strength() -> None:
    ev = collect([(0, "writing", 1, 0.9), (1, "writing", 1, 0.9), (0, "analysis", 1, 0.9),
                  (2, "analysis", 1, 0.9), (0, "fast_pace", 1, 0.9), (1, "fast_pace", -1, 0.9),
                  (1, "client_contact", -1, 0.9), (2, "client_contact", -1, 0.9)])
    out = asdict(apply_rule(ev, 3))
    assert [p["theme"] for p in out["passions"]] == ["analysis", "writing"]
    assert out["passions"][0]["jobs"] == [0, 2]
    assert out["passions"][0]["label"] == "Analysis & problem solving"
    assert 0.0 < out["passions"][0]["strength"] <= 1.0
    assert [a["theme"] for a in out["aversions"]] == ["client_contact"]
    assert out["mixed"] == [{"theme": "fast_pace", "label": "Pace & variety",
                             "liked_in": [0], "disliked_in": [1]}]


def test_strength_ranks_broader_passions_higher() -> None:
    ev = collect([(j, "research", 1, 0.9) for j in range(4)] + [(0, "writing", 1, 0.9),
                                                              (1, "writing", 1, 0.9)])
    out = {p["theme"]: p["strength"] for p in asdict(apply_rule(ev, 4))["passions"]}
    assert out["research"] > out["writing"]


def test_summary_reads_at_a_glance() -> None:
    from workers.analysis.summary import summarise

    votes = [(j, "research", 1, 0.9) for j in range(3)]
    votes += [(0, "writing", 1, 0.9), (1, "writing", 1, 0.9)]
    votes += [(1, "client_contact", -1, 0.9), (2, "client_contact", -1, 0.9)]
    votes += [(0, "fast_pace", 1, 0.9), (1, "fast_pace", -1, 0.9)]
    ev = collect(votes)
    sets = apply_rule(ev, 4)
    text = summarise(sets, 4)
    assert text == ("Loves research (3 of 4 jobs) and writing (2 of 4 jobs); avoids client contact "
                    "(2 of 4 jobs). Mixed feelings about a fast pace.")
    assert summarise(ThemeSets(), 2) == "No theme recurs across jobs yet."
