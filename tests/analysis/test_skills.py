"""ESCO index and free-text skill extraction."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from workers.analysis.skills import extract_skills
from workers.analysis.skills import index as skill_index
from workers.analysis.skills.lexical import LexicalIndex, tokens

URI = "http://data.europa.eu/esco/skill/"


def test_shipped_index_has_esco_with_attribution() -> None:
    doc = json.loads(gzip.decompress(skill_index.INDEX_FILE.read_bytes()))
    assert "ESCO, © European Union" in doc["source"]
    assert 13_500 < len(doc["skills"]) < 14_500
    readme = (skill_index.DATA / "README.md").read_text(encoding="utf-8")
    assert "ESCO, © European Union" in readme and "Decorte" in readme


def test_find_by_uri_uuid_and_label() -> None:
    idx = skill_index.get()
    i = idx.find("legal research")
    assert i is not None
    assert idx.find(idx.uri(i)) == i == idx.find(idx.ids[i]) == idx.find("Legal Research")
    assert idx.find("no such skill at all") is None


def test_renamed_skills_keep_their_v110_wording() -> None:
    idx = skill_index.get()
    i = idx.find("carry out parts purchasing")
    assert i is not None and idx.v110[i] == "purchase vehicle parts"
    assert idx.find("purchase vehicle parts") == i
    new = extract_skills(["carry out parts purchasing"], top_k=1)[0][0]
    old = extract_skills(["carry out parts purchasing"], top_k=1, wording="v1.1.0")[0][0]
    assert new["id"] == old["id"] == idx.uri(i)
    assert (new["label"], old["label"]) == ("carry out parts purchasing", "purchase vehicle parts")


def test_shipped_vectors_match_the_labels() -> None:
    idx = skill_index.get()
    assert idx.vectors is not None and idx.vectors.shape == (len(idx.sem_text), 384)
    with np.load(skill_index.VECTORS_FILE) as z:
        assert str(z["digest"]) == skill_index.labels_digest(idx.sem_text)


def test_vectors_are_computed_when_the_shipped_file_is_absent(tmp_path: Path) -> None:
    small = tmp_path / "esco.json.gz"
    doc = {"uri_prefix": URI, "groups": {}, "skills": [
        {"id": "a", "label": "legal research", "groups": [], "alts": ["research case law"]},
        {"id": "b", "label": "drive vehicles", "groups": [], "alts": [], "v110": "drive cars"}]}
    small.write_bytes(gzip.compress(json.dumps(doc).encode()))
    idx = skill_index.load(small, vectors=tmp_path / "missing.npz")
    assert idx.vectors is not None and idx.vectors.shape == (3, 384)
    again = skill_index.load(small, vectors=tmp_path / "missing.npz")
    np.testing.assert_array_equal(idx.vectors, again.vectors)


@pytest.mark.parametrize(("text", "expected"), [
    ("Excellent customer service skills", "customer service"),
    ("You will write clean code in Python", "Python (computer programming)"),
    ("Experience with SQL databases is a plus", "SQL"),
    ("I researched case law for the partners", "legal research"),
    ("Fluent in Spanish", "Spanish"),
    ("You lead a team of five nurses", "lead a team"),
])
def test_extract_finds_the_obvious_skill(text: str, expected: str) -> None:
    labels = [s["label"] for s in extract_skills([text], top_k=5)[0]]
    assert expected in labels


def test_extract_shape_order_and_determinism() -> None:
    texts = ["Manage the team budget and forecasts", "", "drive forklifts in the warehouse"]
    out = extract_skills(texts, top_k=4)
    assert len(out) == 3 and all(len(row) == 4 for row in out)
    for row in out:
        assert all(s["id"].startswith(URI) and s["label"] for s in row)
        scores = [s["score"] for s in row]
        assert scores == sorted(scores, reverse=True)
    assert extract_skills(texts, top_k=4) == out
    assert extract_skills([]) == []


def test_lexical_coverage_rewards_labels_spelt_out() -> None:
    assert tokens("Managing databases") == tokens("manage database")
    lex = LexicalIndex(["manage databases", "manage staff", "cook pasta"])
    cov = lex.coverage("I managed the company database")
    assert cov[0] == pytest.approx(1.0)
    assert 0 < cov[1] < 1
    assert cov[2] == 0


def test_version_is_a_stable_fingerprint() -> None:
    from workers.analysis.skills import version

    assert version() == version() and len(version()) == 12
