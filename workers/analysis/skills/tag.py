"""The analysis's "skills" list (docs/analysis.md): skills from passions, then skills from the history.

Evidence points at what gave a skill: {"job", "list", "index"} where list is "likes" or
"dislikes" for a phrase, "title" (index 0) for a job title, or "description" (index = sentence
number) for a sentence of a job description.

Text skills are what recruiters filter on, so they are kept for precision: each title, description
sentence and like about the work offers its two best ESCO skills (the `passion skills` ranking,
unchanged); one is kept when its score clears FLOOR_ONE, or FLOOR_MANY with two or more different
texts behind it, and only from texts of jobs whose field of work admits it (fields.py). The floors
are chosen on the benchmark's validation splits by bench/skills_precision.py (docs/quality.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from workers.analysis.result import Evidence, Phrase, RecurringTheme, Skill
from workers.analysis.skills import extract, fields, themes
from workers.analysis.skills import index as skill_index
from workers.analysis.skills.cache import TextCache, text_key
from workers.analysis.skills.index import SkillIndex

PER_TEXT = 2  # skills considered per title, sentence or like: its two best
MIN_SCORE = 0.8  # score at which a text counts as support for a skill
# The lowest floors (0.05 steps) at which the strict precision of top-2 predictions on the
# validation splits reaches 0.6 (one text) and 0.4 (each of two or more texts): skills_precision.py.
FLOOR_ONE = 1.10
FLOOR_MANY = 0.95
MAX_TEXT_SKILLS = 8
# Themes about the conditions of a job rather than its work: a like only about these gives no skill.
CONDITION_THEMES = frozenset({"structure", "autonomy", "teamwork"})
# A title names the holder's own role: a skill supervising that work ("monitor cashiers" from
# "Cashier") is not taken from a title unless the title says the holder led others.
_SUPERVISES = re.compile(r"^(?:supervise|oversee|manage|monitor|lead|direct|coordinate)\b", re.IGNORECASE)
_LEADS = re.compile(r"\b(?:manager|management|supervisor|lead|leader|head|director|chief|coordinator|"
                    r"captain|foreman|forewoman|superintendent|principal|owner)s?\b", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+|\s+[•·*-]\s+")


def _liked_theme(phrase: Phrase, theme: str) -> bool:
    """Whether a phrase says the person enjoys ``theme``."""
    return any(lab.theme == theme and lab.polarity > 0 for lab in phrase.labels)


def _theme_entries(idx: SkillIndex, jobs: Sequence[Mapping[str, Any]], phrases: Sequence[Phrase],
                   passions: Sequence[RecurringTheme]) -> list[Skill]:
    """One or two skills per passion, read in the field of the jobs and phrases behind it."""
    out: dict[str, Skill] = {}
    for passion in passions:
        theme, job_ids = passion.theme, set(passion.jobs)
        behind = [p for p in phrases if p.job in job_ids and _liked_theme(p, theme)]
        own = [jobs[j] for j in sorted(job_ids) if 0 <= j < len(jobs)]
        titles = [job.get("title") or "" for job in own]
        context = titles * 2 + [job.get("description") or "" for job in own]
        link = themes.link_for(theme, context + [p.text for p in behind], titles=titles)
        for label in link.skills if link else ():
            i = idx.find(label)
            if i is None:
                continue
            entry = out.setdefault(idx.uri(i), Skill(idx.uri(i), idx.labels[i], "theme", [], []))
            _add(entry.themes, [theme])
            _add(entry.evidence, [p.ref for p in behind])
    return list(out.values())


def _add(items: list, new: Sequence) -> None:
    """Append the items of ``new`` not yet in ``items``, keeping order."""
    items.extend(x for x in new if x not in items)


def _about_the_work(phrase: Phrase | None) -> bool:
    """Whether a like is about the work itself: some theme it is liked for is not a condition.

    A like the theme tagger puts under no theme (pay, perks, a person) or only under conditions
    ("set shifts, home by 5:30", "great crew") names no skill; the passions' theme skills already
    cover routine, independence and teamwork. A like with no phrase entry is read as it stands.
    """
    if phrase is None:
        return True
    if any(lab.polarity < 0 for lab in phrase.labels):
        return False
    return any(lab.polarity > 0 and lab.theme not in CONDITION_THEMES for lab in phrase.labels)


def _texts(jobs: Sequence[Mapping[str, Any]], phrases: Sequence[Phrase]) -> list[tuple[str, Evidence]]:
    """Titles, description sentences and likes about the work itself, with pointers."""
    likes = {(p.job, p.index): p for p in phrases if p.list == "likes"}
    units: list[tuple[str, Evidence]] = []
    for j, job in enumerate(jobs):
        units.append((job.get("title") or "", Evidence(j, "title", 0)))
        sentences = [s.strip() for s in _SENTENCE.split(job.get("description") or "")]
        units += [(s, Evidence(j, "description", k)) for k, s in enumerate(sentences) if s]
        units += [(text, Evidence(j, "likes", i))
                  for i, text in enumerate(job.get("likes") or []) if _about_the_work(likes.get((j, i)))]
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


def _text_entries(idx: SkillIndex, units: Sequence[tuple[str, Evidence]],
                  job_of: Callable[[int], fields.Job], titles: Sequence[str]) -> list[Skill]:
    """Skills the history itself shows, best first; a skill seen in several places ranks higher.

    A text supports a skill among its PER_TEXT best at MIN_SCORE or more when the skill's domain
    admits the text's job (``job_of(job index)``, fields.py) and, for a title, when the skill does
    not supervise a role the title does not lead. A skill is kept when its best score reaches
    FLOOR_ONE, or FLOOR_MANY with support from two or more different texts; at most
    MAX_TEXT_SKILLS are kept.
    """
    found: dict[int, list[tuple[float, str, Evidence]]] = {}
    ranked = _ranked(idx, [t for t, _ in units])
    for (text, ev), row in zip(units, ranked, strict=True):
        j = ev.job
        for i, score in row[:PER_TEXT]:
            if score < MIN_SCORE:
                continue
            domains = fields.skill_domains(idx.labels[i], idx.groups[i])
            if domains and not fields.admits(domains, job_of(j)):
                continue
            if ev.list == "title" and _SUPERVISES.match(idx.labels[i]) and not _LEADS.search(titles[j]):
                continue
            found.setdefault(i, []).append((score, text_key(text), ev))
    rank: dict[int, float] = {}
    for i, hits in found.items():
        best, texts = max(s for s, _, _ in hits), {key for _, key, _ in hits}
        if best >= FLOOR_ONE or (best >= FLOOR_MANY and len(texts) >= 2):
            rank[i] = best + 0.1 * (len(hits) - 1)
    order = sorted(rank, key=lambda i: (-rank[i], i))
    return [Skill(idx.uri(i), idx.labels[i], "text", [], [ev for _, _, ev in found[i]])
            for i in order[:MAX_TEXT_SKILLS]]


def tag_skills(history: Mapping[str, Any], phrases: Sequence[Phrase],
               passions: Sequence[RecurringTheme]) -> list[Skill]:
    """The cli.md "skills" list: theme skills first (in passion order), then text skills."""
    idx = skill_index.get()
    jobs = history.get("jobs", [])
    out = _theme_entries(idx, jobs, phrases, passions)
    seen = {e.id: e for e in out}
    where: dict[int, fields.Job] = {}

    def job_of(j: int) -> fields.Job:
        """The field of job ``j``, worked out only when a skill bound to a field needs it."""
        if j not in where:
            where[j] = fields.job(jobs[j])
        return where[j]

    titles = [job.get("title") or "" for job in jobs]
    for entry in _text_entries(idx, _texts(jobs, phrases), job_of, titles):
        if entry.id in seen:
            _add(seen[entry.id].evidence, entry.evidence)
        else:
            out.append(entry)
    return out
