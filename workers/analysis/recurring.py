"""The recurring rule (docs/analysis.md): from phrase labels to passions, aversions and mixed themes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from workers.analysis.catalogue import THEMES_BY_ID
from workers.analysis.result import Evidence, MixedTheme, RecurringTheme, ThemeSets

MARGIN = 2


def label_of(theme: str) -> str:
    """Human label for a theme id; an unknown id is a programming error, so it fails loudly."""
    return THEMES_BY_ID[theme].label


class Vote(NamedTuple):
    """One label of one phrase: which job, which theme, which way, how sure, and where it came from."""

    job: int
    theme: str
    polarity: int
    confidence: float
    ref: Evidence | None = None  # the phrase


@dataclass
class ThemeEvidence:
    """Per theme: which jobs liked it, which disliked it, and the confidences behind each."""

    liked: set[int] = field(default_factory=set)
    disliked: set[int] = field(default_factory=set)
    like_conf: list[float] = field(default_factory=list)
    dislike_conf: list[float] = field(default_factory=list)
    like_refs: list[Evidence] = field(default_factory=list)
    dislike_refs: list[Evidence] = field(default_factory=list)


def collect(labelled: Iterable[tuple]) -> dict[str, ThemeEvidence]:  # type: ignore[type-arg]
    """Group votes ((job, theme, polarity, confidence[, ref]) tuples) by theme."""
    evidence: dict[str, ThemeEvidence] = defaultdict(ThemeEvidence)
    for item in labelled:
        vote = Vote(*item)
        ev = evidence[vote.theme]
        jobs, conf, refs = ((ev.liked, ev.like_conf, ev.like_refs) if vote.polarity > 0
                            else (ev.disliked, ev.dislike_conf, ev.dislike_refs))
        jobs.add(vote.job)
        conf.append(vote.confidence)
        if vote.ref is not None:
            refs.append(vote.ref)
    return dict(evidence)


def _strength(side: set[int], other: set[int], conf: list[float], n_jobs: int) -> float:
    """Share of jobs that show the theme, net of opposing jobs, weighted by mean confidence."""
    share = (len(side) - len(other)) / max(n_jobs, 1)
    mean_conf = sum(conf) / len(conf) if conf else 0.0
    return round(max(0.0, min(1.0, 0.7 * share + 0.3 * mean_conf)), 2)


def classify(pos: int, neg: int, n_jobs: int) -> str | None:
    """'passion', 'aversion', 'mixed' or None for one theme's job counts, exactly as docs/analysis.md says."""
    need = 1 if n_jobs == 1 else 2
    if pos and neg:
        if pos - neg >= MARGIN:
            return "passion"
        if neg - pos >= MARGIN:
            return "aversion"
        return "mixed"
    if pos >= need:
        return "passion"
    if neg >= need:
        return "aversion"
    return None


def _entry(theme: str, jobs: set[int], other: set[int], conf: list[float],
           refs: list[Evidence], n_jobs: int) -> RecurringTheme:
    """A passions/aversions item: cli.md's fields plus the phrases that carry it."""
    return RecurringTheme(theme, label_of(theme), sorted(jobs), _strength(jobs, other, conf, n_jobs), refs)


def apply_rule(evidence: dict[str, ThemeEvidence], n_jobs: int) -> ThemeSets:
    """Passions, aversions and mixed themes, each list sorted by theme id."""
    out = ThemeSets()
    for theme in sorted(evidence):
        ev = evidence[theme]
        kind = classify(len(ev.liked), len(ev.disliked), n_jobs)
        if kind == "passion":
            out.passions.append(_entry(theme, ev.liked, ev.disliked, ev.like_conf, ev.like_refs, n_jobs))
        elif kind == "aversion":
            out.aversions.append(_entry(theme, ev.disliked, ev.liked, ev.dislike_conf, ev.dislike_refs,
                                        n_jobs))
        elif kind == "mixed":
            out.mixed.append(MixedTheme(theme, label_of(theme), sorted(ev.liked), sorted(ev.disliked)))
    return out
