"""`passion worksheet …`: issue a candidate's worksheet link from the command line, or withdraw one."""

from __future__ import annotations

import click

from schemas.candidate_worksheet import DEFAULT_LINK_DAYS, MAX_LINK_DAYS


@click.group()
def worksheet() -> None:
    """Candidates' passion-worksheet links (docs/worksheet.md)."""


@worksheet.command("link")
@click.argument("crm_id")
@click.option("--connection", "connection_id", default=None,
              help="The connection the candidate belongs to (needed when several have that CRM id).")
@click.option("--days", type=click.IntRange(1, MAX_LINK_DAYS), default=DEFAULT_LINK_DAYS, show_default=True,
              help="Days until the link expires.")
def link(crm_id: str, connection_id: str | None, days: int) -> None:
    """Print a new worksheet link for the candidate with this CRM id (send it to them only)."""
    from plugin.cli.database import app_context, candidate_by_crm_id
    from plugin.worksheet import links

    with app_context(must_exist=True):
        issued = links.issue(candidate_by_crm_id(crm_id, connection_id).id, days=days)
    click.echo(f"url:        {issued.url}")
    click.echo(f"link_id:    {issued.link_id}")
    click.echo(f"expires_at: {issued.expires_at.isoformat()}")


@worksheet.command("revoke")
@click.argument("link_id")
def revoke(link_id: str) -> None:
    """Withdraw a worksheet link: it opens nothing from now on."""
    from plugin.cli.database import app_context
    from plugin.storage import worksheets

    with app_context(must_exist=True):
        if not worksheets.revoke(link_id):
            raise click.ClickException(f"no open link {link_id}")
    click.echo(f"revoked {link_id}")
