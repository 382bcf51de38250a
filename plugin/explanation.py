"""The explanation of one candidate's tags that a recruiter can hand to the candidate: what was read, which
rule made each theme, the skills each passion points to, the candidate's corrections, and when and by which
engine. Built once, typed, from the stored analysis; the printable page and the API both render it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from plugin.storage import worksheets
from plugin.storage.models import Candidate, as_utc
from schemas.catalogue import THEMES

NOT_A_SCORE = ("Passion themes are aids for search and conversation: what you said you enjoyed or disliked "
               "in your jobs, read by software. They are not a score, and not a ranking of people.")
LABELS = {theme.id: theme.label for theme in THEMES}
KINDS = (("passion", "passions"), ("mixed", "mixed"), ("aversion", "aversions"))


class Rule(StrEnum):
    """Which part of the recurring rule (docs/analysis.md) made a theme what it is."""

    ONLY_JOB = "only_job"  # one job listed, the theme read there one way
    TWO_JOBS = "two_jobs"  # read one way in two jobs or more, never the other way
    AHEAD_BY_TWO = "ahead_by_two"  # read both ways, one side ahead by two jobs or more
    MIXED = "mixed"  # read both ways, neither side ahead by two jobs


@dataclass(frozen=True)
class JobRead:
    """One job as the analysis read it: its phrases, in the candidate's words."""

    number: int  # 1 is the most recent
    name: str  # "Law Clerk, Smith LLP", or "Job 2" when the history read is no longer the current one
    likes: list[str]
    dislikes: list[str]


@dataclass(frozen=True)
class PhraseRead:
    """A phrase that carries a theme, which way, and how sure the labeller was."""

    text: str
    listed_as: str  # likes | dislikes: where the candidate wrote it
    polarity: int  # +1 enjoys, -1 dislikes (a like can say what someone is glad to avoid)
    confidence: float


@dataclass(frozen=True)
class JobEvidence:
    job: int  # the job's number, 1 the most recent
    job_name: str
    phrases: list[PhraseRead]


@dataclass(frozen=True)
class SkillPointer:
    id: str
    label: str
    esco_url: str | None  # only an ESCO URI becomes a link
    source: str  # theme (from a passion) or text (from the job's own text)


@dataclass(frozen=True)
class CorrectionShown:
    kind: str
    theme: str
    label: str
    rejected: bool
    note: str
    at: datetime


@dataclass(frozen=True)
class ThemeExplained:
    kind: str  # passion | mixed | aversion
    theme: str
    label: str
    liked_jobs: int
    disliked_jobs: int
    rule: Rule
    reason: str  # the rule, in words
    evidence: list[JobEvidence]
    skills: list[SkillPointer] = field(default_factory=list)
    correction: CorrectionShown | None = None


@dataclass(frozen=True)
class Explanation:
    candidate_id: str  # the CRM's id
    name: str | None
    analysed: bool
    analysed_at: datetime | None
    engine_version: str | None
    history_version: int | None
    current: bool  # the analysis read the current history (otherwise a newer one waits)
    jobs: list[JobRead]
    themes: list[ThemeExplained]
    skills: list[SkillPointer]
    corrections: list[CorrectionShown]
    not_a_score: str = NOT_A_SCORE


def jobs_read(result: dict[str, Any]) -> int:
    """How many jobs an analysis read, as far as its phrases tell (a last job with no phrase is unseen)."""
    return max((phrase["job"] for phrase in result.get("phrases", [])), default=-1) + 1


def esco_link(skill_id: str) -> str | None:
    """The skill's ESCO page, only for an ESCO URI: a link never points anywhere the analysis did not
    take from the ESCO catalogue."""
    return skill_id if skill_id.startswith(("http://data.europa.eu/esco/",
                                            "https://data.europa.eu/esco/")) else None


def rule_for(kind: str, liked: int, disliked: int) -> Rule:
    """The part of the recurring rule behind a theme of this kind with these job counts (one job on one
    side and none on the other makes a theme only when a single job is listed)."""
    if kind == "mixed":
        return Rule.MIXED
    if liked and disliked:
        return Rule.AHEAD_BY_TWO
    return Rule.ONLY_JOB if liked + disliked == 1 else Rule.TWO_JOBS


def _jobs(count: int) -> str:
    return f"{count} job{'' if count == 1 else 's'}"


