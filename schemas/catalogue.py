"""The theme catalogue v1 (docs/analysis.md). Ids are a contract: they never change meaning."""

from __future__ import annotations

from typing import NamedTuple


class Theme(NamedTuple):
    id: str
    label: str
    covers: str


THEMES: tuple[Theme, ...] = (
    Theme("research", "Research & investigation",
          "digging for information, legal research, case law, fact-finding, due diligence, "
          "title searches, investigating, sourcing records"),
    Theme("writing", "Writing & drafting",
          "drafting documents, pleadings, memos, correspondence, reports, editing prose, "
          "writing content"),
    Theme("analysis", "Analysis & problem solving",
          "analysing information, untangling complex problems, puzzles, strategy, figuring out why"),
    Theme("client_contact", "Client & public contact",
          "talking with clients, customers or the public, phone calls, front desk, intake "
          "interviews, client relationships"),
    Theme("persuasion", "Negotiation & persuasion",
          "negotiating, selling, advocating a position, convincing, settlement talks, "
          "business development"),
    Theme("presenting", "Presenting & speaking",
          "presentations, speaking to groups, appearing in court or tribunal, running meetings"),
    Theme("coordination", "Organising & coordinating",
          "scheduling, calendars, logistics, case and file management, planning, juggling "
          "priorities, closings"),
    Theme("detail_work", "Precision & compliance",
          "accuracy, proofreading, cite-checking, compliance, audits, filing rules, quality "
          "control, checklists"),
    Theme("technology", "Technology & systems",
          "software, databases, e-discovery platforms, automation, spreadsheets as tools, "
          "IT troubleshooting"),
    Theme("numbers", "Numbers & finance",
          "billing, accounting, budgets, trust accounting, invoices, financial analysis, math"),
    Theme("teamwork", "Teamwork & collaboration",
          "working closely with colleagues, team spirit, collaborative environment"),
    Theme("leadership", "Leading & managing",
          "supervising, managing a team, taking charge, delegating, running a department"),
    Theme("mentoring", "Teaching & mentoring",
          "training new hires, coaching, explaining, onboarding others"),
    Theme("helping", "Helping people",
          "making a difference, supporting vulnerable clients, access to justice, service to others"),
    Theme("creativity", "Creativity & design",
          "creative work, design, marketing content, coming up with new approaches"),
    Theme("autonomy", "Independence & ownership",
          "working independently, owning projects end to end, little supervision, flexibility, "
          "remote"),
    Theme("fast_pace", "Pace & variety",
          "fast-paced, deadlines, adrenaline, every day different, trial crunch, multitasking "
          "under pressure"),
    Theme("structure", "Routine & stability",
          "predictable routine, clear procedures, stable hours, knowing what to expect"),
    Theme("hands_on", "Physical & on-the-go work",
          "on your feet, court runs, filing at registries, travel, field work, manual tasks"),
    Theme("learning", "Learning & growth",
          "learning new areas, challenge, professional development, mastering new skills"),
)

THEMES_BY_ID: dict[str, Theme] = {theme.id: theme for theme in THEMES}
THEME_IDS: tuple[str, ...] = tuple(THEMES_BY_ID)
