"""A fingerprint of everything that decides the skills output, for the analysis version."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from workers.analysis.skills import extract, index, tag, themes

_CODE_REVISION = "1"  # bump when the ranking or tagging logic changes in a way data cannot show


@lru_cache(maxsize=1)
def version() -> str:
    """Short hash over the ESCO index, label vectors, theme links, weights and thresholds."""
    h = hashlib.sha256(_CODE_REVISION.encode())
    for path in (index.INDEX_FILE, index.VECTORS_FILE, themes.LINKS_FILE):
        h.update(path.read_bytes())
    h.update(repr((extract.WEIGHTS, tag.PER_TEXT, tag.MIN_SCORE, tag.MAX_TEXT_SKILLS)).encode())
    return h.hexdigest()[:12]
