"""analyze_history: one validated candidate history in, the typed analysis (cli.md once dumped) out."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from schemas.hashing import history_hash
from workers.analysis import skills
from workers.analysis.labelling import PhraseLabeller
from workers.analysis.recurring import Vote, apply_rule, collect
from workers.analysis.result import AnalysisResult, Phrase
from workers.analysis.summary import summarise

LISTS = ("likes", "dislikes")


@lru_cache(maxsize=1)
def default_labeller() -> PhraseLabeller:
    """The labeller the product runs: the learned one (docs/quality.md gives the figures behind it)."""
    from workers.analysis.learned import LearnedLabeller

    return LearnedLabeller()


def analysis_version(labeller: PhraseLabeller | None = None) -> str:
    """The labeller's version joined with the skills step's: both are explicit, plus data digests."""
    return f"{(labeller or default_labeller()).version}+skills.{skills.version()}"


def label_history(history: Mapping[str, Any], labeller: PhraseLabeller) -> list[Phrase]:
    """One entry per like and dislike, in job, list, index order (cli.md), labelled in one batch."""
    slots = [(job_index, list_name, index, text)
             for job_index, job in enumerate(history.get("jobs", []))
             for list_name in LISTS
             for index, text in enumerate(job.get(list_name) or [])]
    labelled = labeller.label([(text, list_name) for _, list_name, _, text in slots])
    return [Phrase(job, list_name, index, text, labels)
            for (job, list_name, index, text), labels in zip(slots, labelled, strict=True)]


def analyze_history(history: Mapping[str, Any], *, labeller: PhraseLabeller | None = None,
                    with_skills: bool = True) -> AnalysisResult:
    """The analysis of one history already validated by CandidateHistorySchema."""
    labeller = labeller or default_labeller()
    n_jobs = len(history.get("jobs", []))
    phrases = label_history(history, labeller)
    sets = apply_rule(collect(Vote(p.job, lab.theme, lab.polarity, lab.confidence, p.ref)
                              for p in phrases for lab in p.labels), n_jobs)
    return AnalysisResult(
        candidate_id=history.get("candidate_id"),
        analysis_version=analysis_version(labeller),
        history_hash=history_hash(history),
        phrases=phrases,
        passions=sets.passions,
        aversions=sets.aversions,
        mixed=sets.mixed,
        skills=skills.tag_skills(history, phrases, sets.passions) if with_skills else [],
        summary=summarise(sets, n_jobs),
    )
