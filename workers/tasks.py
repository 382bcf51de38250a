"""Thin task wrappers: ids in, failure policy on the decorator, logic in workers.pipeline."""

from __future__ import annotations

import logging
import random
from datetime import timedelta
from typing import Any

from celery import shared_task
from celery.exceptions import Reject
from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy.exc import OperationalError as DatabaseUnavailable

from plugin.queue import (
    ANALYZE_TASK,
    BACKFILL_QUEUE,
    BACKFILL_TASK,
    DELIVER_TASK,
    DELIVERY_MAX_ATTEMPTS,
    FETCH_TASK,
    POLL_ALL_TASK,
    POLL_TASK,
    QUEUE,
    RECONCILE_ALL_TASK,
    RECONCILE_TASK,
    SWEEP_TASK,
    enqueue_analysis,
    enqueue_delivery,
    enqueue_fetch,
    queue_length,
)
from plugin.receiving.connectors import CrmError, Throttled, WriteBackError
from workers import crm_sync, pipeline, sweeper
from workers.analysis import analysis_version

log = logging.getLogger(__name__)


@shared_task(name=ANALYZE_TASK, acks_late=True, reject_on_worker_lost=True,
             soft_time_limit=60, time_limit=90, autoretry_for=(DatabaseUnavailable,),
             retry_backoff=True, retry_backoff_max=120, max_retries=10)
def analyze_candidate(candidate_id: int, history_version: int) -> None:
    """Analyse one history version; skip when a newer one has arrived."""
    try:
        analysis_id = pipeline.analyze(candidate_id, history_version)
    except DatabaseUnavailable:
        raise
    except Exception:
        # not transient: stop the sweeper from queuing it forever; re-analysis resets it
        pipeline.mark_failed(candidate_id, history_version)
        raise
    if analysis_id is not None:
        deliver_analysis.delay(analysis_id)


@shared_task(name=DELIVER_TASK, acks_late=True,
             reject_on_worker_lost=True, soft_time_limit=60, time_limit=90,
             autoretry_for=(DatabaseUnavailable,), retry_backoff=True, retry_backoff_max=120,
             max_retries=10)
def deliver_analysis(analysis_id: int) -> None:
    """Write one analysis back to the CRM, retrying with jittered exponential backoff.

    The retry limit counts attempts in the database (a sweep or a redelivery starts a task whose own
    retry count is 0), and a retry is a new task scheduled with its due time recorded, so the sweeper
    never starts a second chain beside it. A call cut at its deadline is an attempt like any other.
    """
    try:
        pipeline.deliver(analysis_id)
    except pipeline.ConnectionBusy:
        countdown = random.uniform(1.0, 3.0)  # soon: the write-back in flight ends within its deadline
        _schedule(analysis_id, countdown)
        return
    except Throttled as exc:  # our own gate held it back: no attempt was used
        _schedule(analysis_id, min(_longest_countdown(), (exc.retry_after or 1.0) + random.uniform(0.0, 1.0)))
        return
    except WriteBackError as exc:
        attempts = pipeline.attempts_made(analysis_id)
        if not exc.retryable or attempts >= DELIVERY_MAX_ATTEMPTS:
            pipeline.mark_dead(analysis_id, str(exc))
            raise Reject(str(exc), requeue=False) from exc
        countdown = pipeline.backoff_seconds(attempts - 1, exc.retry_after, longest=_longest_countdown())
        log.info("write-back retry analysis=%s attempt=%s in=%.1fs reason=%s", analysis_id, attempts,
                 countdown, exc)
        _schedule(analysis_id, countdown)


def _schedule(analysis_id: int, countdown: float) -> None:
    """Queue the next try; if the broker refuses, the recorded due time lets the sweeper catch it."""
    pipeline.schedule_retry(analysis_id, countdown)
    enqueue_delivery(analysis_id, countdown=countdown)


@shared_task(name=SWEEP_TASK, acks_late=True, soft_time_limit=120, time_limit=150)
def sweep() -> None:
    """Queue again whatever was accepted but has no finished analysis or write-back."""
    grace = sweeper.grace_period()
    candidates = sweeper.candidates_to_requeue(grace)
    for candidate_id, version in candidates:
        enqueue_analysis(candidate_id, version)
        sweeper.mark_queued(candidate_id)
    deliveries = sweeper.deliveries_to_requeue(grace)
    for analysis_id in deliveries:
        deliver_analysis.delay(analysis_id)
        sweeper.mark_delivery_queued(analysis_id)
    if candidates or deliveries:
        log.warning("sweep requeued analyses=%s deliveries=%s", len(candidates), len(deliveries))
    retention = timedelta(days=current_app.config["EVENT_RETENTION_DAYS"])
    sweeper.forget_old_events(retention)


