"""tag_skills: the cli.md "skills" entries built from passions and from the history's text."""

from __future__ import annotations

from tests.analysis.skills_support import tag as tag_skills

HISTORY = {"candidate_id": "c-17", "jobs": [
    {"title": "Law Clerk", "employer": "Harlow & Pike LLP", "start": "2021-02", "end": None,
     "description": "Researched case law for two partners. Drafted memos and pleadings.",
     "likes": ["digging through case law databases", "not having to cold-call anyone"],
     "dislikes": ["billing hours"]},
    {"title": "Software Developer", "employer": "Acme", "start": "2018-01", "end": "2021-01",
     "description": "Built web applications in Python and SQL.",
     "likes": ["legal tech research projects", "tuning slow SQL queries"], "dislikes": []},
]}
PHRASES = [
    {"job": 0, "list": "likes", "index": 0, "text": "digging through case law databases",
     "labels": [{"theme": "research", "polarity": 1, "confidence": 0.9}]},
    {"job": 0, "list": "likes", "index": 1, "text": "not having to cold-call anyone",
     "labels": [{"theme": "client_contact", "polarity": -1, "confidence": 0.8}]},
    {"job": 0, "list": "dislikes", "index": 0, "text": "billing hours",
     "labels": [{"theme": "numbers", "polarity": -1, "confidence": 0.7}]},
    {"job": 1, "list": "likes", "index": 0, "text": "legal tech research projects",
     "labels": [{"theme": "research", "polarity": 1, "confidence": 0.8}]},
    {"job": 1, "list": "likes", "index": 1, "text": "tuning slow SQL queries",
     "labels": [{"theme": "technology", "polarity": 1, "confidence": 0.8}]},
]
PASSIONS = [{"theme": "research", "label": "Research & investigation", "jobs": [0, 1],
             "strength": 0.8}]
KEYS = {"id", "label", "source", "themes", "evidence"}


def test_entries_follow_the_contract() -> None:
    out = tag_skills(HISTORY, PHRASES, PASSIONS)
    assert out, "expected some skills"
    for entry in out:
        assert set(entry) == KEYS
        assert entry["id"].startswith("http://data.europa.eu/esco/skill/")
        assert entry["source"] in {"theme", "text"}
        assert entry["evidence"]
        for ev in entry["evidence"]:
            assert set(ev) == {"job", "list", "index"}
            assert ev["list"] in {"likes", "dislikes", "title", "description"}
    assert len({e["id"] for e in out}) == len(out)


def test_theme_skills_come_first_with_their_phrases() -> None:
    out = tag_skills(HISTORY, PHRASES, PASSIONS)
    first = out[0]
    assert first["source"] == "theme" and first["themes"] == ["research"]
    assert first["label"] == "legal research"  # both jobs' words point at law
    assert {"job": 0, "list": "likes", "index": 0} in first["evidence"]
    assert {"job": 1, "list": "likes", "index": 0} in first["evidence"]


def test_text_skills_come_from_titles_descriptions_and_likes() -> None:
    text = [e for e in tag_skills(HISTORY, PHRASES, PASSIONS) if e["source"] == "text"]
    labels = {e["label"] for e in text}
    assert {"SQL", "Python (computer programming)"} & labels
    lists = {ev["list"] for e in text for ev in e["evidence"]}
    assert lists <= {"title", "description", "likes"}


def test_negated_likes_and_dislikes_give_no_text_skills() -> None:
    out = tag_skills(HISTORY, PHRASES, PASSIONS)
    pointers = [ev for e in out for ev in e["evidence"]]
    assert {"job": 0, "list": "likes", "index": 1} not in pointers
    assert all(ev["list"] != "dislikes" for ev in pointers)


def test_empty_history_and_unknown_theme() -> None:
    assert tag_skills({"candidate_id": "x", "jobs": []}, [], []) == []
    out = tag_skills(HISTORY, PHRASES, [{"theme": "not_a_theme", "jobs": [0]}])
    assert all(e["source"] == "text" for e in out)
