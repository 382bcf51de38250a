"""`passion audit CONNECTION_ID`: the connection's audit log, newest first, as the API gives it."""

from __future__ import annotations

import json

import click


@click.command()
@click.argument("connection_id")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True,
              help="How many entries, newest first.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line (GET /api/audit's shape).")
def audit(connection_id: str, limit: int, as_json: bool) -> None:
    """A connection's audit log: who did what, and when.

    Analyses stored, write-backs delivered or failed for good, candidates' corrections and re-analysis
    requests, newest first. Tab-separated: time, who (recruiter:<account id>, administrator, crm, worker,
    candidate), what, candidate (internal id), analysis id, detail. Ids only, never a name or a phrase."""
    from plugin.cli.database import app_context
    from plugin.extensions import db
    from plugin.storage import audit as audit_log
    from plugin.storage import pool
    from plugin.storage.models import Connection
    from schemas.api import AuditEntrySchema

    with app_context(must_exist=True):
        if db.session.get(Connection, connection_id) is None:
            raise click.ClickException(f"no connection {connection_id}")
        rows, _total = pool.page(audit_log.newest_first(connection_id), page=1, page_size=limit)
        entries = AuditEntrySchema(many=True).dump(rows)
    for entry in entries:
        if as_json:
            click.echo(json.dumps(entry))
            continue
        who = entry["actor"] + (f":{entry['recruiter_id']}" if entry["recruiter_id"] is not None else "")
        click.echo("\t".join([entry["at"], who, entry["action"], str(entry["candidate_id"]),
                              str(entry["analysis_id"] or "-"), entry["detail"] or "-"]))
