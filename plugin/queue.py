"""The web side of the task queue: Celery configured from the Flask config, work sent by task name.

The web process never imports the tasks (nor, through them, the engine): it publishes by the names below,
which are the wire contract with `workers.tasks`. The worker builds its own Celery app from the same
settings (`workers.celery_app`).
"""

from __future__ import annotations

from typing import Any

from celery import Celery
from flask import Flask, current_app

ANALYZE_TASK = "workers.analyze_candidate"
DELIVER_TASK = "workers.deliver_analysis"
SWEEP_TASK = "workers.sweep"
BACKFILL_TASK = "workers.backfill"
FETCH_TASK = "workers.fetch_candidate"
RECONCILE_ALL_TASK = "workers.reconcile_crms"
RECONCILE_TASK = "workers.reconcile_connection"
POLL_ALL_TASK = "workers.poll_crms"
POLL_TASK = "workers.poll_connection"
QUEUE = "passion"
# Re-analyses after an engine version change wait here. The worker consumes it beside QUEUE (taking from each
# in turn), and it is topped up one batch at a time only while QUEUE is nearly empty, so a live webhook waits
# behind at most one backfill task, never behind the whole pool.
BACKFILL_QUEUE = "passion.backfill"
DELIVERY_MAX_RETRIES = 8  # write-back attempts after the first, before the analysis is dead-lettered
DELIVERY_MAX_ATTEMPTS = 1 + DELIVERY_MAX_RETRIES  # counted in the database, whichever chain made them


def celery_settings(config: dict[str, Any]) -> dict[str, Any]:
    """Celery's settings derived from the Flask config (shared by the web and the worker)."""
    return {
        "broker_url": config["BROKER_URL"],
        "broker_connection_retry_on_startup": True,
        # longer than the longest task (time_limit 150 s), so Redis never hands a running task to a
        # second worker; a task whose worker died is redelivered after it (the sweeper also catches it)
        "broker_transport_options": {"visibility_timeout": config["BROKER_VISIBILITY_TIMEOUT"]},
        "task_ignore_result": True,
        "task_default_queue": QUEUE,
        # fail a publish within about a second so the webhook can answer 503 instead of hanging
        "task_publish_retry_policy": {"max_retries": 2, "interval_start": 0.2,
                                      "interval_step": 0.3, "interval_max": 0.5},
        "worker_prefetch_multiplier": 1,
        "worker_hijack_root_logger": False,
        "beat_schedule": {"sweep": {"task": SWEEP_TASK,
                                    "schedule": float(config["SWEEP_INTERVAL_SECONDS"])},
                          "backfill": {"task": BACKFILL_TASK,
                                       "schedule": float(config["SWEEP_INTERVAL_SECONDS"])},
                          "reconcile": {"task": RECONCILE_ALL_TASK,
                                        "schedule": float(config["RECONCILE_INTERVAL_SECONDS"])},
                          "poll": {"task": POLL_ALL_TASK,
                                   "schedule": float(config["BULLHORN_POLL_INTERVAL_SECONDS"])}},
    }


def init_app(app: Flask) -> Celery:
    """A publishing-only Celery app for the web process, kept in `app.extensions["celery"]`."""
    celery_app = Celery(app.name)
    celery_app.config_from_object(celery_settings(app.config))
    app.extensions["celery"] = celery_app
    return celery_app


def _celery() -> Celery:
    celery_app: Celery = current_app.extensions["celery"]
    return celery_app


def enqueue_analysis(candidate_id: int, history_version: int, *, backfill: bool = False) -> None:
    """Queue an analysis; raises kombu's OperationalError quickly when the broker is down."""
    _celery().send_task(ANALYZE_TASK, (candidate_id, history_version), retry=True,
                        queue=BACKFILL_QUEUE if backfill else QUEUE)


def queue_length(name: str) -> int:
    """Tasks waiting in one broker queue (0 for a queue that does not exist yet)."""
    with _celery().connection_for_read() as connection:
        try:
            return int(connection.default_channel.queue_declare(queue=name, passive=True).message_count)
        except connection.channel_errors:
            return 0


def enqueue_delivery(analysis_id: int, *, countdown: float | None = None) -> None:
    """Queue the write-back of one stored analysis (a retry: `countdown` seconds from now)."""
    _celery().send_task(DELIVER_TASK, (analysis_id,), retry=True, countdown=countdown)


def enqueue_fetch(connection_id: str, external_id: str, *, countdown: float | None = None) -> None:
    """Queue the read of one candidate's history from the CRM's API (a thin event, a merge, a
    reconciliation hit; `countdown`: its turn under the connection's rate gate)."""
    _celery().send_task(FETCH_TASK, (connection_id, external_id), retry=True, countdown=countdown)
