"""Static phrase vectors: the mean of MiniLM's input token embeddings over a phrase's content words.

Contextual MiniLM costs milliseconds per call, which alone would break the engine's 100 candidates/s
target, and on our own phrase sets it did no better than this. The token table is read from the same
packaged model that `workers.analysis.embeddings` uses (its `model_dir`), one tensor only.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from safetensors import safe_open
from tokenizers import Tokenizer

from workers.analysis.embeddings import model_dir

log = logging.getLogger(__name__)
_TABLE_NAMES = ("embeddings.word_embeddings.weight", "bert.embeddings.word_embeddings.weight")
_WORD = re.compile(r"[a-z0-9']+")
_STOP_WORDS = (
    "a an the to of and or in on at for with my our their his her its i me we us you it is was were be "
    "been being that this those these by from as so very really just all any some"
)
_STOP = frozenset(_STOP_WORDS.split())


@dataclass(frozen=True)
class _Table:
    """Tokenizer and token-embedding matrix."""

    tokenizer: Tokenizer
    vectors: np.ndarray


@lru_cache(maxsize=1)
def model_path() -> Path | None:
    """The packaged model's folder when its tokenizer and weights are there, else None (logged once)."""
    try:
        path = model_dir()
    except RuntimeError as exc:
        log.warning("static vectors unavailable: %s", exc)
        return None
    if not (path / "tokenizer.json").is_file() or not (path / "model.safetensors").is_file():
        log.warning("static vectors unavailable: no model files in %s", path)
        return None
    return path


def vocabulary() -> frozenset[str]:
    """Whole words of the model's tokenizer (empty without the model): used to spare real words."""
    path = model_path()
    if path is None:
        return frozenset()
    return frozenset(w for w in Tokenizer.from_file(str(path / "tokenizer.json")).get_vocab()
                     if w.isalpha() and w.isascii())


@lru_cache(maxsize=1)
def _table() -> _Table:
    """Load the tokenizer and the word-embedding tensor once per process."""
    path = model_path()
    if path is None:
        raise RuntimeError("the MiniLM model files are not installed")
    tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    with safe_open(str(path / "model.safetensors"), framework="numpy") as tensors:
        names = set(tensors.keys())
        name = next(n for n in _TABLE_NAMES if n in names)
        vectors = np.asarray(tensors.get_tensor(name), dtype=np.float32)
    return _Table(tokenizer, vectors)


def content_words(text: str) -> str:
    """The phrase without function words, which only blur a short phrase's mean vector."""
    words = [w for w in _WORD.findall(text.lower()) if w not in _STOP]
    return " ".join(words) or text.lower()


def encode(texts: Sequence[str]) -> np.ndarray:
    """Unit-length mean token vectors, shape (len(texts), dim); a text with no tokens gives zeros."""
    table = _table()
    out = np.zeros((len(texts), table.vectors.shape[1]), dtype=np.float32)
    for row, enc in enumerate(table.tokenizer.encode_batch([content_words(t) for t in texts])):
        ids = [i for i, special in zip(enc.ids, enc.special_tokens_mask, strict=True) if not special]
        if ids:
            vec = table.vectors[ids].mean(axis=0)
            out[row] = vec / max(float(np.linalg.norm(vec)), 1e-12)
    return out
