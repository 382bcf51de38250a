"""The one- or two-sentence digest a recruiter reads before opening the detail."""

from __future__ import annotations

from workers.analysis.result import RecurringTheme, ThemeSets

TOP_N = 3

# Short lower-case names that read well in a sentence ("Loves research and client contact").
SHORT_NAMES: dict[str, str] = {
    "research": "research", "writing": "writing", "analysis": "problem solving",
    "client_contact": "client contact", "persuasion": "negotiation and selling",
    "presenting": "presenting", "coordination": "organising", "detail_work": "precision work",
    "technology": "technology", "numbers": "numbers", "teamwork": "teamwork",
    "leadership": "leading people", "mentoring": "mentoring", "helping": "helping people",
    "creativity": "creative work", "autonomy": "independence", "fast_pace": "a fast pace",
    "structure": "routine", "hands_on": "hands-on work", "learning": "learning",
}


def _join(parts: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _jobs_note(count: int, n_jobs: int) -> str:
    """'(3 of 4 jobs)', or '(the only job)' for a one-job history."""
    if n_jobs == 1:
        return "(the only job listed)"
    return f"({count} of {n_jobs} jobs)"


def _ranked(items: list[RecurringTheme], n_jobs: int) -> str:
    """The strongest themes first, each with how many jobs show it."""
    top = sorted(items, key=lambda i: (-i.strength, -len(i.jobs), i.theme))[:TOP_N]
    return _join([f"{SHORT_NAMES[i.theme]} {_jobs_note(len(i.jobs), n_jobs)}" for i in top])


def summarise(sets: ThemeSets, n_jobs: int) -> str:
    """E.g. 'Loves research (3 of 4 jobs) and writing (2 of 4 jobs); avoids client contact (2 of 4 jobs).'"""
    clauses = []
    if sets.passions:
        clauses.append("Loves " + _ranked(sets.passions, n_jobs))
    if sets.aversions:
        clauses.append(("avoids " if clauses else "Avoids ") + _ranked(sets.aversions, n_jobs))
    first = "; ".join(clauses) + "." if clauses else "No theme recurs across jobs yet."
    if not sets.mixed:
        return first
    names = _join([SHORT_NAMES[m.theme] for m in sorted(sets.mixed, key=lambda m: m.theme)[:TOP_N]])
    return f"{first} Mixed feelings about {names}."
