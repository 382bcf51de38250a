"""The learned labeller: two linear models over features.py, weights trained by scripts/train_labeller.py.

Themes come from a multinomial logistic regression over "none" and the 20 catalogue ids. Two other
readings then count as evidence: each theme the rule cascade labels has its probability multiplied by
exp(RULE_PRIOR x the cascade's confidence), and each class by exp(the bank's weight x its share of the
phrase's nearest corpus phrases, neighbours.py), the distribution renormalised each time, so a theme
also read elsewhere is labelled sooner and one only the model reads needs more. A theme is labelled when
its probability reaches TAU (a second one when it reaches SECOND); the rule prior's weight and both
thresholds are chosen on writer-held-out predictions at training time and stored with the weights.
Polarity is the list's (likes +1, dislikes -1) unless the polarity model reads the wording as turning it
round; where the rule cascade reads the same theme, its polarity cues (negation and lack scoped to the
clause, wishes, sarcasm) decide instead, which measurably helps on writers the model never saw
(docs/quality.md). Inference is a sparse matrix product, and a MiniLM pass for phrases long enough to get
a vote, in numpy/scipy: no torch, no download, no clock, the same output every run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
from scipy import sparse

from workers.analysis import features, neighbours
from workers.analysis.catalogue import THEME_IDS
from workers.analysis.result import Label
from workers.analysis.tagger import label_phrases as rule_labels
from workers.analysis.tagger import rules_version

CLASSES: tuple[str, ...] = ("none", *THEME_IDS)
WEIGHTS_FILE = Path(str(resources.files("workers.analysis").joinpath("data/themes/labeller.npz")))
# Bump on purpose when the features or the decision rule change; the weights file is digested too.
LEARNED_REVISION = "3"
MAX_LABELS = 2
CACHE_MAX = 200_000


@dataclass(frozen=True)
class _Weights:
    theme: sparse.csr_matrix  # features x classes
    theme_bias: np.ndarray
    flip: np.ndarray  # polarity features (dense vector)
    flip_bias: float
    tau: float
    second: float
    rule_prior: float


def _sparse_weights(rows: np.ndarray, values: np.ndarray, n_rows: int) -> sparse.csr_matrix:
    """A (features x classes) matrix holding the stored rows, zero elsewhere."""
    matrix = sparse.lil_matrix((n_rows, values.shape[1]), dtype=np.float32)
    matrix[rows] = values.astype(np.float32)
    return matrix.tocsr()


@lru_cache(maxsize=1)
def _weights() -> _Weights:
    """Load the shipped weights once per process."""
    with np.load(WEIGHTS_FILE) as z:
        if tuple(str(c) for c in z["classes"]) != CLASSES:
            raise RuntimeError("labeller weights were trained for another theme catalogue")
        theme = _sparse_weights(z["theme_rows"], z["theme_weights"], features.N_THEME_FEATURES)
        flip = np.zeros(1 << features.HASH_BITS, dtype=np.float32)
        flip[z["flip_rows"]] = z["flip_weights"][:, 0].astype(np.float32)
        return _Weights(theme, z["theme_bias"].astype(np.float32), flip, float(z["flip_bias"][0]),
                        float(z["tau"]), float(z["second"]), float(z["rule_prior"]))


@lru_cache(maxsize=1)
def learned_version() -> str:
    """The revision with a digest of the weights and of the rule cascade whose polarity it borrows."""
    bank = neighbours.BANK_FILE.read_bytes() if neighbours.bank() is not None else b"no neighbours"
    digest = hashlib.sha256(WEIGHTS_FILE.read_bytes() + bank + rules_version().encode()).hexdigest()[:10]
    return f"learned.{LEARNED_REVISION}.{digest}"


def choose_labels(proba: np.ndarray, flip: float, list_name: str, *, tau: float,
                  second: float) -> tuple[Label, ...]:
    """Labels from one phrase's class probabilities (CLASSES order) and its polarity-flip probability."""
    sign = (1 if list_name == "likes" else -1) * (-1 if flip >= 0.5 else 1)
    order = np.argsort(-proba[1:], kind="stable")[:MAX_LABELS] + 1
    labels = []
    for rank, k in enumerate(order):
        if proba[k] >= (tau if rank == 0 else max(tau, second)):
            labels.append(Label(CLASSES[k], sign, round(float(proba[k]), 2)))
    return tuple(sorted(labels, key=lambda lab: lab.theme))