BACKFILL_BATCH = 200  # re-analyses queued per top-up
BACKFILL_WHEN_LIVE_BELOW = 10  # top up only while so few live tasks wait


@shared_task(name=BACKFILL_TASK, acks_late=True, soft_time_limit=60, time_limit=90)
def backfill() -> None:
    """After an engine version change, queue re-analyses of the pool a batch at a time on the
    low-priority queue, and only while live work is not waiting."""
    if queue_length(QUEUE) >= BACKFILL_WHEN_LIVE_BELOW or queue_length(BACKFILL_QUEUE) > 0:
        return
    batch = sweeper.outdated_candidates(analysis_version(), limit=BACKFILL_BATCH)
    for candidate_id, version in batch:
        enqueue_analysis(candidate_id, version, backfill=True)
    if batch:
        log.info("backfill queued re-analyses=%s", len(batch))


FETCH_MAX_RETRIES = 8


# the rate gate, the one-call lock and the token cache live in Redis: a blip there is retried, not lost
@shared_task(name=FETCH_TASK, bind=True, acks_late=True, reject_on_worker_lost=True,
             soft_time_limit=60, time_limit=90, autoretry_for=(DatabaseUnavailable, RedisError),
             retry_backoff=True, retry_backoff_max=120, max_retries=FETCH_MAX_RETRIES)
def fetch_candidate(self: Any, connection_id: str, external_id: str) -> None:
    """Read one candidate's history from the CRM: 429, 5xx and no answer are retried with backoff,
    never sooner than the CRM said; a refusal (another 4xx) is dead-lettered on the connection."""
    try:
        crm_sync.fetch(connection_id, external_id)
    except Throttled as exc:  # no call was made: wait for the gate without using up a retry
        wait = min(_longest_countdown(), (exc.retry_after or 1.0) + random.uniform(0.0, 1.0))
        enqueue_fetch(connection_id, external_id, countdown=wait)
    except CrmError as exc:
        if exc.retryable and self.request.retries < FETCH_MAX_RETRIES:
            countdown = pipeline.backoff_seconds(self.request.retries, exc.retry_after,
                                                 longest=_longest_countdown())
            log.info("fetch retry connection=%s in=%.1fs reason=%s", connection_id, countdown, exc)
            raise self.retry(countdown=countdown, exc=exc) from exc
        crm_sync.record_refusal(connection_id, "fetch", str(exc))
        raise Reject(str(exc), requeue=False) from exc


@shared_task(name=RECONCILE_ALL_TASK, acks_late=True, soft_time_limit=60, time_limit=90)
def reconcile_crms() -> None:
    """The beat's sweep: one reconciliation task per connection that reads its CRM."""
    for connection_id in crm_sync.pulling_connections():
        reconcile_connection.delay(connection_id)


@shared_task(name=RECONCILE_TASK, acks_late=True, soft_time_limit=120, time_limit=150)
def reconcile_connection(connection_id: str) -> None:
    """Queue a fetch of what changed since the checkpoint; a failed listing waits for the next beat (the
    checkpoint has not moved) and is shown on the connection when it was refused for good."""
    try:
        crm_sync.reconcile(connection_id)
    except CrmError as exc:
        if not exc.retryable:
            crm_sync.record_refusal(connection_id, "reconcile", str(exc))
        crm_sync.reconcile_failed(connection_id, str(exc))
        log.warning("reconcile failed connection=%s retryable=%s", connection_id, exc.retryable)


@shared_task(name=POLL_ALL_TASK, acks_late=True, soft_time_limit=60, time_limit=90)
def poll_crms() -> None:
    """The beat's poll: one task per connection whose CRM is polled for events (Bullhorn)."""
    for connection_id in crm_sync.polling_connections():
        poll_connection.delay(connection_id)


@shared_task(name=POLL_TASK, acks_late=True, soft_time_limit=120, time_limit=150)
def poll_connection(connection_id: str) -> None:
    """Read the connection's event batches; a failed read waits for the next beat (the batch's
    requestId is kept, so it is read again) and is shown on the connection when refused for good."""
    try:
        crm_sync.poll(connection_id)
    except CrmError as exc:
        if not exc.retryable:
            crm_sync.record_refusal(connection_id, "poll", str(exc))
        log.warning("poll failed connection=%s retryable=%s", connection_id, exc.retryable)


def _longest_countdown() -> float:
    """A retry's countdown must end well inside the broker's visibility timeout."""
    return min(600.0, 0.8 * current_app.config["BROKER_VISIBILITY_TIMEOUT"])

