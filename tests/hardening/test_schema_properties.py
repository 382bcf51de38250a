"""Property-based tests on every schema in schemas/: valid input loads unchanged, anything else is a
ValidationError naming a real field, and nothing that loads can hurt the database or a page."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import Schema, ValidationError

from plugin.receiving.connectors.standard import StandardConnector
from schemas import history as limits
from schemas.analysis import AnalysisResultSchema
from schemas.api import MAX_FILTER_VALUES, CandidateFilterSchema
from schemas.catalogue import THEME_IDS
from schemas.errors import describe_errors, flatten_errors
from schemas.history import (
    CandidateHistorySchema,
    JobSchema,
    forbidden_char,
    is_plausible_id,
    normalize_id,
)
from schemas.webhooks import CandidateRefSchema, StandardEventSchema
from tests.hardening.strategies import (
    FIELD_PATH,
    events,
    histories,
    jobs,
    json_values,
    mutated,
    nasty_text,
)

FAST = settings(max_examples=150, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _load_or_errors(schema: Schema, value: Any) -> tuple[Any, dict[str, list[str]] | None]:
    """Load, turning only marshmallow's ValidationError into field errors: anything else is a bug."""
    try:
        return schema.load(value), None
    except ValidationError as exc:
        return None, flatten_errors(exc.messages)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _assert_storable_history(loaded: dict[str, Any]) -> None:
    """What the database and the engine may assume about any history that loaded."""
    assert set(loaded) == {"candidate_id", "jobs", "name", "crm_url"}
    assert loaded["name"] is None or len(loaded["name"]) <= limits.MAX_SHORT_TEXT_CHARS
    assert loaded["crm_url"] is None or (loaded["crm_url"].startswith("https://")
                                         and len(loaded["crm_url"]) <= limits.MAX_URL_CHARS)
    assert loaded["candidate_id"] and is_plausible_id(loaded["candidate_id"])  # addressable in a URL
    assert len(loaded["jobs"]) <= limits.MAX_JOBS
    for text in _strings(loaded):
        assert forbidden_char(text) is None
        text.encode("utf-8")  # no lone surrogates: psycopg and json.dumps(ensure_ascii=False) need this
    for job in loaded["jobs"]:
        assert set(job) == {"title", "employer", "start", "end", "description", "likes", "dislikes"}
        assert 1 <= len(job["title"]) <= limits.MAX_SHORT_TEXT_CHARS
        assert len(job["description"]) <= limits.MAX_DESCRIPTION_CHARS
        assert all(1 <= len(p) <= limits.MAX_PHRASE_CHARS for p in job["likes"] + job["dislikes"])
        assert len(job["likes"]) <= limits.MAX_PHRASES_PER_LIST >= len(job["dislikes"])
        for date in (job["start"], job["end"]):
            assert date is None or (date.isascii() and "1900-01" <= date <= "2099-12" and len(date) == 7)
        if job["start"] and job["end"]:
            assert job["start"] <= job["end"]


@FAST
@given(histories)
def test_valid_histories_load_unchanged(history: dict[str, Any]) -> None:
    """Markup, quotes and any script's letters are data: loaded as sent, defaults filled in."""
    loaded = CandidateHistorySchema().load(history)
    for sent, got in zip(history["jobs"], loaded["jobs"], strict=True):
        assert {k: got[k] for k in sent} == sent
    assert loaded["candidate_id"] == normalize_id(history["candidate_id"])  # ids are stored in NFC
    _assert_storable_history(loaded)
    assert CandidateHistorySchema().load(loaded) == loaded  # what we store is valid input again


@FAST
@given(st.data(), histories.filter(lambda h: h["jobs"]))
def test_broken_histories_are_refused_naming_the_field_or_load_safely(data: st.DataObject,
                                                                      history: dict[str, Any]) -> None:
    """One position replaced or removed: either still valid and safe, or refused naming a real field."""
    document, _ = data.draw(mutated(history))
    loaded, errors = _load_or_errors(CandidateHistorySchema(), document)
    if errors is None:
        _assert_storable_history(loaded)
        return
    assert errors, "a refusal names at least one field"
    for field in errors:
        assert FIELD_PATH.fullmatch("data." + field), field


@FAST
@given(json_values)
def test_any_json_value_is_loaded_or_refused(value: Any) -> None:
    """Every schema a CRM or caller can reach raises only ValidationError, whatever the JSON."""
    for schema in (CandidateHistorySchema(), JobSchema(), StandardEventSchema(), CandidateRefSchema(),
                   CandidateFilterSchema(), AnalysisResultSchema()):
        _load_or_errors(schema, value)


@FAST
@given(st.sampled_from(["title", "employer", "description", "likes", "dislikes"]), nasty_text)
def test_control_characters_are_refused_in_every_text_field(field: str, text: str) -> None:
    """NUL and the other C0 controls (tab, newline, CR aside) and lone surrogates never load."""
    job: dict[str, Any] = {"title": "Clerk", field: [text] if field in ("likes", "dislikes") else text}
    loaded, errors = _load_or_errors(JobSchema(), job)
    if forbidden_char(text) is not None:
        assert errors is not None and any(key.startswith(field) for key in errors)
    elif errors is None:
        assert forbidden_char(str(loaded[field])) is None


@FAST
@given(year_a=st.integers(1800, 2300), month_a=st.integers(0, 13), year_b=st.integers(1800, 2300),
       month_b=st.integers(0, 13))
