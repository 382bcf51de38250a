"""What the candidate's result page shows, built from the stored analysis, their history and their
corrections: each theme with its phrases and skills, then search terms and resume/LinkedIn lines made
from the candidate's own words."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from plugin.storage.models import WorksheetCorrection

MAX_SKILLS_PER_PASSION = 2
MAX_LINES_PER_PASSION = 2


@dataclass(frozen=True)
class Quote:
    text: str
    job: str  # "Law Clerk, Smith LLP"
    typed: bool = True  # a like or dislike the candidate wrote (not a job title)


@dataclass
class ThemeView:
    kind: str  # passion | aversion
    theme: str
    label: str
    job_count: int
    quotes: list[Quote]
    skills: list[str] = field(default_factory=list)
    rejected: bool = False
    note: str = ""


@dataclass(frozen=True)
class ResultView:
    passions: list[ThemeView]
    aversions: list[ThemeView]
    search_terms: list[str]
    resume_lines: list[str]
    linkedin_headline: str
    linkedin_about: str


def _job_name(job: Mapping[str, Any]) -> str:
    return ", ".join(part for part in (job.get("title"), job.get("employer")) if part)


def _quote(jobs: Sequence[Mapping[str, Any]], ref: Mapping[str, Any]) -> Quote | None:
    """The candidate's words behind one piece of evidence (a like, a dislike or a job title)."""
    index, kind = ref.get("job", -1), ref.get("list")
    if not 0 <= index < len(jobs):
        return None
    job = jobs[index]
    if kind in ("likes", "dislikes"):
        items = job.get(kind) or []
        position = ref.get("index", -1)
        return Quote(items[position], _job_name(job)) if 0 <= position < len(items) else None
    if kind == "title":
        return Quote(job.get("title") or "", _job_name(job), typed=False)
    return None


def _themes(kind: str, items: list[Mapping[str, Any]], jobs: Sequence[Mapping[str, Any]],
            skills: list[Mapping[str, Any]], corrections: dict[tuple[str, str], WorksheetCorrection]
            ) -> list[ThemeView]:
    views = []
    for item in items:
        quotes = [q for q in (_quote(jobs, ref) for ref in item.get("evidence", [])) if q is not None]
        view = ThemeView(kind, item["theme"], item["label"], len(item["jobs"]), quotes)
        if kind == "passion":
            view.skills = [s["label"] for s in skills
                           if item["theme"] in (s.get("themes") or [])][:MAX_SKILLS_PER_PASSION]
        found = corrections.get((kind, item["theme"]))
        if found is not None:
            view.rejected, view.note = found.rejected, found.note
        views.append(view)
    return views


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def build(result: Mapping[str, Any], jobs: Sequence[Mapping[str, Any]],
          corrections: list[WorksheetCorrection]) -> ResultView:
    """The page's content; themes the candidate rejected stay listed (marked) but feed no suggestion."""
    by_theme = {(c.kind, c.theme): c for c in corrections}
    skills = list(result.get("skills", []))
    passions = _themes("passion", result.get("passions", []), jobs, skills, by_theme)
    aversions = _themes("aversion", result.get("aversions", []), jobs, skills, by_theme)
    kept = [p for p in passions if not p.rejected]
    recent = (jobs[0].get("title") or "") if jobs else ""
    terms = _unique([skill for p in kept for skill in p.skills]
                    + [f"{recent} {p.label.split(' & ')[0].lower()}".strip() for p in kept[:2]])
    lines = _unique([f"{_first_upper(q.text)} ({q.job})" for p in kept
                     for q in [q for q in p.quotes if q.typed][:MAX_LINES_PER_PASSION]])
    headline = " · ".join(_unique([recent, *[p.label for p in kept[:3]]]))
    loved = _unique([q.text for p in kept for q in [q for q in p.quotes if q.typed][:1]])
    about = ("What I enjoy most in my work: " + "; ".join(loved[:4]) + ".") if loved else ""
    return ResultView(passions, aversions, terms, lines, headline, about)
