"""The generic connector: Standard Webhooks in, the built-in pool plus an optional signed callback out."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from plugin.receiving.connectors import signing
from plugin.receiving.connectors.base import InboundEvent, WriteBackError
from plugin.storage import pool
from plugin.storage.models import Analysis, Candidate, Connection, as_utc
from schemas.webhooks import ANALYZED_EVENT, StandardEventSchema


def _retry_after(response: requests.Response) -> float | None:
    """Retry-After in seconds, from either form RFC 9110 allows (delay-seconds or an HTTP date)."""
    value = response.headers.get("Retry-After", "").strip()
    # ASCII digits only: str.isdigit() passes "\u00b2", which float() refuses (a crash, not a retry)
    if value.isascii() and value.isdigit() and len(value) <= 9:
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class StandardConnector:
    provider = "standard"

    def verify(self, connection: Connection, headers: Mapping[str, str], body: bytes,
               config: Mapping[str, Any]) -> str:
        return signing.verify(connection.signing_secrets(config["SECRET_KEY"]), headers, body,
                              tolerance=config["WEBHOOK_TOLERANCE_SECONDS"])

    def load_event(self, payload: Any) -> InboundEvent:
        event = StandardEventSchema().load(payload)
        data = event["data"]
        history = data if "jobs" in data else None
        return InboundEvent(type=event["type"], external_id=data["candidate_id"], history=history,
                            occurred_at=event["timestamp"])

    def write_back(self, connection: Connection, candidate: Candidate, analysis: Analysis,
                   config: Mapping[str, Any]) -> None:
        """POST candidate.analyzed to the callback URL; the pool itself was updated on store."""
        if not connection.callback_url:
            return
        body = json.dumps({"type": ANALYZED_EVENT, "timestamp": as_utc(analysis.created_at).isoformat(),
                           "data": pool.profile_fields(candidate, analysis)}).encode()
        secret = connection.signing_secrets(config["SECRET_KEY"])[0]
        # the id is stable per analysis, so a receiver dedupes our own retries
        headers = signing.sign_headers(secret, f"msg_analysis_{analysis.id}", body)
        headers["content-type"] = "application/json"
        try:
            response = requests.post(connection.callback_url, data=body, headers=headers,
                                     timeout=config["WRITEBACK_TIMEOUT_SECONDS"])
        except requests.RequestException as exc:
            raise WriteBackError(f"callback unreachable: {type(exc).__name__}") from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise WriteBackError(f"callback answered {response.status_code}",
                                 retry_after=_retry_after(response))
        if response.status_code >= 400:
            raise WriteBackError(f"callback refused with {response.status_code}", retryable=False)