def reason(kind: str, rule: Rule, liked: int, disliked: int) -> str:
    """The rule in plain words, with this theme's counts."""
    if rule == Rule.MIXED:
        return (f"Enjoyed in {_jobs(liked)} and disliked in {_jobs(disliked)}. Rule: a theme both enjoyed "
                "and disliked, with neither side ahead by two jobs or more, is mixed: neither a passion "
                "nor an aversion.")
    verb, other = ("enjoyed", "disliked") if kind == "passion" else ("disliked", "enjoyed")
    name = "a passion" if kind == "passion" else "an aversion"
    count = liked if kind == "passion" else disliked
    if rule == Rule.ONLY_JOB:
        return f"{verb.capitalize()} in the only job listed. Rule: with one job listed, a theme {verb} " \
               f"there is {name}."
    if rule == Rule.TWO_JOBS:
        return f"{verb.capitalize()} in {_jobs(count)}, {other} in none. Rule: a theme {verb} in two " \
               f"jobs or more is {name}."
    against = disliked if kind == "passion" else liked
    return (f"{verb.capitalize()} in {_jobs(count)}, {other} in {_jobs(against)}. Rule: a theme {verb} "
            f"in at least two jobs more than it is {other} in is {name}.")


def _job_name(jobs: Sequence[Mapping[str, Any]], index: int) -> str:
    if 0 <= index < len(jobs):
        parts = [jobs[index].get("title"), jobs[index].get("employer")]
        return ", ".join(p for p in parts if p) or f"Job {index + 1}"
    return f"Job {index + 1}"


def _jobs_read(phrases: list[Mapping[str, Any]], jobs: Sequence[Mapping[str, Any]], count: int
               ) -> list[JobRead]:
    """Each job with the phrases the analysis read in it (its own copy of the words, not today's)."""
    read = [JobRead(j + 1, _job_name(jobs, j), [], []) for j in range(count)]
    for phrase in phrases:
        if 0 <= phrase["job"] < count:
            job = read[phrase["job"]]
            (job.likes if phrase["list"] == "likes" else job.dislikes).append(phrase["text"])
    return read


def _evidence(theme: str, phrases: list[Mapping[str, Any]], jobs: Sequence[Mapping[str, Any]]
              ) -> list[JobEvidence]:
    """Every phrase labelled with the theme, either way, by job: what the rule counted."""
    by_job: dict[int, list[PhraseRead]] = {}
    for phrase in phrases:
        for label in phrase["labels"]:
            if label["theme"] == theme:
                confidence = round(float(label.get("confidence", 0.0)), 2)
                by_job.setdefault(phrase["job"], []).append(
                    PhraseRead(phrase["text"], phrase["list"], label["polarity"], confidence))
    return [JobEvidence(j + 1, _job_name(jobs, j), found) for j, found in sorted(by_job.items())]


def _skill(item: Mapping[str, Any]) -> SkillPointer:
    return SkillPointer(item["id"], item["label"], esco_link(item["id"]), item.get("source", "text"))


def _theme(kind: str, item: Mapping[str, Any], result: Mapping[str, Any], jobs: Sequence[Mapping[str, Any]],
           corrections: Mapping[tuple[str, str], CorrectionShown]) -> ThemeExplained:
    evidence = _evidence(item["theme"], result.get("phrases", []), jobs)
    liked = len({e.job for e in evidence if any(p.polarity > 0 for p in e.phrases)})
    disliked = len({e.job for e in evidence if any(p.polarity < 0 for p in e.phrases)})
    rule = rule_for(kind, liked, disliked)
    skills = [_skill(s) for s in result.get("skills", []) if item["theme"] in (s.get("themes") or [])]
    return ThemeExplained(kind, item["theme"], item["label"], liked, disliked, rule,
                          reason(kind, rule, liked, disliked), evidence,
                          skills if kind == "passion" else [], corrections.get((kind, item["theme"])))


def explain(candidate: Candidate) -> Explanation:
    """The candidate's latest analysis explained, with their corrections (an unanalysed candidate has an
    explanation too: nothing read yet)."""
    corrections = [CorrectionShown(c.kind, c.theme, LABELS.get(c.theme, c.theme), c.rejected, c.note,
                                   as_utc(c.updated_at)) for c in worksheets.corrections_of(candidate.id)]
    analysis = candidate.latest_analysis
    if analysis is None:
        return Explanation(candidate_id=candidate.external_id, name=candidate.name, analysed=False,
                           analysed_at=None, engine_version=None, history_version=None, current=False,
                           jobs=[], themes=[], skills=[], corrections=corrections)
    result = analysis.result
    current = analysis.history_version == candidate.history_version
    # job positions point into the history the analysis read: names come from the current one only
    jobs = candidate.history.get("jobs", []) if current else []
    job_count = len(jobs) if current else jobs_read(result)
    by_theme = {(c.kind, c.theme): c for c in corrections}
    themes = [_theme(kind, item, result, jobs, by_theme)
              for kind, key in KINDS for item in result.get(key, [])]
    return Explanation(
        candidate_id=candidate.external_id, name=candidate.name, analysed=True,
        analysed_at=as_utc(analysis.created_at), engine_version=analysis.engine_version,
        history_version=analysis.history_version, current=current,
        jobs=_jobs_read(result.get("phrases", []), jobs, job_count), themes=themes,
        skills=[_skill(s) for s in result.get("skills", [])], corrections=corrections)
