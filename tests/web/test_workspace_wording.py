"""What the profile says, chosen by plain code: write-back and analysis states, the passion profile, and
CSV cells a spreadsheet cannot run."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from plugin.pages.export import safe_cell
from plugin.pages.wording import analysis_state, passion_profile, write_back_state
from plugin.storage.models import Analysis, Candidate, Connection
from plugin.storage.pool import Sort
from schemas.api import SORTS

AT = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)
CALLBACK = Connection(provider="standard", callback_url="https://crm.example.com/hook")


def _analysis(status: str, attempts: int = 0, error: str | None = None, **more) -> Analysis:
    return Analysis(delivery_status=status, delivery_attempts=attempts, last_error=error, **more)


def test_no_callback_is_no_write_back_configured_whatever_the_status():
    state = write_back_state(Connection(provider="standard", callback_url=None),
                             _analysis("delivered", delivered_at=AT))
    assert state.kind == "none" and state.words.startswith("No write-back configured")


@pytest.mark.parametrize(("analysis", "kind", "words"), [
    (_analysis("pending"), "waiting", "waiting for a worker to send it"),
    (_analysis("pending", 2, "HTTP 503", retry_at=AT), "waiting",
     "attempt 2 failed (HTTP 503); next attempt after 2026-12-03 06:00:00 UTC"),
    (_analysis("delivered", delivered_at=AT), "ok", "Written back to the CRM at 2026-12-03 06:00:00 UTC"),
    (_analysis("superseded"), "none", "a newer history arrived"),
    (_analysis("dead", 9, "HTTP 410"), "failed", "(HTTP 410) after 9 attempts"),
])
def test_write_back_states_give_the_reason(analysis, kind, words):
    state = write_back_state(CALLBACK, analysis)
    assert state.kind == kind and words in state.words


@pytest.mark.parametrize(("status", "kind", "words"), [
    ("queued", "waiting", "Waiting for analysis since 2026-12-03 06:00:00 UTC"),
    ("enqueue_failed", "waiting", "the task queue was unavailable"),
    ("failed", "failed", "stopped with an error on history version 3"),
])
def test_analysis_states_in_words(status, kind, words):
    state = analysis_state(Candidate(status=status, queued_at=AT, history_version=3))
    assert state.kind == kind and words in state.words


def test_the_profile_shows_each_theme_per_job_most_recent_first():
    result = {"passions": [{"theme": "research", "label": "Research", "jobs": [0, 2]},
                           {"theme": "writing", "label": "Writing", "jobs": [0, 1, 2]}],
              "mixed": [{"theme": "numbers", "label": "Numbers", "liked_in": [1], "disliked_in": [2]}],
              "aversions": [{"theme": "presenting", "label": "Presenting", "jobs": [0, 1]}]}
    rows = passion_profile(result, 3)
    assert [r.label for r in rows] == ["Writing", "Research", "Numbers", "Presenting"]
    assert rows[1].cells == ["liked", "", "liked"] and rows[1].words == "liked in 2 of 3 jobs"
    assert rows[2].feeling == "mixed" and rows[2].words == "liked in 1 of 3 jobs, disliked in 1 of 3 jobs"
    assert rows[3].cells == ["disliked", "disliked", ""]


@pytest.mark.parametrize(("cell", "safe"), [
    ("=SUM(A1)", "'=SUM(A1)"), ("+1", "'+1"), ("-2", "'-2"), ("@cmd", "'@cmd"), ("\tx", "'\tx"),
    ("\r=x", "'\r=x"), ("Ana", "Ana"), ("", ""), ("a=b", "a=b"),
])
def test_csv_cells_that_could_start_a_formula_are_defused(cell, safe):
    assert safe_cell(cell) == safe


def test_the_api_schema_knows_every_sort_the_pool_does():
    assert set(SORTS) == {s.value for s in Sort}
