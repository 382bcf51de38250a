"""The recruiter's side of the worksheet, inside the recruiter pages' sign-in: the candidate page's panel
(issue or withdraw a link, see the candidate's corrections) and its two forms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import redirect, render_template, url_for

from plugin.pages import candidate_or_404, signed_in
from plugin.storage import worksheets
from plugin.storage.models import Candidate, WorksheetCorrection, as_utc, utcnow
from plugin.worksheet import links
from plugin.worksheet.blueprint import bp
from schemas.candidate_worksheet import DEFAULT_LINK_DAYS
from schemas.catalogue import THEMES_BY_ID


@dataclass(frozen=True)
class OpenLink:
    link_id: str
    expires_at: datetime


@dataclass(frozen=True)
class Panel:
    corrections: list[tuple[str, WorksheetCorrection]]  # (theme label, correction)
    open_links: list[OpenLink]


def worksheet_panel(candidate: Candidate) -> Panel:
    """Template helper for the candidate page's include: the candidate's corrections and live links."""
    now = utcnow()
    corrections = [(THEMES_BY_ID[c.theme].label if c.theme in THEMES_BY_ID else c.theme, c)
                   for c in worksheets.corrections_of(candidate.id)]
    live = [OpenLink(link.id, as_utc(link.expires_at)) for link in worksheets.links_of(candidate.id)
            if link.revoked_at is None and as_utc(link.expires_at) > now]
    return Panel(corrections, live)


@bp.post("/pool/<path:external_id>/worksheet-link")
@signed_in
def issue_link(external_id: str):  # type: ignore[no-untyped-def]
    """A new link, shown once on its own page for the recruiter to copy and send."""
    candidate = candidate_or_404(external_id)
    issued = links.issue(candidate.id, days=DEFAULT_LINK_DAYS)
    return render_template("worksheet/link_issued.html", candidate=candidate, issued=issued)


@bp.post("/pool/<path:external_id>/worksheet-links/<link_id>/revoke")
@signed_in
def revoke_link(external_id: str, link_id: str):  # type: ignore[no-untyped-def]
    candidate = candidate_or_404(external_id)
    worksheets.revoke(link_id, candidate_id=candidate.id)
    return redirect(url_for("web.candidate", external_id=candidate.external_id))
