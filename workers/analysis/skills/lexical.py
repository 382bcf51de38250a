"""Word-overlap matching between texts and ESCO labels, for skills named outright in a sentence."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np

_WORD = re.compile(r"[a-z0-9][a-z0-9+#]*(?:[.\-/][a-z0-9+#]+)*")
STOPWORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "into", "is", "it", "of",
    "on", "or", "our", "the", "to", "with", "within", "your", "you", "we", "will", "who", "this",
    "that", "their", "its", "other", "using", "use", "including", "etc", "such", "all", "any"})


def stem(word: str) -> str:
    """A tiny, predictable stemmer: joins 'databases'/'database' and 'managed'/'managing'/'manage'."""
    if len(word) > 5 and word.endswith("ing"):
        word = word[:-3]
    elif len(word) > 4 and word.endswith("ed") and not word.endswith("eed"):
        word = word[:-2]
    elif len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word


def tokens(text: str) -> list[str]:
    """Stemmed content words of ``text``, in order, stopwords dropped."""
    return [stem(w) for w in _WORD.findall(text.lower()) if w not in STOPWORDS]


class LexicalIndex:
    """Inverted index from stemmed words to labels, weighted by inverse document frequency."""

    def __init__(self, labels: Sequence[str]) -> None:
        """Index ``labels``; the order of labels is the order of the score vectors."""
        postings: dict[str, list[int]] = {}
        for i, label in enumerate(labels):
            for tok in set(tokens(label)):
                postings.setdefault(tok, []).append(i)
        n = max(1, len(labels))
        self.size = len(labels)
        self.idf = {t: math.log(1 + n / len(p)) for t, p in postings.items()}
        self.postings = {t: np.asarray(p, dtype=np.int32) for t, p in postings.items()}
        mass = np.zeros(self.size, dtype=np.float64)
        for tok, p in self.postings.items():
            mass[p] += self.idf[tok]
        self.mass = np.maximum(mass, 1e-9).astype(np.float32)

    def coverage(self, text: str) -> np.ndarray:
        """Per label, the IDF-weighted share of its words that ``text`` contains (0..1)."""
        found = [t for t in set(tokens(text)) if t in self.postings]
        if not found:
            return np.zeros(self.size, dtype=np.float32)
        idx = np.concatenate([self.postings[t] for t in found])
        w = np.concatenate([np.full(len(self.postings[t]), self.idf[t], np.float32) for t in found])
        hits = np.bincount(idx, weights=w, minlength=self.size).astype(np.float32)
        return hits / self.mass
