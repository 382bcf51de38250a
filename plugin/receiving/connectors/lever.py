"""Lever, inbound only: `signature` = hex HMAC-SHA256(signature token, token + triggeredAt), both in the
body; events reduced to which contact changed or was deleted (docs/connectors.md, "Lever").

Reading the contact from Lever's API and writing tags back are not built yet, so a change is recorded
(deduplicated) and a deletion applied; nothing is fetched."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from marshmallow import ValidationError

from plugin.receiving.connectors import signing
from plugin.receiving.connectors.base import CHANGED_TYPE, InboundEvent, WriteBack
from plugin.receiving.connectors.signing import SignatureError
from plugin.storage.models import Analysis, Candidate, Connection
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


class LeverConnector:
    provider = "lever"

    def verify(self, connection: Connection, headers: Mapping[str, str], body: bytes,
               config: Mapping[str, Any]) -> str:
        return verify(connection.signing_secrets(config["SECRET_KEY"]), body,
                      tolerance=float(config["LEVER_WEBHOOK_TOLERANCE_SECONDS"]))

    def load_event(self, payload: Any) -> InboundEvent | None:
        """A change or a deletion of a contact; None for a test ping (no ids), interview events, and
        any other event (logged by name)."""
        event = lever.LeverEventSchema().load(payload)
        data = event["data"] or {}
        person = data.get("contactId") or data.get("candidateId")
        at = datetime.fromtimestamp(event["triggeredAt"] / 1000, UTC)
        if person is None:  # Lever's connection test carries no ids
            return None
        if event["event"] == lever.DELETE_EVENT:
            return InboundEvent("candidate.deleted", person, None, occurred_at=at)
        if event["event"] in lever.CHANGE_EVENTS:
            return InboundEvent(CHANGED_TYPE, person, None, occurred_at=at)
        log.info("lever event ignored event=%s", event["event"][:64])
        return None

    def prepare_write_back(self, connection: Connection, candidate: Candidate, analysis: Analysis,
                           config: Mapping[str, Any]) -> WriteBack | None:
        return None  # tags on the contact's opportunities: not built yet; the pool has the results

    def send_write_back(self, write_back: WriteBack, config: Mapping[str, Any]) -> None:
        raise AssertionError("Lever prepares no write-back")
