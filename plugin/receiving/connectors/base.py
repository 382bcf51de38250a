"""What every CRM connector provides: verify inbound, parse events, write results back; and what a
connector that reads the CRM's API adds: fetch a candidate's history, list what changed."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from plugin.storage.models import Analysis, Candidate, Connection

ERASURE_TYPES = ("candidate.deleted", "candidate.anonymized")
CHANGED_TYPE = "candidate.changed"  # a thin event: the worker fetches the history from the CRM


@dataclass(frozen=True)
class InboundEvent:
    """A CRM event reduced to what ingest needs."""

    # candidate.created | candidate.updated | candidate.changed | candidate.deleted | candidate.anonymized
    type: str
    external_id: str
    history: dict[str, Any] | None  # None for erasures and thin events
    occurred_at: datetime | None = None  # when the CRM says it happened, to spot late arrivals
    fetch: tuple[str, ...] = ()  # candidate ids whose history the worker must fetch from the CRM
    from_worksheet: bool = False  # the candidate's own submission (plugin/worksheet), not the CRM's

    @property
    def is_erasure(self) -> bool:
        return self.type in ERASURE_TYPES


@dataclass(frozen=True)
class CrmAccount:
    """What a worker needs to call a connection's CRM, read in one short transaction."""

    connection_id: str
    provider: str
    credentials: Mapping[str, str] = field(repr=False)  # decrypted: in memory only, never in a log or repr


@dataclass(frozen=True)
class WriteBack:
    """A write-back ready to send: read from the rows inside a transaction, sent after it has ended."""

    url: str
    body: bytes
    headers: dict[str, str]
    plan: Any = None  # what a connector that makes several calls needs to send it
    written: dict[str, Any] | None = None  # kept on the candidate once sent, to skip an unchanged one


class CrmError(Exception):
    """A CRM call failed: retryable (429, 5xx, no answer) after `retry_after` seconds at the earliest,
    or refused for good (another 4xx, bad credentials), which is dead-lettered and shown."""

    def __init__(self, message: str, *, retry_after: float | None = None,
                 retryable: bool = True) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.retryable = retryable


class Throttled(CrmError):
    """Our own per-connection gate said to wait (no call was made): a turn to take later, not a failure."""

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message, retry_after=retry_after)


class WriteBackError(CrmError):
    """The CRM refused or failed a write-back."""


class Connector(Protocol):
    provider: str

    def verify(self, connection: Connection, headers: Mapping[str, str], body: bytes,
               config: Mapping[str, Any]) -> str:
        """Return the delivery id, or raise SignatureError."""

    def load_event(self, payload: Any) -> InboundEvent | None:
        """Validate the payload with the CRM's schema; raises marshmallow.ValidationError. None: an
        event to acknowledge and ignore (a ping, an action we do not use)."""

    def prepare_write_back(self, connection: Connection, candidate: Candidate, analysis: Analysis,
                           config: Mapping[str, Any]) -> WriteBack | None:
        """Build the write-back from the rows (the caller holds a transaction); None: nothing to send."""

    def send_write_back(self, write_back: WriteBack, config: Mapping[str, Any]) -> None:
        """Send it without touching the database; raise WriteBackError to be retried."""


@runtime_checkable
class PullConnector(Protocol):
    """A connector that reads the CRM's API (in the worker, never in a request)."""

    def fetch_history(self, account: CrmAccount, external_id: str, config: Mapping[str, Any]
                      ) -> dict[str, Any] | None:
        """The candidate's canonical history, or None when the CRM no longer has them; CrmError."""

    def changed_since(self, account: CrmAccount, since: datetime, config: Mapping[str, Any]
                      ) -> Iterator[str]:
        """Ids of the candidates changed at or after `since`, following the CRM's pagination."""
