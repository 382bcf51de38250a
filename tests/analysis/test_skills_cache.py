"""The skills step's per-text caches: same output as without them, and only new texts computed."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pytest

from schemas.analysis import dump_analysis
from workers.analysis import analyze_history, embeddings
from workers.analysis.skills import cache, clear_cache, extract, fields, tag, themes
from workers.analysis.skills import index as skill_index
from workers.analysis.skills.cache import TextCache, text_key
from workers.analysis.skills.lexical import tokens


def _job(title: str, description: str, likes: list[str], dislikes: list[str]) -> dict[str, Any]:
    return {"title": title, "employer": "Firm", "start": "2019-01", "end": "2020-12",
            "description": description, "likes": likes, "dislikes": dislikes}


# The same titles and sentences recur across candidates with other case and spacing.
HISTORIES: list[dict[str, Any]] = [
    {"candidate_id": "c-1", "jobs": [
        _job("Paralegal", "Researched case law for two partners. Drafted memos and pleadings.",
             ["digging through case law databases", "not having to cold-call anyone",
              "drafting affidavits"], ["billing hours", "the commute"]),
        _job("Software Developer", "Built web applications in Python and SQL.",
             ["legal tech research projects", "fixing bugs in the billing system"], ["on-call weekends"]),
    ]},
    {"candidate_id": "c-2", "jobs": [
        _job("paralegal ", "Drafted  memos and pleadings.\nKept the court calendar.",
             ["Drafting affidavits", "explaining the process to nervous clients"], ["photocopying"]),
        _job("Bank Teller", "Balanced the cash drawer daily; processed deposits and withdrawals.",
             ["making the numbers line up", "helping seniors with online banking"], ["sales targets"]),
        _job("Server", "", ["writing the specials board", "a busy Friday night rush"], ["angry customers"]),
    ]},
    {"candidate_id": "c-3", "jobs": [
        _job("PARALEGAL", "", ["DIGGING THROUGH CASE LAW DATABASES", "organising discovery binders"],
             ["rescheduling examinations"]),
        _job("Biochemist", "Ran assays and analysed results in the lab.",
             ["designing experiments", "reading papers"], ["grant paperwork"]),
    ]},
    {"candidate_id": "c-4", "jobs": [
        _job("Care Aide", "Assisted residents with daily living. Charted medications.",
             ["the residents' stories", "not being rushed"], ["short staffing", "night shifts"]),
    ]},
]


@pytest.fixture(autouse=True)
def _empty_caches() -> Iterator[None]:
    clear_cache()
    yield
    clear_cache()


def _skills(histories: Sequence[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    return [dump_analysis(analyze_history(h))["skills"] for h in histories]


def test_key_folds_only_what_neither_reader_sees() -> None:
    assert text_key("  Paralegal \n") == text_key("paralegal") == text_key("PARALEGAL") == "paralegal"
    assert text_key("Drafted \t memos\r\nand pleadings.") == "drafted memos and pleadings."
    assert text_key("ΟΔΟΣ") == "ΟΔΟΣ"  # non-ASCII keeps its case
    assert text_key("a\x0bb") == "a\x0bb"  # the tokenizer deletes this control character


@pytest.mark.parametrize("text", [
    "  Paralegal ", "Drafted  memos\tand PLEADINGS.\n", "Built web applications in Python and SQL.",
    "C++ / C# developer, e-filing", "DIGGING THROUGH CASE LAW DATABASES"])
def test_a_text_and_its_key_give_the_same_vector_and_words(text: str) -> None:
    key = text_key(text)
    assert tokens(key) == tokens(text)
    assert np.array_equal(embeddings.encode([key]), embeddings.encode([text]))


def test_lru_bounds_entries_and_characters() -> None:
    calls: list[list[str]] = []

    def compute(keys: list[str]) -> list[int]:
        calls.append(keys)
        return [len(k) for k in keys]

    c: TextCache[int] = TextCache(max_entries=3, max_chars=12)
    assert c.get_many(["aa", "B b", "aa", "b  b"], compute) == [2, 3, 2, 3]
    assert calls == [["aa", "b b"]]  # each new key once, in one batch
    c.get_many(["cc", "aa"], compute)  # "aa" becomes the most recently used
    c.get_many(["dd"], compute)  # four entries: the oldest, "b b", goes
    assert len(c) == 3 and c.chars == 6
    calls.clear()
    c.get_many(["aa", "b b"], compute)
    assert calls == [["b b"]]
    c.get_many(["x" * 11], compute)  # 11 characters: only it and nothing else fits
    assert len(c) == 1 and c.chars == 11
    c.get_many(["y" * 13], compute)  # longer than the whole budget: computed, not kept
    assert len(c) == 1
    assert (c.hits, c.misses) == (2, 7)


def test_zero_size_caches_nothing_and_a_new_scope_starts_empty() -> None:
    none: TextCache[int] = TextCache(0, 0)
    none.get_many(["a"], lambda keys: [1] * len(keys))
    assert len(none) == 0
    c: TextCache[int] = TextCache(10, 100)
    first, second = object(), object()
    c.get_many(["a"], lambda keys: [1] * len(keys), scope=first)
    assert c.get_many(["a"], lambda keys: [2] * len(keys), scope=first) == [1]
    assert c.get_many(["a"], lambda keys: [3] * len(keys), scope=second) == [3]


def test_bounds_are_documented_sizes() -> None:
    assert (tag.RANK_CACHE_ENTRIES, tag.RANK_CACHE_CHARS) == (50_000, 5_000_000)
    assert (themes.TITLE_CACHE_ENTRIES, themes.TITLE_CACHE_CHARS) == (20_000, 1_000_000)
    assert tag._RANK_CACHE.max_entries == tag.RANK_CACHE_ENTRIES
    assert themes._TITLE_SIMS.max_entries == themes.TITLE_CACHE_ENTRIES
    assert (themes.KEYWORD_CACHE_ENTRIES, themes.KEYWORD_CACHE_CHARS) == (50_000, 5_000_000)
    assert themes._KEYWORDS.max_entries == themes.KEYWORD_CACHE_ENTRIES


def test_cached_output_is_the_uncached_output(monkeypatch: pytest.MonkeyPatch) -> None:
    cached = _skills(HISTORIES)
    again = _skills(HISTORIES)  # second call: everything from the cache
    assert again == cached
    fresh = []
    for history in HISTORIES:  # each history alone, caches empty
        clear_cache()
        fresh.append(dump_analysis(analyze_history(history))["skills"])
    assert fresh == cached

    # Without any cache: the computation as it was before, on the raw texts of each history.
    def uncached_ranked(idx: skill_index.SkillIndex, texts: Sequence[str]) -> list[Any]:
        return extract.rank(idx, list(texts), top_k=tag.PER_TEXT)

    def uncached_sims(titles: list[str], table: themes.LinkTable) -> np.ndarray:
        return embeddings.encode(titles) @ themes._field_vectors(table.descriptions).T

    monkeypatch.setattr(tag, "_ranked", uncached_ranked)
    monkeypatch.setattr(themes, "_title_sims", uncached_sims)
    assert _skills(HISTORIES) == cached


def test_zero_size_caches_give_the_same_output(monkeypatch: pytest.MonkeyPatch) -> None:
    cached = _skills(HISTORIES)
    monkeypatch.setattr(tag, "_RANK_CACHE", TextCache(0, 0))
    monkeypatch.setattr(themes, "_TITLE_SIMS", TextCache(0, 0))
    monkeypatch.setattr(themes, "_KEYWORDS", TextCache(0, 0))
    assert _skills(HISTORIES) == cached


def test_second_call_and_recurring_texts_compute_nothing_new() -> None:
    _skills(HISTORIES)
    ranks, titles = tag._RANK_CACHE.misses, themes._TITLE_SIMS.misses
    _skills(HISTORIES)
    assert (tag._RANK_CACHE.misses, themes._TITLE_SIMS.misses) == (ranks, titles)
    # "Paralegal", "paralegal " and "PARALEGAL" are one entry; so are the two spacings of a sentence.
    assert "paralegal" in tag._RANK_CACHE._data and "PARALEGAL" not in tag._RANK_CACHE._data
    assert cache.text_key("Drafted  memos and pleadings.") in tag._RANK_CACHE._data


def test_an_edited_like_is_the_only_text_computed_again() -> None:
    history = HISTORIES[0]
    before = dump_analysis(analyze_history(history))["skills"]
    edited = copy.deepcopy(history)
    edited["jobs"][0]["likes"][2] = "preparing tax returns"  # was "drafting affidavits"
    misses, hits = tag._RANK_CACHE.misses, tag._RANK_CACHE.hits
    rows = {key: tag._RANK_CACHE._data[key] for key in list(tag._RANK_CACHE._data)}
    after = dump_analysis(analyze_history(edited))["skills"]
    assert tag._RANK_CACHE.misses - misses == 1
    assert tag._RANK_CACHE.hits - hits == len(rows) - 1  # all the others: reused
    assert all(tag._RANK_CACHE._data[key] is row for key, row in rows.items() if key in tag._RANK_CACHE._data)

    clear_cache()
    assert dump_analysis(analyze_history(edited))["skills"] == after  # a fresh analysis of the edit
    pointer = {"job": 0, "list": "likes", "index": 2}
    new = [e for e in after if e["label"] == "prepare tax returns forms"]
    assert new and pointer in new[0]["evidence"]
    assert [pointer in e["evidence"] for e in before if e["label"] == "take affidavits"] == [True]
    assert all(pointer not in e["evidence"] for e in after if e["label"] == "take affidavits")
    # Every other skill keeps its evidence; a skill is gone only if the old like supported it (alone,
    # or as the second text a weaker skill needs), or if the new like's skills pushed it past the cap.
    old = {e["id"]: {**e, "evidence": [ev for ev in e["evidence"] if ev != pointer]} for e in before}
    for entry in after:
        if pointer not in entry["evidence"]:
            assert old[entry["id"]] == entry
    kept = {e["id"] for e in after}
    units = tag._texts(edited["jobs"], analyze_history(edited).phrases)
    titles = [job["title"] for job in edited["jobs"]]
    entries = tag._text_entries(skill_index.get(), units, lambda j: fields.job(edited["jobs"][j]), titles)
    full = len(entries) == tag.MAX_TEXT_SKILLS
    assert all(pointer in e["evidence"] or full for e in before if e["id"] not in kept)