def test_dates_out_of_range_or_in_the_wrong_order_are_refused(year_a: int, month_a: int, year_b: int,
                                                              month_b: int) -> None:
    """YYYY-MM between 1900-01 and 2099-12, and the end never before the start."""
    start, end = f"{year_a:04d}-{month_a:02d}", f"{year_b:04d}-{month_b:02d}"
    _, errors = _load_or_errors(JobSchema(), {"title": "Clerk", "start": start, "end": end})

    def valid(year: int, month: int) -> bool:
        return 1900 <= year <= 2099 and 1 <= month <= 12

    expected = set()
    if not valid(year_a, month_a):
        expected.add("start")
    if not valid(year_b, month_b):
        expected.add("end")
    if not expected and (year_b, month_b) < (year_a, month_a):
        expected.add("end")
    assert set(errors or {}) == expected


@FAST
@given(events)
def test_valid_events_become_inbound_events(event: dict[str, Any]) -> None:
    """The connector keeps the candidate id (in NFC) and, for deletions, carries no history."""
    inbound = StandardConnector().load_event(event)
    assert inbound.type == event["type"]
    assert inbound.external_id == normalize_id(event["data"]["candidate_id"])
    assert (inbound.history is None) == (event["type"] == "candidate.deleted")
    if inbound.history is not None:
        _assert_storable_history(inbound.history)


@FAST
@given(st.data(), events)
def test_broken_events_are_refused_naming_the_field(data: st.DataObject, event: dict[str, Any]) -> None:
    """The envelope and its data: refusals name a field path the CRM developer can find."""
    document, _ = data.draw(mutated(event))
    loaded, errors = _load_or_errors(StandardEventSchema(), document)
    if errors is None:
        if loaded["type"] != "candidate.deleted":
            _assert_storable_history(loaded["data"])
        return
    assert errors
    for field in errors:
        assert FIELD_PATH.fullmatch(field), field
    assert describe_errors(errors).endswith(", ".join(sorted(errors)))


@FAST
@given(st.dictionaries(st.sampled_from(["theme", "aversion", "skill"]),
                       st.lists(st.sampled_from(THEME_IDS) | nasty_text, max_size=25)))
def test_filter_args_are_loaded_or_refused_naming_the_argument(query: dict[str, list[str]]) -> None:
    """Theme ids from the catalogue, at most 20 values an argument, skills free of control characters."""
    loaded, errors = _load_or_errors(CandidateFilterSchema(), query)
    for name, values in query.items():
        bad = len(values) > MAX_FILTER_VALUES or any(
            (v not in THEME_IDS) if name != "skill" else not (1 <= len(v) <= 255) or forbidden_char(v)
            for v in values)
        assert (errors is not None and any(k.startswith(name) for k in errors)) == bad
    if errors is None:
        attrs = {"theme": "themes", "aversion": "aversions", "skill": "skills"}
        assert loaded == {"themes": [], "aversions": [], "exclude_aversions": [], "skills": [], "text": "",
                          "sort": "recent", **{attrs[k]: v for k, v in query.items()}}


@FAST
# "_schema" is marshmallow's key for whole-input errors: an argument of that name is refused too, but reported
# as the whole input ("body"), so it cannot be named back
@given(st.dictionaries(nasty_text.filter(lambda k: k not in ("", "theme", "aversion", "exclude_aversion",
                                                             "skill", "q", "sort", "_schema")),
                       st.lists(st.text(max_size=5), max_size=2), min_size=1, max_size=3))
def test_unknown_filter_args_are_refused(query: dict[str, list[str]]) -> None:
    """Our API refuses what it does not know, so a typo never silently widens a search."""
    _, errors = _load_or_errors(CandidateFilterSchema(), query)
    assert errors is not None and set(query) <= set(errors)


def test_an_argument_named_like_marshmallows_whole_input_key_is_refused() -> None:
    _, errors = _load_or_errors(CandidateFilterSchema(), {"_schema": ["x"]})
    assert errors == {"body": ["Unknown field."]}


@FAST
@given(st.recursive(st.lists(st.text(max_size=5), max_size=3),
                    lambda c: st.dictionaries(st.one_of(st.text(max_size=5), st.integers(0, 40)), c,
                                              max_size=3),
                    max_leaves=10))
def test_error_flattening_never_fails(messages: Any) -> None:
    """Whatever marshmallow nests, the receiver gets field paths mapped to lists of text."""
    flat = flatten_errors(messages)
    assert all(isinstance(k, str) and all(isinstance(m, str) for m in v) for k, v in flat.items())
    if flat:
        assert all(k in describe_errors(flat) for k in flat)


@pytest.mark.parametrize("schema", [CandidateHistorySchema, JobSchema, StandardEventSchema,
                                    CandidateRefSchema])
def test_inbound_schemas_drop_unknown_fields(schema: type[Schema]) -> None:
    """CRMs add fields freely; unknown ones are dropped, never stored."""
    sample: dict[str, Any] = {"candidate_id": "c", "jobs": [], "title": "t", "type": "candidate.deleted",
                              "data": {"candidate_id": "c"}, "__proto__": {"admin": True}, "extra": 1}
    loaded, errors = _load_or_errors(schema(), sample)
    assert errors is None
    assert "__proto__" not in loaded and "extra" not in loaded


def test_jobs_strategy_is_valid() -> None:
    """Guard for the strategies themselves: a generated job is one the schema accepts."""
    @given(jobs())
    @settings(max_examples=50, database=None)
    def check(job: dict[str, Any]) -> None:
        assert JobSchema().load(job)["title"] == job["title"]

    check()
