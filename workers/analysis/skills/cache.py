"""Bounded caches of what the skills step computes from one text alone, keyed by the normalised text.

A title, a description sentence or a like is ranked against the fixed ESCO index (tag.py), and a job
title is compared with the fixed field descriptions (themes.py), without regard to the rest of the
history; so re-analysis after an edit only has to compute the texts it has not seen, and a title that
recurs across candidates ("Paralegal") is computed once. Misses are computed in one batch.

The key is the text as both of its readers see it (``text_key``), and a missing result is computed
from the key, so a cached result is what the text itself would give. One caveat, the encoder's and not
the cache's: the float rounding of a MiniLM vector depends on the batch it was computed in (by ~1e-7),
so a score may differ in the seventh decimal from the same text ranked among other texts. The tagging
output carries no scores and is unchanged (tests/analysis/test_skills_cache.py).

Each cache is a least recently used map bounded both in entries and in the characters of its keys
(see ``TextCache``); the bounds chosen, and the memory they allow, are next to each cache.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

V = TypeVar("V")

_SPACE = re.compile(r"[ \t\n\r]+")


def text_key(text: str) -> str:
    """The cache key: runs of spaces, tabs and line breaks made one space, ends trimmed, ASCII lower-cased.

    Neither reader of a text can tell it from its key. The MiniLM tokenizer (a BERT normaliser that
    lower-cases and splits on whitespace) gives the same token ids, and lexical.tokens (lower case,
    words by a regex that spaces never join) the same words. Only these four whitespace characters are
    folded: the BERT normaliser deletes other control characters rather than splitting on them. Text
    with non-ASCII characters keeps its case, since Python's lower() and the tokenizer's differ there
    (final sigma).
    """
    key = _SPACE.sub(" ", text).strip(" ")
    return key.lower() if key.isascii() else key


class TextCache(Generic[V]):
    """A thread-safe LRU map from ``text_key`` to an immutable result.

    Bounded by ``max_entries`` results and ``max_chars`` characters of keys in all, whichever is
    reached first; the least recently used results go first. ``max_entries=0`` caches nothing (every
    call computes afresh), which is how the tests compare cached and uncached output.

    Results are valid for one ``scope`` (the skill index, the link table): ``get_many`` with a scope
    other than the last one (by identity) empties the cache first.
    """

    def __init__(self, max_entries: int, max_chars: int) -> None:
        """An empty cache with these bounds."""
        self.max_entries = max_entries
        self.max_chars = max_chars
        self._data: OrderedDict[str, V] = OrderedDict()
        self._chars = 0
        self._scope: object = None
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        """Results held."""
        return len(self._data)

    @property
    def chars(self) -> int:
        """Characters of the keys held."""
        return self._chars

    def clear(self) -> None:
        """Forget every result (and the counters)."""
        with self._lock:
            self._data.clear()
            self._chars = 0
            self.hits = self.misses = 0

    def get_many(self, texts: Sequence[str], compute: Callable[[list[str]], Sequence[V]],
                 *, scope: object = None) -> list[V]:
        """The result for each text; ``compute`` gets the keys not cached, each once, in one call."""
        keys = [text_key(t) for t in texts]
        found: dict[str, V] = {}
        with self._lock:
            if scope is not self._scope:
                self._data.clear()
                self._chars = 0
                self._scope = scope
            for key in dict.fromkeys(keys):
                if key in self._data:
                    self._data.move_to_end(key)
                    found[key] = self._data[key]
            self.hits += len(found)
        missing = [key for key in dict.fromkeys(keys) if key not in found]
        if missing:
            found.update(zip(missing, compute(missing), strict=True))
            with self._lock:
                self.misses += len(missing)
                if self._scope is scope:
                    for key in missing:
                        self._put(key, found[key])
        return [found[key] for key in keys]

    def _put(self, key: str, value: V) -> None:
        """Store one result, then drop the oldest until both bounds hold (the lock is held)."""
        if key in self._data or len(key) > self.max_chars or self.max_entries <= 0:
            return
        self._data[key] = value
        self._chars += len(key)
        while len(self._data) > self.max_entries or self._chars > self.max_chars:
            old, _ = self._data.popitem(last=False)
            self._chars -= len(old)
