"""The neighbours' vote: what the corpus's nearest phrases say, stored small, weighed by the labeller."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from workers.analysis import learned, neighbours

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from train_labeller import CORPUS, load_corpus  # noqa: E402


@pytest.fixture(scope="module")
def corpus() -> list:  # type: ignore[type-arg]
    return load_corpus(CORPUS)


def test_the_bank_holds_every_corpus_phrase_with_its_labels(corpus: list) -> None:  # type: ignore[type-arg]
    bank = neighbours.bank()
    assert bank is not None
    assert bank.vectors.shape[0] == bank.classes.shape[0] == len(corpus)
    for i in (0, len(corpus) // 2, len(corpus) - 1):
        themes = {learned.CLASSES[k] for k in bank.classes[i] if k != neighbours.NO_LABEL}
        assert themes == ({t for t, _ in corpus[i].labels} or {"none"})
    assert np.allclose(np.linalg.norm(bank.vectors, axis=1), 1.0, atol=1e-4)


def test_a_corpus_phrase_is_its_own_nearest_neighbour_and_votes_are_shares(
        corpus: list) -> None:  # type: ignore[type-arg]
    bank = neighbours.bank()
    assert bank is not None
    long = [r for r in corpus if len(r.text.split()) >= bank.min_words]
    rows = [r for r in long if len(r.labels) == 1][:3] + [r for r in long if not r.labels][:1]
    vote = neighbours.votes([r.text for r in rows], len(learned.CLASSES))
    assert np.allclose(vote.sum(axis=1), 1.0)
    for row, v in zip(rows, vote, strict=True):
        own = learned.CLASSES.index(row.labels[0][0]) if row.labels else 0
        assert v[own] >= 1 / bank.k  # the phrase itself is among its nearest


def test_a_short_phrase_gets_no_vote(corpus: list) -> None:  # type: ignore[type-arg]
    """Short phrases carry their theme in their words: the encoder is not run for them."""
    bank = neighbours.bank()
    assert bank is not None
    short = next(r.text for r in corpus if r.labels and len(r.text.split()) == bank.min_words - 1)
    longer = short + " every single day"
    vote = neighbours.votes([short, longer], len(learned.CLASSES))
    assert not vote[0].any()
    assert np.isclose(vote[1].sum(), 1.0)


def test_quantised_rows_come_back_within_half_a_step() -> None:
    rng = np.random.default_rng(3)
    projected = neighbours.project(rng.normal(size=(20, 384)).astype(np.float32), np.zeros(384, np.float32),
                                   rng.normal(size=(16, 384)).astype(np.float32))
    codes, scale = neighbours.quantise(projected)
    assert codes.dtype == np.int8
    assert np.all(np.abs(codes.astype(np.float32) * scale[:, None] - projected) <= scale[:, None] / 2 + 1e-7)


def test_without_a_bank_there_is_no_vote_and_the_labeller_still_labels(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(neighbours, "BANK_FILE", tmp_path / "missing.npz")
    neighbours.bank.cache_clear()
    try:
        assert neighbours.bank() is None
        assert not neighbours.votes(["digging through case law"], len(learned.CLASSES)).any()
        labels = learned.predict([("digging through case law for the partners", "likes")], [()])
        assert [lab.theme for lab in labels[0]] == ["research"]
    finally:
        neighbours.bank.cache_clear()


def test_the_neighbours_vote_tips_a_theme_the_model_alone_leaves_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """A theme below the threshold on the model's word alone is labelled when the nearest phrases carry it."""
    weights = learned._weights()
    proba = np.zeros((1, len(learned.CLASSES)))
    research = learned.CLASSES.index("research")
    proba[0, 0], proba[0, research] = 1.0 - (weights.tau - 0.1), weights.tau - 0.1
    monkeypatch.setattr(learned, "scores", lambda items: (proba.copy(), np.zeros(len(items))))
    item = [("poring over old case files", "likes")]
    monkeypatch.setattr(neighbours, "votes", lambda texts, n: np.eye(n)[[0] * len(texts)])
    assert learned.predict(item, [()]) == [()]
    monkeypatch.setattr(neighbours, "votes", lambda texts, n: np.eye(n)[[research] * len(texts)])
    assert [(lab.theme, lab.polarity) for lab in learned.predict(item, [()])[0]] == [("research", 1)]


@pytest.mark.parametrize("text, list_name", [
    ("four straight hours of listening to complaints from the same three clients", "dislikes"),
    ("digging through case law", "likes"),
])
def test_explain_reads_the_phrase_as_the_labeller_does(text: str, list_name: str) -> None:
    """One reading serves the explanation: its labels, vote and top themes are the labeller's own."""
    from workers.analysis.explain import explain
    from workers.analysis.tagger import label_phrases

    found = explain(text, list_name)
    learned.clear_cache()
    assert found.labels == learned.LearnedLabeller().label([(text, list_name)])[0]
    reading = learned.read([(text, list_name)], label_phrases([(text, list_name)]))
    assert found.top_themes[0] == (learned.CLASSES[int(np.argmax(reading.proba[0]))],
                                   round(float(reading.proba[0].max()), 3))
    assert bool(found.neighbour_votes) == bool(reading.votes[0].any())
