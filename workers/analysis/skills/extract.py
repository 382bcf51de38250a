"""Rank ESCO skills for free text: embedding similarity to the labels, plus word overlap.

The semantic feature catches paraphrase (cosine to the preferred label); the lexical one rewards
a skill whose preferred or alternative label is spelt out in the text. The score is a weighted
sum tuned on the skill-extraction benchmark's validation splits (bench/skills_tune.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from workers.analysis import embeddings
from workers.analysis.skills import index as skill_index
from workers.analysis.skills.index import SkillIndex


@dataclass(frozen=True)
class Weights:
    """Feature weights of the ranker, chosen on the validation splits by bench/skills_tune.py."""

    sem: float = 1.0
    lex: float = 0.6
    lex_full: float = 0.0


WEIGHTS = Weights()


@dataclass(frozen=True)
class Features:
    """Per-skill feature matrices (texts x skills) that the ranker combines."""

    sem: np.ndarray  # best cosine between the text and the skill's embedded labels
    lex: np.ndarray  # best IDF-weighted share of a label's words found in the text

    def score(self, w: Weights) -> np.ndarray:
        """Weighted sum of the features; higher is better."""
        s = w.sem * self.sem + w.lex * self.lex
        if w.lex_full:
            s += w.lex_full * (self.lex >= 0.999)
        return s


def features(idx: SkillIndex, texts: Sequence[str], vecs: np.ndarray) -> Features:
    """Compute every feature for every skill; vectorised, so cheap next to the encoder."""
    if idx.vectors is None:
        raise ValueError("the skill index was loaded without its label vectors")
    sem = np.maximum.reduceat(vecs @ idx.vectors.T, idx.sem_starts, axis=1)
    lex = np.zeros_like(sem)
    for row, text in enumerate(texts):
        lex[row] = np.maximum.reduceat(idx.lexical.coverage(text), idx.starts)
    return Features(sem, lex)


def top(scores: np.ndarray, k: int) -> np.ndarray:
    """Indexes of the ``k`` best scores, best first, ties broken by index for determinism."""
    k = min(k, scores.shape[0])
    part = np.argpartition(-scores, k - 1)[:k]
    return part[np.lexsort((part, -scores[part]))]


def rank(idx: SkillIndex, texts: Sequence[str], *, top_k: int = 10,
         weights: Weights = WEIGHTS, chunk: int = 256) -> list[list[tuple[int, float]]]:
    """Best ``top_k`` (skill index, score) pairs per text; ``chunk`` texts at a time bound memory."""
    out: list[list[tuple[int, float]]] = []
    for start in range(0, len(texts), chunk):
        part = list(texts[start:start + chunk])
        scores = features(idx, part, embeddings.encode(part)).score(weights)
        out += [[(int(j), float(row[j])) for j in top(row, top_k)] for row in scores]
    return out


def extract_skills(texts: Sequence[str], *, top_k: int = 10,
                   wording: Literal["v1.1.1", "v1.1.0"] = "v1.1.1") -> list[list[dict]]:
    """ESCO skills for each text, best first: {"id": URI, "label": preferred label, "score"}.

    ``wording="v1.1.0"`` gives the labels as ESCO v1.1.0 spelt them (what the skill-extraction
    benchmark scores against); the URIs are the same.
    """
    idx = skill_index.get()
    names = idx.v110 if wording == "v1.1.0" else idx.labels
    return [[{"id": idx.uri(j), "label": names[j], "score": round(s, 4)} for j, s in row]
            for row in rank(idx, texts, top_k=top_k)]
