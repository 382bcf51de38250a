"""Reading CRMs in the worker: one candidate's history (a thin event, a merge, a reconciliation hit),
the reconciliation sweep that lists what changed since the last checkpoint, so that a disabled or
expired webhook loses nothing, and the polling of Bullhorn's event subscription (its webhooks' stand-in)."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from plugin.extensions import db
from plugin.queue import enqueue_fetch
from plugin.receiving import ingest
from plugin.receiving.connectors import PROVIDERS, CrmAccount, InboundEvent, pull_connector
from plugin.receiving.connectors.api_client import NotFound
from plugin.receiving.connectors.bullhorn import poll as bullhorn_poll
from plugin.storage import crm_state
from plugin.storage.models import Connection, utcnow
from schemas.bullhorn import PolledEvents

log = logging.getLogger(__name__)

# the next sweep starts this long before the last one did: a record updated while we listed, or a
# clock a little apart from the CRM's, is read again rather than missed (an unchanged history is free)
OVERLAP = timedelta(minutes=2)
POLL_BATCHES = 20  # batches of 100 events read in one poll; the rest waits for the next beat
POLLING_PROVIDERS = ("bullhorn",)  # CRMs that push nothing: an event queue is polled instead


def fetch(connection_id: str, external_id: str) -> None:
    """Read the candidate from the CRM and apply it like an event; queue an analysis if it changed.
    Raises CrmError (the task retries or dead-letters it)."""
    account = crm_state.load_account(connection_id)
    connector = pull_connector(account.provider) if account is not None else None
    if account is None or connector is None:
        log.info("fetch skipped connection=%s: gone, disabled or not a pulling connector", connection_id)
        return
    read_at = utcnow()  # the history is as of then: a deletion received meanwhile wins over it
    history = connector.fetch_history(account, external_id, current_app.config)
    if history is None:
        log.info("fetch found no candidate connection=%s candidate=%s", connection_id, external_id)
        return
    outcome = ingest.record_history(connection_id, InboundEvent("candidate.updated", external_id,
                                                                history, occurred_at=read_at))
    ingest.queue_analysis(outcome)
    log.info("fetch done connection=%s candidate=%s queued=%s", connection_id, outcome.candidate_id,
             outcome.enqueue_version is not None)


def reconcile(connection_id: str) -> list[str]:
    """Queue a fetch of every id changed since the checkpoint, every page read; the checkpoint moves only
    once all are queued, so a failure part-way (the listing, or the broker) reads the same range again."""
    account = crm_state.load_account(connection_id)
    connector = pull_connector(account.provider) if account is not None else None
    since = crm_state.checkpoint(connection_id)
    if account is None or connector is None or since is None:
        return []
    started = utcnow()
    changed = list(dict.fromkeys(connector.changed_since(account, since - OVERLAP, current_app.config)))
    for external_id in changed:
        enqueue_fetch(connection_id, external_id)
    crm_state.save_checkpoint(connection_id, started, changed=len(changed))
    log.info("reconciled connection=%s changed=%s", connection_id, len(changed))
    return changed


def poll(connection_id: str) -> int:
    """Read the connection's Bullhorn event batches until one is empty; return the events read.

    Bullhorn purges a batch once read, so a poll is marked begun before the read and the batch's
    requestId saved before any event is acted on: a crash at any point reads the same batch again next
    time (by the saved requestId, or Bullhorn's lastRequestId when the crash came before it was saved).
    Acting twice on a batch is harmless: fetches are idempotent and erasures deduplicated by eventId."""
    account = crm_state.load_account(connection_id)
    if account is None or account.provider not in POLLING_PROVIDERS:
        return 0
    read = 0
    for _ in range(POLL_BATCHES):
        again = _unfinished(account)
        batch = _read_batch(account, again)
        if batch.request_id is not None:
            crm_state.save_poll(connection_id, pending=batch.request_id)
        _act_on(connection_id, batch)
        crm_state.save_poll(connection_id, pending=None, begun=False)
        read += batch.events
        if batch.events == 0 and again is None:
            break
    log.info("polled connection=%s events=%s", connection_id, read)
    return read


def _read_batch(account: CrmAccount, again: int | None) -> PolledEvents:
    """The next batch, or batch `again` once more; a batch Bullhorn no longer has (404) is given up,
    logged, so that one lost batch cannot stop the polling for good (reconciliation covers it)."""
    try:
        return bullhorn_poll.read(account, current_app.config, request_id=again)
    except NotFound:
        if again is None:
            raise
        log.warning("poll batch gone connection=%s request=%s", account.connection_id, again)
        return PolledEvents(None, (), (), 0)


def _unfinished(account: CrmAccount) -> int | None:
    """The requestId of a batch read but not acted on to the end; marks this poll begun."""
    state = crm_state.poll_state(account.connection_id)
    if state.get("pending") is not None:
        return int(state["pending"])
    pending = bullhorn_poll.last_request_id(account, current_app.config) if state.get("begun") else None
    crm_state.save_poll(account.connection_id, pending=pending, begun=True)
    return pending


def _act_on(connection_id: str, batch: PolledEvents) -> None:
    """Erasures through ingest (deduplicated on the eventId), then a fetch of each changed candidate."""
    for deletion in batch.deleted:
        ingest.record_event(connection_id, deletion.event_id, InboundEvent(
            "candidate.deleted", deletion.candidate_id, None, occurred_at=deletion.occurred_at))
    for external_id in batch.changed:
        enqueue_fetch(connection_id, external_id)


def polling_connections() -> list[str]:
    """Enabled connections whose CRM pushes nothing and is polled."""
    return _enabled_of(list(POLLING_PROVIDERS))


def pulling_connections() -> list[str]:
    """Enabled connections whose connector reads the CRM's API."""
    return _enabled_of([name for name in PROVIDERS if pull_connector(name) is not None])


def _enabled_of(providers: list[str]) -> list[str]:
    found = list(db.session.scalars(select(Connection.id).where(
        Connection.enabled.is_(True), Connection.provider.in_(providers)).order_by(Connection.id)))
    db.session.rollback()
    return found


def record_refusal(connection_id: str, what: str, reason: str) -> None:
    """A CRM call refused for good: shown on the connection, logged without personal data."""
    log.warning("crm call dead-lettered connection=%s what=%s reason=%s", connection_id, what, reason)
    crm_state.record_failure(connection_id, f"{what}: {reason}")


def reconcile_failed(connection_id: str, reason: str) -> None:
    """A reconciliation that failed, retryable or not: shown in the connection's status until one
    succeeds (the checkpoint has not moved, so the next beat reads the same range)."""
    crm_state.record_reconcile_failure(connection_id, reason)
