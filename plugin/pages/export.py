"""The pool's current result as CSV, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from plugin.storage.models import Candidate, as_utc

EXPORT_LIMIT = 10_000  # rows in one export; the page says when a result is larger
COLUMNS = ("candidate_id", "name", "crm_url", "current_title", "current_employer", "passions",
           "aversions", "skills", "summary", "status", "updated_at")
# a spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """A cell a spreadsheet shows as text: one that could start a formula gets a leading apostrophe."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _row(candidate: Candidate, labels: dict[str, str]) -> list[str]:
    profile = candidate.profile or {}
    jobs = candidate.history.get("jobs") or [{}]
    return [candidate.external_id, candidate.name or "", candidate.crm_url or "",
            jobs[0].get("title") or "", jobs[0].get("employer") or "",
            "; ".join(labels.get(t, t) for t in profile.get("passion_themes", [])),
            "; ".join(labels.get(t, t) for t in profile.get("aversions", [])),
            "; ".join(s["label"] for s in profile.get("skills", [])),
            profile.get("summary") or "", candidate.status, as_utc(candidate.updated_at).isoformat()]


def to_csv(candidates: Iterable[Candidate], labels: dict[str, str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for candidate in candidates:
        writer.writerow([safe_cell(cell) for cell in _row(candidate, labels)])
    return out.getvalue()
