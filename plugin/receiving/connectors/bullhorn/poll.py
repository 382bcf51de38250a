"""Bullhorn's event subscription, which stands in for webhooks: created once per connection, then polled.
Reading a batch purges it from Bullhorn, so the caller checkpoints the batch's `requestId` before acting
on it and, after a crash, reads the same batch again with `requestId=<n>` (workers/crm_sync.py)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from plugin.receiving.connectors.base import CrmAccount, CrmError
from plugin.receiving.connectors.bullhorn.api import BullhornClient
from plugin.receiving.connectors.bullhorn.field import field_of
from schemas.bullhorn import PolledEvents, read_batch

MAX_EVENTS = 100  # Bullhorn's most per request
SUBSCRIBED_ENTITIES = "Candidate"  # CandidateWorkHistory as an event entity is unconfirmed
EVENT_TYPES = "INSERTED,UPDATED,DELETED"


def new_subscription_id() -> str:
    """Ours alone in the corporation's database (at most 15 subscriptions there)."""
    return f"passion{secrets.token_hex(6)}"


def _path(subscription_id: str, tail: str = "") -> str:
    return f"/event/subscription/{quote(subscription_id, safe='')}{tail}"


def subscribe(client: BullhornClient, subscription_id: str) -> None:
    """`PUT event/subscription/{id}?type=entity&names=…&eventTypes=…`."""
    client.call("PUT", client.url(_path(subscription_id), {
        "type": "entity", "names": SUBSCRIBED_ENTITIES, "eventTypes": EVENT_TYPES}), b"")


def subscription_of(account: CrmAccount) -> str:
    found = account.credentials.get("subscription_id")
    if not found:
        raise CrmError("the Bullhorn connection has no event subscription", retryable=False)
    return found


def read(account: CrmAccount, config: Mapping[str, Any], *, request_id: int | None = None
         ) -> PolledEvents:
    """The next batch (Bullhorn forgets it once read), or the batch `request_id` again. An UPDATED
    whose properties are only our field is our own write-back's echo: dropped."""
    client = BullhornClient(account, config)
    params: dict[str, Any] = {"maxEvents": MAX_EVENTS}
    if request_id is not None:
        params["requestId"] = request_id
    answer = client.get(_path(subscription_of(account)), params)
    return read_batch(answer, ours=_ours(account))


def last_request_id(account: CrmAccount, config: Mapping[str, Any]) -> int | None:
    """`GET event/subscription/{id}/lastRequestId`: the batch read last (a bare number; an object's
    single number is read too, the answer's shape being undocumented)."""
    answer = BullhornClient(account, config).get(_path(subscription_of(account), "/lastRequestId"))
    if isinstance(answer, dict) and len(answer) == 1:
        answer = next(iter(answer.values()))
    return answer if isinstance(answer, int) and not isinstance(answer, bool) and answer > 0 else None


def _ours(account: CrmAccount) -> frozenset[str]:
    try:
        return frozenset({field_of(account)})
    except CrmError:
        return frozenset()
