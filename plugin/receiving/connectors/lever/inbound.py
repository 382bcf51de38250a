"""Lever webhooks: `signature` = hex HMAC-SHA256(signature token, token + triggeredAt), both in the body;
events reduced to which contact changed (the worker reads it from the API) or was deleted."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from datetime import UTC, datetime
from typing import Any

from marshmallow import ValidationError

from plugin.receiving.connectors import signing
from plugin.receiving.connectors.base import CHANGED_TYPE, InboundEvent
from plugin.receiving.connectors.signing import SignatureError
from schemas import lever

log = logging.getLogger(__name__)


def _signed_part(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body)
        return dict(lever.SignedPartSchema().load(payload if isinstance(payload, dict) else {}))
    except (ValueError, RecursionError, ValidationError) as exc:
        raise SignatureError("body has no valid token, triggeredAt (epoch ms) and signature") from exc


def verify(secrets: list[str], body: bytes, *, tolerance: float, now: float | None = None) -> str:
    """Check `signature` against every signature token held; return a delivery id made of the signed
    part only (the rest of the body is not signed, so a body `id` could be changed to replay)."""
    signed = _signed_part(body)
    message = f"{signed['token']}{signed['triggeredAt']}".encode()
    if not signing.hex_hmac_matches(secrets, message, signed["signature"]):
        raise SignatureError("signature does not match token and triggeredAt")
    current = time.time() if now is None else now
    if abs(current - signed["triggeredAt"] / 1000) > tolerance:
        raise SignatureError("triggeredAt is outside the tolerance window")
    digest = hashlib.sha256(signed["token"].encode()).hexdigest()[:32]
    return f"lever:{signed['triggeredAt']}:{digest}"


def load_event(payload: Any) -> InboundEvent | None:
    """A change of a contact (fetched by the worker) or its deletion; None for a test ping (no ids),
    interview events, and any other event (logged by name)."""
    event = lever.LeverEventSchema().load(payload)
    data = event["data"] or {}
    person = data.get("contactId") or data.get("candidateId")
    at = datetime.fromtimestamp(event["triggeredAt"] / 1000, UTC)
    if person is None:  # Lever's connection test carries no ids
        return None
    if event["event"] == lever.DELETE_EVENT:
        return InboundEvent("candidate.deleted", person, None, occurred_at=at)
    if event["event"] in lever.CHANGE_EVENTS:
        return InboundEvent(CHANGED_TYPE, person, None, occurred_at=at, fetch=(person,))
    log.info("lever event ignored event=%s", event["event"][:64])
    return None
