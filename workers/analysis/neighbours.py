"""What the training corpus's nearest phrases say about a phrase: a vote the learned labeller weighs.

The linear model reads words; a long sentence whose theme is implied ("four straight hours of listening to
complaints") shares few of them with anything it was trained on, yet its contextual MiniLM vector lands
near training phrases that say the same thing in other words. Each corpus phrase is stored as its sentence
vector projected onto the corpus's first principal axes, in int8 with a scale per row (a few MB instead of
67), with the classes its writer gave it. A phrase's vote is the share of each class ("none" included)
among its K nearest stored phrases by cosine. Only phrases of at least min_words words get a vote: a short
phrase carries its theme in its words, which the model reads well, and the sentence encoder is the
engine's dearest step, so short worksheet notes pay nothing for it. Built by scripts/build_neighbours.py;
K, the vote's weight and min_words are stored with the bank.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from workers.analysis import embeddings

BANK_FILE = Path(str(resources.files("workers.analysis").joinpath("data/themes/neighbours.npz")))
NO_LABEL = -1


@dataclass(frozen=True)
class Bank:
    mean: np.ndarray  # (384,) the corpus vectors' mean, removed before projecting
    axes: np.ndarray  # (dim, 384) principal axes
    vectors: np.ndarray  # (phrases, dim) projected, unit length, float32
    classes: np.ndarray  # (phrases, 2) class indexes of each phrase's labels, NO_LABEL where it has fewer
    k: int
    weight: float
    min_words: int


def project(vectors: np.ndarray, mean: np.ndarray, axes: np.ndarray) -> np.ndarray:
    """Sentence vectors on the bank's axes, unit length (cosine becomes a dot product)."""
    projected = (vectors - mean) @ axes.T
    norms = np.linalg.norm(projected, axis=1, keepdims=True)
    return (projected / np.maximum(norms, 1e-12)).astype(np.float32)


def quantise(projected: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 codes and a scale per row; codes x scale gives the row back to within half a step."""
    scale = np.maximum(np.abs(projected).max(axis=1), 1e-12) / 127.0
    return np.round(projected / scale[:, None]).astype(np.int8), scale.astype(np.float32)


@lru_cache(maxsize=1)
def bank() -> Bank | None:
    """The shipped bank, or None when it or the sentence model is not installed (the vote is then off)."""
    if not BANK_FILE.exists():
        return None
    try:
        embeddings.model_dir()
    except RuntimeError:
        return None
    with np.load(BANK_FILE) as z:
        codes = z["codes"].astype(np.float32) * z["scale"][:, None]
        vectors = codes / np.maximum(np.linalg.norm(codes, axis=1, keepdims=True), 1e-12)
        return Bank(z["mean"].astype(np.float32), z["axes"].astype(np.float32), vectors.astype(np.float32),
                    z["classes"].astype(np.int64), int(z["k"]), float(z["weight"]), int(z["min_words"]))


def votes(texts: Sequence[str], n_classes: int) -> np.ndarray:
    """(texts x classes) share of each class among each text's K nearest corpus phrases; zeros for a text
    shorter than the bank's min_words and without a bank. A phrase with two labels gives each half a vote."""
    out = np.zeros((len(texts), n_classes))
    stored = bank()
    if stored is None:
        return out
    long_enough = [i for i, text in enumerate(texts) if len(text.split()) >= stored.min_words]
    if not long_enough:
        return out
    query = project(embeddings.encode([texts[i] for i in long_enough]), stored.mean, stored.axes)
    similarity = query @ stored.vectors.T
    k = min(stored.k, similarity.shape[1])
    nearest = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
    labels = stored.classes[nearest]  # (texts, k, 2)
    share = np.where(labels[..., 1] == NO_LABEL, 1.0, 0.5)
    rows = np.repeat(np.array(long_enough), k)
    for column in (0, 1):
        present = labels[..., column].ravel() != NO_LABEL
        np.add.at(out, (rows[present], labels[..., column].ravel()[present]), share.ravel()[present] / k)
    return out
