"""The numpy MiniLM encoder: shape, determinism and agreement with the reference model."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from workers.analysis.embeddings import DIM, encode

# all-MiniLM-L6-v2 through sentence-transformers (torch), normalize_embeddings=True, for "Python programming".
REFERENCE_PYTHON_PROGRAMMING = [-0.05093, 0.03691, -0.0576, 0.02084, -0.06507, -0.14813]
BENCH_SENTENCES = Path(__file__).resolve().parents[2] / "bench/data/skill-benchmark"


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


def _varied_sentences() -> list[str]:
    """A few hundred job-ad sentences of three domains, plus the edge cases of length and script."""
    found: dict[str, None] = {}
    for path in sorted(BENCH_SENTENCES.glob("*_annotations.csv")):
        with path.open(encoding="utf-8", newline="") as f:
            rows = [row["sentence"] for row in csv.DictReader(f)]
        found.update(dict.fromkeys(rows[::12]))
    return [*found, "", "x", "word " * 2000, "Café crème, naïve façade — 日本語のテキスト", "C++/C# & SQL!!!"]


def test_onnxruntime_graph_is_the_same_model() -> None:
    """bench/onnx_encoder.py's graph must compute what the engine computes, or its timings mean nothing."""
    from bench import onnx_encoder

    texts = _varied_sentences()
    assert len(texts) >= 200
    onnx = onnx_encoder.load()
    with threadpool_limits(1):  # two BLAS threads on a shared box take several times as long
        engine = encode(texts)
    assert float((engine * onnx.encode(texts, batch_size=16)).sum(1).min()) >= 0.9999
    np.testing.assert_allclose(onnx.encode(["Python programming"])[0][:6], REFERENCE_PYTHON_PROGRAMMING,
                               atol=2e-4)
