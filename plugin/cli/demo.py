"""`passion demo`: the demo candidates through the real signed-webhook path, as a CRM would send them."""

from __future__ import annotations

import json
import uuid
from importlib import resources
from typing import Any

import click
import requests

from plugin.receiving.connectors.signing import sign_headers

DEMO_CONNECTION_NAME = "Demo CRM"


def demo_candidates() -> list[dict[str, Any]]:
    """Invented histories shipped with the package (no real person's data)."""
    text = resources.files("plugin.cli").joinpath("demo_candidates.json").read_text("utf-8")
    return list(json.loads(text))


def send_event(webhook_url: str, secret: str, event_type: str, data: dict[str, Any], *,
               timeout: float = 10.0) -> requests.Response:
    """POST one Standard Webhooks delivery signed with the connection's secret."""
    body = json.dumps({"type": event_type, "data": data}).encode()
    headers = sign_headers(secret, f"msg_{uuid.uuid4().hex}", body)
    headers["content-type"] = "application/json"
    return requests.post(webhook_url, data=body, headers=headers, timeout=timeout)


def send_demo(webhook_url: str, secret: str) -> list[int]:
    """Create every demo candidate; returns the status codes the receiver answered."""
    return [send_event(webhook_url, secret, "candidate.created", candidate).status_code
            for candidate in demo_candidates()]


def run_demo(base_url: str) -> None:
    """Create (or reuse) the demo connection, send the demo candidates, print the credentials."""
    from plugin import create_app
    from plugin.storage.connections import create_connection, find_by_name, reissue_token

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
