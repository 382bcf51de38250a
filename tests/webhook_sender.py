"""A CRM-side sender that signs with the reference Standard Webhooks library, not with our code."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from standardwebhooks import Webhook


def signed_delivery(secret: str, payload: Any, *, msg_id: str | None = None,
                    age: timedelta = timedelta(0)) -> tuple[bytes, dict[str, str]]:
    """Body and headers of one delivery as an independent Standard Webhooks producer makes them."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    msg_id = msg_id or f"msg_{uuid.uuid4().hex}"
    sent_at = datetime.now(UTC) - age
    try:
        signature = Webhook(secret).sign(msg_id, sent_at, body.decode("utf-8"))
    except UnicodeDecodeError:  # the reference library signs text only; bad bytes need ours
        from plugin.receiving.connectors.signing import signature as our_signature

        signature = our_signature(secret, msg_id, int(sent_at.timestamp()), body)
    headers = {"webhook-id": msg_id, "webhook-timestamp": str(int(sent_at.timestamp())),
               "webhook-signature": signature, "content-type": "application/json"}
    return body, headers


def history(candidate_id: str, *likes_per_job: list[str], dislikes: list[str] | None = None
            ) -> dict[str, Any]:
    """A small valid history: one job per likes list, most recent first."""
    jobs = [{"title": f"Job {n}", "employer": f"Employer {n}", "likes": likes,
             "dislikes": dislikes or []} for n, likes in enumerate(likes_per_job)]
    return {"candidate_id": candidate_id, "jobs": jobs}


def event(event_type: str, data: dict[str, Any], *, at: datetime | None = None) -> dict[str, Any]:
    """A Standard Webhooks payload; `at` is when the change happened in the CRM (default now)."""
    return {"type": event_type, "timestamp": (at or datetime.now(UTC)).isoformat(), "data": data}
