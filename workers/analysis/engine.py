"""analyze_history: one validated candidate history in, the full cli.md analysis out."""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable, Mapping
from functools import lru_cache
from importlib import resources
from types import ModuleType
from typing import Any

from workers.analysis.hashing import history_hash
from workers.analysis.recurring import apply_rule, collect
from workers.analysis.semantic import model_fingerprint
from workers.analysis.summary import summarise
from workers.analysis.tagger import label_phrases

# Bump to force re-analysis when nothing hashed below changed (for example a dependency's behaviour).
THEMES_REVISION = "1"
# Everything that decides the theme output: the data and the code that reads it.
_HASHED_FILES = (
    "data/themes/lexicon.txt", "data/themes/examples.tsv", "cues.py", "engine.py", "lexicon.py",
    "polarity.py", "recurring.py", "semantic.py", "static_vectors.py", "summary.py", "tagger.py", "text.py",
)
LISTS = ("likes", "dislikes")

SkillTagger = Callable[[Mapping[str, Any], list[dict], list[dict]], list[dict]]


def _skills_module() -> ModuleType | None:
    """The skills package (issue 4) once it exists; only its absence is tolerated."""
    try:
        return importlib.import_module("workers.analysis.skills")
    except ModuleNotFoundError as exc:
        if exc.name == "workers.analysis.skills":
            return None
        raise


@lru_cache(maxsize=1)
def _skill_tagger() -> SkillTagger | None:
    """tag_skills from the skills package, or None while it is not there."""
    module = _skills_module()
    tagger = getattr(module, "tag_skills", None) if module is not None else None
    return tagger if callable(tagger) else None


@lru_cache(maxsize=1)
def themes_version() -> str:
    """Revision plus a hash of the theme data, code and model: any change to them changes it."""
    digest = hashlib.sha256(THEMES_REVISION.encode())
    for name in _HASHED_FILES:
        digest.update(resources.files("workers.analysis").joinpath(name).read_bytes())
    digest.update(model_fingerprint().encode())
    return f"themes.{THEMES_REVISION}.{digest.hexdigest()[:10]}"


@lru_cache(maxsize=1)
def analysis_version() -> str:
    """The themes version joined with the skills package's own version when that package is present."""
    module = _skills_module()
    skills = getattr(module, "version", None) if module is not None else None
    return themes_version() + (f"+skills.{skills()}" if callable(skills) else "")


def phrase_entries(history: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One entry per like and dislike, in job, list, index order (cli.md), labelled in one batch."""
    slots = [(job_index, list_name, index, text)
             for job_index, job in enumerate(history.get("jobs", []))
             for list_name in LISTS
             for index, text in enumerate(job.get(list_name) or [])]
    labelled = label_phrases([(text, list_name) for _, list_name, _, text in slots])
    return [{"job": job, "list": list_name, "index": index, "text": text,
             "labels": [lab.as_dict() for lab in labels]}
            for (job, list_name, index, text), labels in zip(slots, labelled, strict=True)]


def analyze_history(history: Mapping[str, Any]) -> dict[str, Any]:
    """The analysis of one history already validated by CandidateHistorySchema."""
    n_jobs = len(history.get("jobs", []))
    phrases = phrase_entries(history)
    evidence = collect((p["job"], lab["theme"], lab["polarity"], lab["confidence"],
                        {"job": p["job"], "list": p["list"], "index": p["index"]})
                       for p in phrases for lab in p["labels"])
    sets = apply_rule(evidence, n_jobs)
    tagger = _skill_tagger()
    skills = tagger(history, phrases, sets["passions"]) if tagger else []
    return {
        "candidate_id": history.get("candidate_id"),
        "analysis_version": analysis_version(),
        "history_hash": history_hash(history),
        "phrases": phrases,
        "passions": sets["passions"],
        "aversions": sets["aversions"],
        "mixed": sets["mixed"],
        "skills": skills,
        "summary": summarise(sets["passions"], sets["aversions"], sets["mixed"], n_jobs),
    }
