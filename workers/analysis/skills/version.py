"""A fingerprint of everything that decides the skills output, for the analysis version."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from workers.analysis.skills import extract, fields, index, tag, themes

# Bump when the ranking or tagging logic changes in a way data cannot show.
# 2: text skills kept by score floors, support and field of work (tag.py, fields.py).
_CODE_REVISION = "2"


@lru_cache(maxsize=1)
def version() -> str:
    """Short hash over the ESCO index, label vectors, theme links, skill domains, weights and thresholds."""
    h = hashlib.sha256(_CODE_REVISION.encode())
    for path in (index.INDEX_FILE, index.VECTORS_FILE, themes.LINKS_FILE, fields.FIELDS_FILE):
        h.update(path.read_bytes())
    h.update(repr((extract.WEIGHTS, tag.PER_TEXT, tag.MIN_SCORE, tag.FLOOR_ONE, tag.FLOOR_MANY,
                   tag.MAX_TEXT_SKILLS, sorted(tag.CONDITION_THEMES), tag._SUPERVISES.pattern,
                   tag._LEADS.pattern)).encode())
    return h.hexdigest()[:12]
