"""Sends the demo candidates through the real signed-webhook path, as a CRM would."""

from __future__ import annotations

import json
import uuid
from importlib import resources
from typing import Any

import requests

from plugin.connectors.signing import sign_headers


def demo_candidates() -> list[dict[str, Any]]:
    """Invented histories shipped with the package (no real person's data)."""
    text = resources.files("plugin").joinpath("demo_candidates.json").read_text("utf-8")
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
