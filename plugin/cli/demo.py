"""`passion demo`: the demo candidates through the real signed-webhook path, as a CRM would send them.

The demo connection's credentials are kept in DATA_DIR/demo.env (0600, for `source`), so its API token
survives restarts: a token is stored only as a hash, and this file is how it can be shown again.
"""

from __future__ import annotations

import hmac
import json
import os
import shlex
import time
import uuid
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import click
import requests

from plugin.receiving.connectors.signing import sign_headers
from plugin.storage.connections import IssuedConnection

DEMO_CONNECTION_NAME = "Demo CRM"
DEMO_FILE = "demo.env"

TokenState = Literal["new", "kept", "changed"]


@dataclass(frozen=True)
class DemoRun:
    """The demo connection's credentials, whether its token is the one shown last time, what was accepted."""

    issued: IssuedConnection
    token: TokenState
    accepted: int
    sent: int
    saved_to: Path
    analysed: int | None = None  # None: not waited for


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


def read_saved(path: Path) -> dict[str, str]:
    """The NAME=value lines of a demo.env file (empty when there is none)."""
    try:
        lines = path.read_text("utf-8").splitlines()
    except FileNotFoundError:
        return {}
    pairs = (shlex.split(line)[0].split("=", 1) for line in lines if "=" in line and not line.startswith("#"))
    return {name: value for name, value in pairs}


def _save(path: Path, base_url: str, issued: IssuedConnection) -> None:
    values = {"BASE_URL": base_url, "CONNECTION_ID": issued.id, "WEBHOOK_URL": issued.webhook_url,
              "SECRET": issued.secret, "TOKEN": issued.token}
    text = ("# The demo connection of `passion run`; `source` this file to use it from a shell.\n"
            + "".join(f"{name}={shlex.quote(value)}\n" for name, value in values.items()))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o600)


def demo_connection(saved: dict[str, str]) -> tuple[IssuedConnection, TokenState]:
    """Reuse the demo connection and the token saved last time; a new token only when that one is gone."""
    from flask import current_app

    from plugin.storage.connections import create_connection, find_by_name, reissue_token, webhook_url
    from plugin.storage.crypto import hash_token

    existing = find_by_name(DEMO_CONNECTION_NAME, "standard")
    if existing is None:
        return create_connection(provider="standard", name=DEMO_CONNECTION_NAME), "new"
    token = saved.get("TOKEN", "")
    if token and hmac.compare_digest(hash_token(token), existing.token_hash):
        secret = existing.signing_secrets(current_app.config["SECRET_KEY"])[0]
        return IssuedConnection(existing.id, webhook_url(existing.id), secret, token), "kept"
    return reissue_token(existing), "changed"


def run_demo(base_url: str, *, must_exist: bool = False, named: bool = True) -> DemoRun:
    """Create (or reuse) the demo connection, keep its credentials in DATA_DIR, send the demo candidates."""
    from plugin.cli.database import app_context

    with app_context(must_exist=must_exist, named=named) as app:
        app.config["PUBLIC_URL"] = base_url
        saved_to = Path(app.config["DATA_DIR"]) / DEMO_FILE
        issued, state = demo_connection(read_saved(saved_to))
        _save(saved_to, base_url, issued)
    statuses = send_demo(issued.webhook_url, issued.secret)
    accepted = sum(1 for status in statuses if status in (200, 202))
    return DemoRun(issued, state, accepted, len(statuses), saved_to)


def wait_analysed(base_url: str, run: DemoRun, *, timeout: float = 120.0) -> DemoRun:
    """Wait until the worker has analysed the accepted demo candidates (or `timeout` passes), so the
    commands printed next show results rather than an empty pool."""
    auth = {"Authorization": f"Bearer {run.issued.token}"}
    deadline = time.monotonic() + timeout
    analysed = 0
    while time.monotonic() < deadline:
        try:
            rows = requests.get(f"{base_url}/api/candidates", params={"page_size": 100}, headers=auth,
                                timeout=5).json()
            analysed = sum(1 for row in rows if row.get("status") == "analyzed")
        except (requests.RequestException, ValueError):
            pass
        if analysed >= run.accepted:
            break
        time.sleep(0.5)
    return replace(run, analysed=analysed)


def token_note(run: DemoRun) -> str:
    """One line on whether the token printed is the one printed last time."""
    return {"new": "new demo connection",
            "kept": "same as last run",
            "changed": "CHANGED: the previous demo token no longer works"}[run.token]


@click.command()
@click.option("--url", "base_url", default=None,
              help="Base URL of a running server (default: PASSION_PUBLIC_URL).")
def demo(base_url: str | None) -> None:
    """Send the demo candidates to a running server as a CRM would."""
    from plugin.config import planned_config

    found = run_demo(base_url or planned_config()["PUBLIC_URL"], must_exist=True)
    click.echo(f"Demo connection:  {found.issued.id}")
    click.echo(f"Webhook URL:      {found.issued.webhook_url}")
    click.echo(f"API token:        {found.issued.token}   ({token_note(found)})")
    click.echo(f"Demo candidates:  {found.accepted} of {found.sent} accepted")
    click.echo(f"Credentials in:   {found.saved_to}")
