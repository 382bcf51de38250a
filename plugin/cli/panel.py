"""`passion panel link …`: a signed CRM panel URL for one candidate, as the API mints them."""

from __future__ import annotations

import click


@click.group()
def panel() -> None:
    """The embedded CRM panel (docs/workspace.md, "The CRM panel")."""


@panel.command("link")
@click.argument("crm_id")
@click.option("--connection", "connection_id", default=None,
              help="The connection the candidate belongs to (needed when several have that CRM id).")
@click.option("--minutes", type=click.IntRange(1, 24 * 60), default=None,
              help="Minutes until the URL expires [default: PASSION_PANEL_LINK_MINUTES, 15].")
def link(crm_id: str, connection_id: str | None, minutes: int | None) -> None:
    """Print a signed panel URL for one candidate.

    It opens the profile of the candidate with this CRM id, read-only, framed only by the connection's
    frame ancestors, until it expires."""
    from plugin.cli.database import app_context, candidate_by_crm_id
    from plugin.panel import links

    with app_context(must_exist=True):
        issued = links.issue(candidate_by_crm_id(crm_id, connection_id), minutes=minutes)
    click.echo(f"url:        {issued.url}")
    click.echo(f"expires_at: {issued.expires_at.isoformat()}")
