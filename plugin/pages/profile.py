"""What a candidate's profile shows, for the workspace's page and the CRM panel alike (one template,
`_profile.html`, and one query, `pool.get_candidate`, behind both)."""

from __future__ import annotations

from typing import Any

from plugin.explanation import esco_link, jobs_read
from plugin.pages import wording
from plugin.storage.models import Candidate, Connection
from schemas.catalogue import THEMES

LABELS = {theme.id: theme.label for theme in THEMES}


def context(connection: Connection, candidate: Candidate) -> dict[str, Any]:
    """The template's values: states in words, the passion profile, the evidence's themes."""
    analysis = candidate.latest_analysis
    result = analysis.result if analysis else {}
    # the analysis's job and phrase positions point into the history it read: while a newer one waits,
    # they are not laid over the current jobs
    current = analysis is not None and analysis.history_version == candidate.history_version
    return {
        "candidate": candidate, "analysis": analysis, "result": result, "labels": LABELS,
        "state": wording.analysis_state(candidate), "current": current,
        "write_back": wording.write_back_state(connection, analysis) if analysis else None,
        "profile": wording.passion_profile(result, len(candidate.history.get("jobs", []))
                                           if current else jobs_read(result)),
        "phrase_themes": wording.phrase_themes(result, LABELS) if current else {},
        "esco_link": esco_link,
    }
