"""`passion connections create`: register a CRM and print what to configure on its side."""

from __future__ import annotations

import json

import click

from plugin.connectors import PROVIDERS


@click.group()
def connections() -> None:
    """Manage CRM connections."""


@connections.command("create")
@click.option("--provider", type=click.Choice(PROVIDERS), default="standard", show_default=True)
@click.option("--name", required=True, help="A name the recruiters recognise.")
@click.option("--callback-url", default=None,
              help="Where candidate.analyzed events are POSTed (signed with the same secret).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
def create(provider: str, name: str, callback_url: str | None, as_json: bool) -> None:
    """Create a connection; prints its id, webhook URL, signing secret and API token once."""
    from plugin import create_app
    from plugin.connections import create_connection
    from plugin.migrations_runner import upgrade_database

    app = create_app()
    with app.app_context():
        upgrade_database()
        issued = create_connection(provider=provider, name=name, callback_url=callback_url)
    if as_json:
        click.echo(json.dumps(issued.as_dict()))
        return
    for key, value in issued.as_dict().items():
        click.echo(f"{key + ':':13}{value}")
