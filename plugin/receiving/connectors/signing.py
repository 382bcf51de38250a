"""The Standard Webhooks signature scheme (v1: HMAC-SHA256 over "id.timestamp.body", base64).

Written to the spec rather than borrowed from a library so that the test suite can use the reference
library (`standardwebhooks`) as an independent sender.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import time
from collections.abc import Iterable, Mapping

SECRET_PREFIX = "whsec_"
# ASCII digits only: str.isdigit() also passes "²", which int() then refuses; 15 digits is far beyond 2100
_UNIX_SECONDS = re.compile(r"[0-9]{1,15}")


class SignatureError(Exception):
    """The delivery is not provably from the connection's sender; the message names no secret."""


def _key(secret: str) -> bytes:
    raw = secret.removeprefix(SECRET_PREFIX)
    try:
        return base64.b64decode(raw, validate=True)
    except binascii.Error as exc:
        raise ValueError("signing secret is not base64") from exc


def signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The "v1,<base64>" signature of one delivery."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def sign_headers(secrets: str | Iterable[str], msg_id: str, body: bytes, *,
                 now: float | None = None) -> dict[str, str]:
    """Headers for an outbound delivery, signed with every secret given: during a rotation the receiver
    may still hold the previous one, and the spec's header carries several space-separated signatures."""
    timestamp = int(time.time() if now is None else now)
    keys = [secrets] if isinstance(secrets, str) else list(secrets)
    if not keys:
        raise ValueError("no signing secret to sign with")
    return {"webhook-id": msg_id, "webhook-timestamp": str(timestamp),
            "webhook-signature": " ".join(signature(key, msg_id, timestamp, body) for key in keys)}


def verify(secrets: Iterable[str], headers: Mapping[str, str], body: bytes, *,
           tolerance: int = 300, now: float | None = None) -> str:
    """Check a delivery against every active secret; return its webhook-id or raise SignatureError."""
    msg_id = headers.get("webhook-id", "")
    stamp = headers.get("webhook-timestamp", "")
    sent = headers.get("webhook-signature", "")
    if not (msg_id and stamp and sent):
        raise SignatureError("missing webhook-id, webhook-timestamp or webhook-signature header")
    if not _UNIX_SECONDS.fullmatch(stamp):
        raise SignatureError("webhook-timestamp is not a Unix timestamp")
    current = time.time() if now is None else now
    if abs(current - int(stamp)) > tolerance:
        raise SignatureError("webhook-timestamp is outside the tolerance window")
    offered = [part.strip() for part in sent.split(" ") if part.startswith("v1,")]
    for secret in secrets:
        expected = signature(secret, msg_id, int(stamp), body)
        # compare every pair in full so the time taken says nothing about which part matched
        matched = [hmac.compare_digest(expected.encode(), sig.encode()) for sig in offered]
        if any(matched):
            return msg_id
    raise SignatureError("no valid v1 signature")


def hex_hmac_matches(secrets: Iterable[str], message: bytes, offered_hex: str) -> bool:
    """Whether the lowercase hex HMAC-SHA256 of `message` under any secret is `offered_hex` (the vendor
    schemes that sign with a bare hex digest); every secret is compared in full, in constant time."""
    offered = offered_hex.strip().lower().encode()
    matched = [hmac.compare_digest(hmac.new(secret.encode(), message, hashlib.sha256).hexdigest().encode(),
                                   offered) for secret in secrets]
    return any(matched)
