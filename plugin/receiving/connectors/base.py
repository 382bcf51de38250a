"""What every CRM connector provides: verify inbound, parse events, write results back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from plugin.storage.models import Analysis, Candidate, Connection


@dataclass(frozen=True)
class InboundEvent:
    """A CRM event reduced to what ingest needs."""

    type: str  # candidate.created | candidate.updated | candidate.deleted | candidate.anonymized
    external_id: str
    history: dict[str, Any] | None  # None for deletions
    occurred_at: datetime | None = None  # when the CRM says it happened, to spot late arrivals
    from_worksheet: bool = False  # the candidate's own submission (plugin/worksheet), not the CRM's


@dataclass(frozen=True)
class WriteBack:
    """A write-back ready to send: read from the rows inside a transaction, sent after it has ended."""

    url: str
    body: bytes
    headers: dict[str, str]


class WriteBackError(Exception):
    """The CRM refused or failed a write-back in a way worth retrying."""

    def __init__(self, message: str, *, retry_after: float | None = None,
                 retryable: bool = True) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.retryable = retryable


class Connector(Protocol):
    provider: str

    def verify(self, connection: Connection, headers: Mapping[str, str], body: bytes,
               config: Mapping[str, Any]) -> str:
        """Return the delivery id, or raise SignatureError."""

    def load_event(self, payload: Any) -> InboundEvent:
        """Validate the payload with the CRM's schema; raises marshmallow.ValidationError."""

    def prepare_write_back(self, connection: Connection, candidate: Candidate, analysis: Analysis,
                           config: Mapping[str, Any]) -> WriteBack | None:
        """Build the write-back from the rows (the caller holds a transaction); None: nothing to send."""

    def send_write_back(self, write_back: WriteBack, config: Mapping[str, Any]) -> None:
        """Send it without touching the database; raise WriteBackError to be retried."""
