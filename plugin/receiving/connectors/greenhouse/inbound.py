"""Greenhouse webhooks: `Signature: sha256 <hex>` over the raw body, and actions mapped to our events."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from marshmallow import ValidationError

from plugin.receiving.connectors import signing
from plugin.receiving.connectors.base import CHANGED_TYPE, InboundEvent
from plugin.receiving.connectors.signing import SignatureError
from schemas import greenhouse as gh
from schemas.crm_history import Employment, build_history

log = logging.getLogger(__name__)


def verify(secrets: Iterable[str], headers: Mapping[str, str], body: bytes) -> str:
    """Check the signature against every active secret (a rotation overlaps) on the bytes as received;
    return the delivery id: a digest of the signed body, not `Greenhouse-Event-ID`, which the signature
    does not cover (a captured body resent under a fresh header would otherwise be applied again)."""
    sent = headers.get("Signature", "")
    if not sent:
        raise SignatureError("missing Signature header")
    algorithm, _, digest = sent.strip().partition(" ")
    if algorithm != "sha256" or not digest:
        raise SignatureError('Signature header is not "sha256 <hex>"')
    if not signing.hex_hmac_matches(secrets, body, digest):
        raise SignatureError("signature does not match the body")
    return "sha256:" + hashlib.sha256(body).hexdigest()


def load_event(payload: Any, *, worksheet_field: str) -> InboundEvent | None:
    """The event for an action we use; None for the ping and for any other action (logged by name)."""
    envelope = gh.EnvelopeSchema().load(payload if isinstance(payload, dict) else {"action": None})
    action = envelope["action"]
    if action == gh.PING_ACTION:
        return None
    if action == gh.UPDATE_ACTION:
        candidate = gh.load_payload(action, envelope["payload"])
        employments = [Employment(e["title"], e["company_name"], e["start_date"], e["end_date"])
                       for e in candidate["employments"]]
        text = gh.worksheet_text(candidate["custom_fields"], worksheet_field)
        try:
            history = build_history(candidate["id"], employments, text)
        except ValidationError as exc:
            raise ValidationError({"payload": {"candidate": exc.messages}}) from exc
        return InboundEvent("candidate.updated", str(candidate["id"]), history)
    if action in gh.APPLICATION_ACTIONS:  # the application's copy may lack employments: fetch it
        candidate_id = str(gh.load_payload(action, envelope["payload"])["candidate"]["id"])
        return InboundEvent(CHANGED_TYPE, candidate_id, None, fetch=(candidate_id,))
    if action in (gh.DELETE_ACTION, gh.MERGE_ACTION):
        person = gh.load_payload(action, envelope["payload"])
        survivor = person.get("new_candidate_id") if action == gh.MERGE_ACTION else None
        return InboundEvent("candidate.deleted", str(person["id"]), None,
                            fetch=(str(survivor),) if survivor else ())
    if action == gh.ANONYMIZE_ACTION:
        candidate_id = str(gh.load_payload(action, envelope["payload"])["candidate_id"])
        return InboundEvent("candidate.anonymized", candidate_id, None)
    log.info("greenhouse action ignored action=%s", action[:64])
    return None
