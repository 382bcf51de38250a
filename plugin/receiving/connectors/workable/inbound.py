"""Workable webhooks: `X-Workable-Signature` = hex HMAC-SHA256 of the raw body under the account's API
token; candidate events reduced to which candidate changed (the worker reads it from the API)."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from marshmallow import ValidationError

from plugin.receiving.connectors import signing
from plugin.receiving.connectors.base import CHANGED_TYPE, InboundEvent
from plugin.receiving.connectors.signing import SignatureError
from schemas import workable

log = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-Workable-Signature"
MAX_EVENT_ID_CHARS = 200


def verify(secrets: Iterable[str], headers: Mapping[str, str], body: bytes) -> str:
    """Check the signature on the bytes as received against every secret held; return the delivery id:
    the envelope's `id` (inside the signed body, so it cannot be swapped), else a digest of the body."""
    sent = headers.get(SIGNATURE_HEADER, "")
    if not sent:
        raise SignatureError(f"missing {SIGNATURE_HEADER} header")
    if not signing.hex_hmac_matches(secrets, body, sent):
        raise SignatureError("signature does not match the body")
    return _delivery_id(body)


def _delivery_id(body: bytes) -> str:
    try:
        envelope = json.loads(body)
    except (ValueError, RecursionError):
        envelope = None  # the receiver names the JSON error next
    event_id = envelope.get("id") if isinstance(envelope, dict) else None
    if isinstance(event_id, int) and not isinstance(event_id, bool):
        event_id = str(event_id)
    if isinstance(event_id, str) and event_id.isprintable() and 0 < len(event_id) <= MAX_EVENT_ID_CHARS:
        return f"workable:{event_id}"
    return "sha256:" + hashlib.sha256(body).hexdigest()


def load_event(payload: Any) -> InboundEvent | None:
    """A created or moved candidate, to be read by the worker; None for any other event (logged by name,
    the HR ones included)."""
    envelope = workable.EnvelopeSchema().load(payload if isinstance(payload, dict) else {})
    event_type = envelope["event_type"]
    if event_type not in workable.CHANGE_EVENTS:
        log.info("workable event ignored event=%s", event_type[:64])
        return None
    try:
        candidate = workable.CandidateSchema().load(envelope["data"] if isinstance(envelope["data"], dict)
                                                    else {})
    except ValidationError as exc:
        raise ValidationError({"data": exc.messages}) from exc
    person = candidate["id"]
    return InboundEvent(CHANGED_TYPE, person, None, occurred_at=workable.fired_at(envelope["fired_at"]),
                        fetch=(person,))
