"""The engine's typed results: what analyze_history returns, dumped by schemas.analysis at the edge."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Label:
    """One (theme, polarity) reading of a phrase with the labeller's confidence in it."""

    theme: str
    polarity: int
    confidence: float


@dataclass(frozen=True)
class Evidence:
    """Where a result comes from: a like or dislike, a job title (index 0) or a description sentence."""

    job: int
    list: str
    index: int


@dataclass(frozen=True)
class Phrase:
    """One like or dislike with its labels (empty: about nothing in the catalogue)."""

    job: int
    list: str
    index: int
    text: str
    labels: tuple[Label, ...]

    @property
    def ref(self) -> Evidence:
        return Evidence(self.job, self.list, self.index)


@dataclass(frozen=True)
class RecurringTheme:
    """A passion or an aversion: the jobs that show it, how strongly, and the phrases behind it."""

    theme: str
    label: str
    jobs: list[int]
    strength: float
    evidence: list[Evidence]


@dataclass(frozen=True)
class MixedTheme:
    """A theme liked in some jobs and disliked in others, with neither side ahead by two jobs."""

    theme: str
    label: str
    liked_in: list[int]
    disliked_in: list[int]


@dataclass(frozen=True)
class ThemeSets:
    """The recurring rule's output."""

    passions: list[RecurringTheme] = field(default_factory=list)
    aversions: list[RecurringTheme] = field(default_factory=list)
    mixed: list[MixedTheme] = field(default_factory=list)


@dataclass
class Skill:
    """An ESCO skill with what gave it: passion themes (source "theme") or the history's text ("text")."""

    id: str
    label: str
    source: str
    themes: list[str]
    evidence: list[Evidence]


@dataclass(frozen=True)
class AnalysisResult:
    """One candidate's analysis (the cli.md shape once dumped by AnalysisResultSchema)."""

    candidate_id: str | None
    analysis_version: str
    history_hash: str
    phrases: list[Phrase]
    passions: list[RecurringTheme]
    aversions: list[RecurringTheme]
    mixed: list[MixedTheme]
    skills: list[Skill]
    summary: str
