"""Theme-to-skill links: which ESCO skills a passion theme means, given the field it was lived in.

The links are reviewed data (data/theme_skills.json); this module only reads them and decides the
field from the words of the jobs behind a theme (research among law clerks is legal research,
research in a lab is scientific research). Keywords decide; when none occurs, the job titles'
embeddings may still point clearly at one field ("Biochemist" -> science).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from workers.analysis import embeddings
from workers.analysis.skills.cache import TextCache

LINKS_FILE = Path(__file__).resolve().parent / "data" / "theme_skills.json"
DEFAULT = "default"
SEMANTIC_MIN = 0.35  # cosine a title needs with a field's description ...
SEMANTIC_MARGIN = 0.12  # ... and its lead over the next field (checked on sample job titles)
# A title's cosines to the field descriptions depend on the title alone: LRU-cached by normalised
# title (cache.text_key), at most TITLE_CACHE_ENTRIES rows (one float per field, ~0.3 kB an entry,
# so ~6 MB) and TITLE_CACHE_CHARS characters of titles (1-4 MB).
TITLE_CACHE_ENTRIES = 20_000
TITLE_CACHE_CHARS = 1_000_000
# How often each field's keywords occur in a text depends on the text alone, and the counts of texts
# add up (field_of joins them by line breaks, which no keyword spans): LRU-cached by normalised text,
# at most KEYWORD_CACHE_ENTRIES rows (~0.2 kB each, ~10 MB) and KEYWORD_CACHE_CHARS characters.
KEYWORD_CACHE_ENTRIES = 50_000
KEYWORD_CACHE_CHARS = 5_000_000


@dataclass(frozen=True)
class Link:
    """The skills (ESCO preferred labels) one theme gives in one field, and where that comes from."""

    theme: str
    field: str
    skills: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class LinkTable:
    """All links, and the keyword patterns that recognise each field."""

    links: dict[str, dict[str, Link]]
    fields: dict[str, re.Pattern[str]]
    sources: dict[str, str]
    descriptions: tuple[str, ...]  # "field: keyword, keyword, ..." in the order of ``fields``


def _pattern(keywords: Iterable[str]) -> re.Pattern[str]:
    """Whole-word, case-insensitive match of any keyword (a plural 's' allowed)."""
    alts = "|".join(re.escape(k) for k in sorted(keywords, key=len, reverse=True))
    return re.compile(rf"\b(?:{alts})s?\b", re.IGNORECASE)


@lru_cache(maxsize=4)
def load(path: Path = LINKS_FILE) -> LinkTable:
    """Read and check the link file once per process."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    links = {theme: {field: Link(theme, field, tuple(v["skills"]), v["source"])
                     for field, v in by_field.items()}
             for theme, by_field in doc["links"].items()}
    for theme, by_field in links.items():
        if DEFAULT not in by_field:
            raise ValueError(f"theme {theme!r} has no default link")
        unknown = set(by_field) - set(doc["fields"]) - {DEFAULT}
        if unknown:
            raise ValueError(f"theme {theme!r} links unknown fields {sorted(unknown)}")
    fields = {name: _pattern(words) for name, words in doc["fields"].items()}
    descriptions = tuple(f"{name}: {', '.join(words)}" for name, words in doc["fields"].items())
    return LinkTable(links, fields, doc["sources"], descriptions)


@lru_cache(maxsize=4)
def _field_vectors(descriptions: tuple[str, ...]) -> np.ndarray:
    """Embeddings of the field descriptions, computed once."""
    return embeddings.encode(list(descriptions))


_TITLE_SIMS: TextCache[np.ndarray] = TextCache(TITLE_CACHE_ENTRIES, TITLE_CACHE_CHARS)
_KEYWORDS: TextCache[tuple[int, ...]] = TextCache(KEYWORD_CACHE_ENTRIES, KEYWORD_CACHE_CHARS)


def _title_sims(titles: list[str], table: LinkTable) -> np.ndarray:
    """Cosine of each title with each field description (titles x fields); new titles in one batch."""
    fields = _field_vectors(table.descriptions)

    def compute(keys: list[str]) -> list[np.ndarray]:
        rows = [row.copy() for row in embeddings.encode(keys) @ fields.T]
        for row in rows:
            row.flags.writeable = False  # shared between calls
        return rows
    return np.vstack(_TITLE_SIMS.get_many(titles, compute, scope=table.descriptions))


def clear_cache() -> None:
    """Forget the cached title cosines and keyword counts."""
    _TITLE_SIMS.clear()
    _KEYWORDS.clear()


def keyword_counts(texts: list[str], table: LinkTable) -> dict[str, int]:
    """How often each field's keywords occur in ``texts``; new texts counted in one pass."""
    def compute(keys: list[str]) -> list[tuple[int, ...]]:
        return [tuple(len(pat.findall(key)) for pat in table.fields.values()) for key in keys]
    rows = _KEYWORDS.get_many(texts, compute, scope=table) if texts else []
    return {name: sum(row[k] for row in rows) for k, name in enumerate(table.fields)}


def semantic_field(titles: Iterable[str], table: LinkTable) -> str:
    """The field the job titles are clearly closest to, else 'default'."""
    titles = [t for t in titles if t.strip()]
    if not titles:
        return DEFAULT
    sims = _title_sims(titles, table).max(axis=0)
    order = np.argsort(-sims)
    best, second = float(sims[order[0]]), float(sims[order[1]]) if len(order) > 1 else 0.0
    if best >= SEMANTIC_MIN and best - second >= SEMANTIC_MARGIN:
        return list(table.fields)[int(order[0])]
    return DEFAULT


def field_of(texts: Iterable[str], table: LinkTable, *, titles: Iterable[str] = ()) -> str:
    """The field whose keywords occur most in ``texts``; with none, what ``titles`` suggest."""
    counts = keyword_counts(list(texts), table)
    best = max(counts, key=lambda name: counts[name], default=DEFAULT)
    return best if counts.get(best) else semantic_field(titles, table)


def link_for(theme: str, texts: Iterable[str], *, titles: Iterable[str] = (),
             table: LinkTable | None = None) -> Link | None:
    """The link for ``theme`` in the field the jobs describe; None for an unknown theme."""
    table = table or load()
    by_field = table.links.get(theme)
    if by_field is None:
        return None
    field = field_of(texts, table, titles=titles)
    return by_field.get(field, by_field[DEFAULT])
