"""`passion demo`: the demo candidates through the real signed-webhook path."""

from __future__ import annotations

import click

DEMO_CONNECTION_NAME = "Demo CRM"


def run_demo(base_url: str) -> None:
    """Create (or reuse) the demo connection, send the demo candidates, print the credentials."""
    from plugin import create_app
    from plugin.connections import create_connection, find_by_name, reissue_token
    from plugin.demo import send_demo

    app = create_app({"PUBLIC_URL": base_url})
    with app.app_context():
        existing = find_by_name(DEMO_CONNECTION_NAME, "standard")
        issued = (reissue_token(existing) if existing else
                  create_connection(provider="standard", name=DEMO_CONNECTION_NAME))
    statuses = send_demo(issued.webhook_url, issued.secret)
    accepted = sum(1 for status in statuses if status in (200, 202))
    click.echo(f"Demo connection:  {issued.id}")
    click.echo(f"Webhook URL:      {issued.webhook_url}")
    click.echo(f"Signing secret:   {issued.secret}")
    click.echo(f"API token:        {issued.token}")
    click.echo(f"Demo candidates:  {accepted} of {len(statuses)} accepted")
    click.echo(f"Try:  curl -H 'Authorization: Bearer {issued.token}' "
               f"'{base_url}/api/candidates?theme=research'")


@click.command()
@click.option("--url", "base_url", default=None,
              help="Base URL of a running server (default: PASSION_PUBLIC_URL).")
def demo(base_url: str | None) -> None:
    """Send the demo candidates to a running server as a CRM would."""
    from plugin.config import build_config

    run_demo(base_url or build_config()["PUBLIC_URL"])
