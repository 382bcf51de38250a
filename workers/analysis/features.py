"""What the learned labeller sees of a phrase: hashed words and character n-grams, and its static vector.

One function builds the features for training (scripts/train_labeller.py) and for inference
(learned.py), so the two can never drift apart. Hashing (scikit-learn's HashingVectorizer, MurmurHash3)
needs no vocabulary file and maps words never seen in training to buckets the model simply has no
weight for; character n-grams carry typos, shorthand and inflections to the words they resemble, and
the static MiniLM vector carries synonyms the corpus never used.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer

from workers.analysis import static_vectors
from workers.analysis.text import normalise_phrase

HASH_BITS = 16
N_HASHED = 2 * (1 << HASH_BITS)  # word buckets, then character buckets
STATIC_DIM = 384
STATIC_WEIGHT = 1.0  # the dense vector's scale against the unit-length hashed blocks
LIST_TOKENS = {"likes": "xlikesx", "dislikes": "xdislikesx"}


@lru_cache(maxsize=1)
def _vectorizers() -> tuple[HashingVectorizer, HashingVectorizer, HashingVectorizer]:
    """Words (1-2 grams), characters within words (2-5) and, for polarity, words with the list (1-3)."""
    common = {"n_features": 1 << HASH_BITS, "alternate_sign": False, "lowercase": False, "norm": "l2",
              "dtype": np.float32}
    words = HashingVectorizer(analyzer="word", ngram_range=(1, 2), token_pattern=r"[a-z0-9$%']+|[!?]",
                              **common)
    chars = HashingVectorizer(analyzer="char_wb", ngram_range=(2, 5), **common)
    polar = HashingVectorizer(analyzer="word", ngram_range=(1, 3), token_pattern=r"[a-z0-9$%']+|[!?,.]",
                              **common)
    return words, chars, polar


def normalised(texts: Sequence[str]) -> list[str]:
    """Lower case, canonical punctuation and spacing, phone shorthand spelt out (text.py)."""
    return [normalise_phrase(text) for text in texts]


def theme_features(texts: Sequence[str]) -> sparse.csr_matrix:
    """Rows of [word buckets | character buckets | static vector] for normalised phrases."""
    words, chars, _ = _vectorizers()
    static = static_vectors.encode(list(texts)) * STATIC_WEIGHT
    return sparse.hstack([words.transform(texts), chars.transform(texts),
                          sparse.csr_matrix(static.astype(np.float32))], format="csr", dtype=np.float32)


def polarity_features(texts: Sequence[str], lists: Sequence[str]) -> sparse.csr_matrix:
    """Word 1-3 grams of "<list token> phrase": what turns a like into a dislike sits in the words."""
    _, _, polar = _vectorizers()
    return polar.transform([f"{LIST_TOKENS[name]} {text}" for text, name in zip(texts, lists, strict=True)])


N_THEME_FEATURES = N_HASHED + STATIC_DIM


def theme_feature_names(text: str) -> dict[int, str]:
    """Which word or character n-gram of a normalised phrase sits in each bucket it fills (for explain)."""
    from sklearn.feature_extraction import FeatureHasher

    words, chars, _ = _vectorizers()
    hasher = FeatureHasher(n_features=1 << HASH_BITS, input_type="string", alternate_sign=False)
    names: dict[int, str] = {}
    for offset, vectorizer, mark in ((0, words, "word"), (1 << HASH_BITS, chars, "chars")):
        grams = sorted(set(vectorizer.build_analyzer()(text)))
        if grams:
            buckets = hasher.transform([[g] for g in grams]).tocsr()
            for gram, row in zip(grams, range(buckets.shape[0]), strict=True):
                names[offset + int(buckets[row].indices[0])] = f"{mark} '{gram}'"
    return names
