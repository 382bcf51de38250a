"""The analysis's "skills" list (spec/cli.md): skills from passions, then skills from the history.

Evidence points at what gave a skill: {"job", "list", "index"} where list is "likes" or
"dislikes" for a phrase, "title" (index 0) for a job title, or "description" (index = sentence
number) for a sentence of a job description.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from workers.analysis.skills import extract, themes
from workers.analysis.skills import index as skill_index
from workers.analysis.skills.cache import TextCache
from workers.analysis.skills.index import SkillIndex

PER_TEXT = 3  # skills considered per title, sentence or like
MIN_SCORE = 0.8  # ranker score below which a text skill is too uncertain to tag (validation: ~27% exact)
MAX_TEXT_SKILLS = 10
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+|\s+[•·*-]\s+")


def _liked_theme(phrase: Mapping[str, Any], theme: str) -> bool:
    """Whether a phrase says the person enjoys ``theme``."""
    return any(lab.get("theme") == theme and lab.get("polarity", 0) > 0
               for lab in phrase.get("labels", []))


def _evidence(p: Mapping[str, Any]) -> dict[str, Any]:
    """The cli.md pointer to a phrase."""
    return {"job": p["job"], "list": p["list"], "index": p["index"]}


def _theme_entries(idx: SkillIndex, jobs: Sequence[Mapping[str, Any]],
                   phrases: Sequence[Mapping[str, Any]],
                   passions: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One or two skills per passion, read in the field of the jobs and phrases behind it."""
    out: dict[str, dict[str, Any]] = {}
    for passion in passions:
        theme, job_ids = passion["theme"], set(passion.get("jobs", []))
        behind = [p for p in phrases if p["job"] in job_ids and _liked_theme(p, theme)]
        own = [jobs[j] for j in sorted(job_ids) if 0 <= j < len(jobs)]
        titles = [job.get("title") or "" for job in own]
        context = titles * 2 + [job.get("description") or "" for job in own]
        link = themes.link_for(theme, context + [p.get("text", "") for p in behind], titles=titles)
        for label in link.skills if link else ():
            i = idx.find(label)
            if i is None:
                continue
            entry = out.setdefault(idx.uri(i), {"id": idx.uri(i), "label": idx.labels[i],
                                                "source": "theme", "themes": [], "evidence": []})
            _add(entry["themes"], [theme])
            _add(entry["evidence"], [_evidence(p) for p in behind])
    return list(out.values())


def _add(items: list, new: Sequence) -> None:
    """Append the items of ``new`` not yet in ``items``, keeping order."""
    items.extend(x for x in new if x not in items)


def _texts(jobs: Sequence[Mapping[str, Any]], phrases: Sequence[Mapping[str, Any]]
           ) -> list[tuple[str, dict[str, Any]]]:
    """Titles, description sentences and likes (not those that turn out negative), with pointers."""
    negative = {(p["job"], p["list"], p["index"]) for p in phrases
                if any(lab.get("polarity", 0) < 0 for lab in p.get("labels", []))}
    units: list[tuple[str, dict[str, Any]]] = []
    for j, job in enumerate(jobs):
        units.append((job.get("title") or "", {"job": j, "list": "title", "index": 0}))
        sentences = [s.strip() for s in _SENTENCE.split(job.get("description") or "")]
        units += [(s, {"job": j, "list": "description", "index": k})
                  for k, s in enumerate(sentences) if s]
        units += [(text, {"job": j, "list": "likes", "index": i})
                  for i, text in enumerate(job.get("likes") or []) if (j, "likes", i) not in negative]
    return [(t, ev) for t, ev in units if t.strip()]


# Ranking one text (a title, a description sentence or a like) against the fixed index depends on
# nothing else, so its top PER_TEXT (skill, score) pairs are LRU-cached by normalised text
# (cache.text_key): at most RANK_CACHE_ENTRIES results and RANK_CACHE_CHARS characters of keys. An
# entry costs about 0.55 kB besides its key (tracemalloc), so the cache holds at most ~28 MB of
# entries plus 5 M characters of keys (5 MB of ASCII, up to 20 MB otherwise).
RANK_CACHE_ENTRIES = 50_000
RANK_CACHE_CHARS = 5_000_000
_RANK_CACHE: TextCache[tuple[tuple[int, float], ...]] = TextCache(RANK_CACHE_ENTRIES, RANK_CACHE_CHARS)


def _ranked(idx: SkillIndex, texts: Sequence[str]) -> list[tuple[tuple[int, float], ...]]:
    """extract.rank of each text, cached: only the texts not seen yet are encoded, in one batch."""
    def compute(keys: list[str]) -> list[tuple[tuple[int, float], ...]]:
        return [tuple(row) for row in extract.rank(idx, keys, top_k=PER_TEXT)]
    return _RANK_CACHE.get_many(texts, compute, scope=idx)


def clear_cache() -> None:
    """Forget the per-text results of the skills step (benchmarks measure cold runs with this)."""
    _RANK_CACHE.clear()
    themes.clear_cache()


def _text_entries(idx: SkillIndex, units: Sequence[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Skills the history itself shows, best first; a skill seen in several places ranks higher."""
    found: dict[int, tuple[float, list[dict[str, Any]]]] = {}
    ranked = _ranked(idx, [t for t, _ in units])
    for (_, ev), row in zip(units, ranked, strict=True):
        for i, score in row:
            if score >= MIN_SCORE:
                best, evs = found.get(i, (0.0, []))
                found[i] = (max(best, score), evs + [ev])
    order = sorted(found, key=lambda i: (-(found[i][0] + 0.1 * (len(found[i][1]) - 1)), i))
    return [{"id": idx.uri(i), "label": idx.labels[i], "source": "text", "themes": [],
             "evidence": found[i][1]} for i in order[:MAX_TEXT_SKILLS]]


def tag_skills(history: Mapping[str, Any], phrases: list[dict], passions: list[dict]) -> list[dict]:
    """The cli.md "skills" list: theme skills first (in passion order), then text skills."""
    idx = skill_index.get()
    jobs = history.get("jobs", [])
    out = _theme_entries(idx, jobs, phrases, passions)
    seen = {e["id"]: e for e in out}
    for entry in _text_entries(idx, _texts(jobs, phrases)):
        if entry["id"] in seen:
            _add(seen[entry["id"]]["evidence"], entry["evidence"])
        else:
            out.append(entry)
    return out