def with_evidence(proba: np.ndarray, evidence: np.ndarray, weight: float) -> np.ndarray:
    """Class probabilities (rows in CLASSES order) updated by another reader's evidence for each class (same
    shape, 0 where it read nothing: the rule cascade's confidences, the neighbours' votes): a product of
    experts, renormalised, so they stay probabilities."""
    updated = proba * np.exp(weight * evidence)
    return updated / updated.sum(axis=1, keepdims=True)


def rule_confidences(rules: Sequence[tuple[Label, ...]]) -> np.ndarray:
    """The cascade's labels as a (phrases x CLASSES) matrix of confidences."""
    out = np.zeros((len(rules), len(CLASSES)))
    for row, labels in enumerate(rules):
        for lab in labels:
            out[row, CLASSES.index(lab.theme)] = lab.confidence
    return out


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def scores(items: Sequence[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray]:
    """Class probabilities (rows in CLASSES order) and polarity-flip probabilities for (text, list) pairs."""
    w = _weights()
    texts = features.normalised([text for text, _ in items])
    proba = _softmax((features.theme_features(texts) @ w.theme).toarray() + w.theme_bias)
    flip_logit = features.polarity_features(texts, [name for _, name in items]) @ w.flip + w.flip_bias
    return proba, 1.0 / (1.0 + np.exp(-np.asarray(flip_logit).ravel()))


def with_rule_polarity(labels: tuple[Label, ...], rules: tuple[Label, ...]) -> tuple[Label, ...]:
    """The learned themes, each with the rule cascade's polarity where the cascade read that theme too."""
    rule_sign = {lab.theme: lab.polarity for lab in rules}
    return tuple(Label(lab.theme, rule_sign.get(lab.theme, lab.polarity), lab.confidence) for lab in labels)


@dataclass(frozen=True)
class Reading:
    """One batch's class probabilities after the rule cascade's and the neighbours' evidence, the
    polarity-flip probabilities, and the neighbours' votes (zeros where a phrase got none)."""

    proba: np.ndarray
    flip: np.ndarray
    votes: np.ndarray


def read(items: Sequence[tuple[str, str]], rules: Sequence[tuple[Label, ...]]) -> Reading:
    """What the model, the cascade's labels and the neighbours make of (text, list) pairs, in one batch."""
    w = _weights()
    proba, flip = scores(items)
    proba = with_evidence(proba, rule_confidences(rules), w.rule_prior)
    votes = neighbours.votes([text for text, _ in items], len(CLASSES))
    bank = neighbours.bank()
    if bank is not None:
        proba = with_evidence(proba, votes, bank.weight)
    return Reading(proba, flip, votes)


def decide(reading: Reading, items: Sequence[tuple[str, str]],
           rules: Sequence[tuple[Label, ...]]) -> list[tuple[Label, ...]]:
    """The labels a reading gives each pair: thresholds, then the cascade's polarity where it read it."""
    w = _weights()
    return [with_rule_polarity(choose_labels(p, float(f), name, tau=w.tau, second=w.second), rule)
            for p, f, (_, name), rule in zip(reading.proba, reading.flip, items, rules, strict=True)]


def predict(items: Sequence[tuple[str, str]],
            rules: Sequence[tuple[Label, ...]]) -> list[tuple[Label, ...]]:
    """Labels for (text, list) pairs, given the rule cascade's labels for the same pairs, in one batch."""
    if not items:
        return []
    return decide(read(items, rules), items, rules)


_CACHE: dict[tuple[str, str], tuple[Label, ...]] = {}


class LearnedLabeller:
    """The learned models behind the PhraseLabeller seam, cached by exact (text, list)."""

    @property
    def version(self) -> str:
        return learned_version()

    def label(self, items: Sequence[tuple[str, str]]) -> list[tuple[Label, ...]]:
        todo = sorted({item for item in items if item not in _CACHE})
        fresh = dict(zip(todo, predict(todo, rule_labels(todo)), strict=True))
        out = [fresh[item] if item in fresh else _CACHE[item] for item in items]
        if len(_CACHE) + len(fresh) > CACHE_MAX:
            _CACHE.clear()
        _CACHE.update(fresh)
        return out


def clear_cache() -> None:
    """Forget cached phrase results (benchmarks measure cold runs with this)."""
    _CACHE.clear()
