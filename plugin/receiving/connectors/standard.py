"""The generic connector: Standard Webhooks in, the built-in pool plus an optional signed callback out."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from plugin.outbound import OutboundFailure, OutboundPolicy, post
from plugin.outbound.ratelimit import retry_after
from plugin.receiving.connectors import signing
from plugin.receiving.connectors.base import InboundEvent, WriteBack, WriteBackError
from plugin.storage import pool
from plugin.storage.models import Analysis, Candidate, Connection, as_utc
from plugin.worksheet import links
from schemas.webhooks import ANALYZED_EVENT, StandardEventSchema

_EVENT_SCHEMA = StandardEventSchema()  # stateless when loading: one instance for every delivery


class StandardConnector:
    provider = "standard"

    def verify(self, connection: Connection, headers: Mapping[str, str], body: bytes,
               config: Mapping[str, Any]) -> str:
        return signing.verify(connection.signing_secrets(config["SECRET_KEY"]), headers, body,
                              tolerance=config["WEBHOOK_TOLERANCE_SECONDS"])

    def load_event(self, payload: Any) -> InboundEvent:
        event = _EVENT_SCHEMA.load(payload)
        data = event["data"]
        history = data if "jobs" in data else None
        return InboundEvent(type=event["type"], external_id=data["candidate_id"], history=history,
                            occurred_at=event["timestamp"])

    def prepare_write_back(self, connection: Connection, candidate: Candidate, analysis: Analysis,
                           config: Mapping[str, Any]) -> WriteBack | None:
        """candidate.analyzed for the callback URL, signed with every active secret (a receiver in the
        middle of a rotation may still hold the previous one); the pool itself was updated on store."""
        if not connection.callback_url:
            return None
        body = json.dumps({"type": ANALYZED_EVENT, "timestamp": as_utc(analysis.created_at).isoformat(),
                           "data": {**pool.profile_fields(candidate, analysis),
                                    "worksheet_url": links.write_back_url(candidate.id)}}).encode()
        secrets = connection.signing_secrets(config["SECRET_KEY"])
        # the id is stable per analysis, so a receiver dedupes our own retries
        headers = signing.sign_headers(secrets, f"msg_analysis_{analysis.id}", body)
        headers["content-type"] = "application/json"
        return WriteBack(connection.callback_url, body, headers)

    def send_write_back(self, write_back: WriteBack, config: Mapping[str, Any]) -> None:
        """POST it once under the outbound policy; 2xx is done, 429/5xx/no answer is retried, the rest
        (a redirect included: it is never followed) is refused for good."""
        try:
            answer = post(write_back.url, write_back.body, write_back.headers,
                          policy=OutboundPolicy.from_config(config),
                          deadline_seconds=config["WRITEBACK_TIMEOUT_SECONDS"])
        except OutboundFailure as exc:
            raise WriteBackError(f"callback {exc}", retryable=not exc.refused) from exc
        if answer.status == 429 or answer.status >= 500:
            raise WriteBackError(f"callback answered {answer.status}",
                                 retry_after=retry_after(answer.headers))
        if answer.status >= 300:
            raise WriteBackError(f"callback refused with {answer.status}", retryable=False)
