"""Hypothesis on the parsers of untrusted headers: Standard Webhooks verification (inbound) and the CRM's
Retry-After (on write-back). Each returns or refuses in its own terms; nothing else escapes."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from plugin.outbound.ratelimit import retry_after
from plugin.receiving.connectors import signing

SECRET = "whsec_" + "QUJD" * 11
_latin1 = st.text(st.characters(max_codepoint=0xFF), max_size=40)
_headers = st.fixed_dictionaries({}, optional={
    "webhook-id": _latin1, "webhook-timestamp": _latin1 | st.integers().map(str),
    "webhook-signature": _latin1 | st.lists(_latin1.map(lambda s: "v1," + s), max_size=3).map(" ".join)})


@settings(max_examples=300, deadline=None, database=None)
@given(headers=_headers, body=st.binary(max_size=100))
def test_verify_returns_the_id_or_raises_signature_error(headers: dict[str, str], body: bytes) -> None:
    try:
        msg_id = signing.verify([SECRET], headers, body, now=1_700_000_000)
    except signing.SignatureError:
        return
    assert msg_id == headers["webhook-id"]  # only reachable by forging HMAC-SHA256: never in practice


@settings(max_examples=300, deadline=None, database=None)
@given(value=_latin1 | st.integers(-(10**30), 10**30).map(str))
def test_retry_after_is_seconds_or_nothing(value: str) -> None:
    seconds = retry_after({"Retry-After": value})
    assert seconds is None or (math.isfinite(seconds) and 0 <= seconds < 10**9)


def test_a_genuine_delivery_still_verifies() -> None:
    """Guard for the property above: the strategy's refusals are not a broken verify()."""
    body = b'{"type": "candidate.deleted", "data": {"candidate_id": "c"}}'
    headers = signing.sign_headers(SECRET, "msg_1", body, now=1_700_000_000)
    assert signing.verify([SECRET], headers, body, now=1_700_000_010) == "msg_1"
