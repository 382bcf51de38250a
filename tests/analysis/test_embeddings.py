"""The numpy MiniLM encoder: shape, determinism and agreement with the reference model."""

from __future__ import annotations

import numpy as np

from workers.analysis.embeddings import DIM, encode

# all-MiniLM-L6-v2 through sentence-transformers (torch), normalize_embeddings=True, for "Python programming".
REFERENCE_PYTHON_PROGRAMMING = [-0.05093, 0.03691, -0.0576, 0.02084, -0.06507, -0.14813]


def test_shape_dtype_and_unit_rows() -> None:
    vecs = encode(["legal research", "drafting pleadings", ""])
    assert vecs.shape == (3, DIM)
    assert vecs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)


def test_empty_input_gives_empty_matrix() -> None:
    assert encode([]).shape == (0, DIM)


def test_matches_reference_model() -> None:
    vec = encode(["Python programming"])[0]
    np.testing.assert_allclose(vec[:6], REFERENCE_PYTHON_PROGRAMMING, atol=2e-4)


def test_deterministic_and_independent_of_batching() -> None:
    texts = ["a short one", "a much longer sentence about managing court filing deadlines", "x"]
    whole = encode(texts)
    one_by_one = encode(texts, batch_size=1)
    np.testing.assert_allclose(whole, one_by_one, atol=1e-5)
    np.testing.assert_array_equal(whole, encode(texts))


def test_paraphrases_are_closer_than_unrelated_text() -> None:
    a, b, c = encode(["I enjoyed researching case law",
                      "I liked doing legal research",
                      "driving a forklift in the warehouse"])
    assert a @ b > 0.6
    assert a @ b > a @ c + 0.3


def test_long_text_is_truncated_not_rejected() -> None:
    vec = encode(["word " * 2000])
    assert np.isfinite(vec).all()
