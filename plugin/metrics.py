"""Prometheus metrics at GET /metrics, in the text exposition format.

Work in flight is counted in the database and the broker at scrape time, so it is right whichever process
or host did the work. The web process's own counters (webhook outcomes, API status classes) are summed
across gunicorn workers through prometheus_client's multiprocess files when PROMETHEUS_MULTIPROC_DIR is
set. Labels are fixed sets (statuses, outcomes): never a connection, candidate or delivery id.
"""

from __future__ import annotations

import hmac
import logging
import os
from collections.abc import Iterator
from datetime import datetime

import redis
from flask import Blueprint, Flask, current_app, g, request
from flask_smorest import abort
from prometheus_client import CollectorRegistry, Counter, disable_created_metrics, values
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import Connection, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import InstrumentedAttribute
from werkzeug.wrappers import Response

from plugin.extensions import db
from plugin.queue import BACKFILL_QUEUE, QUEUE
from plugin.redis_client import broker_client
from plugin.storage.connection_status import Aggregates, aggregates
from plugin.storage.models import (
    WAITING,
    Analysis,
    Candidate,
    CandidateStatus,
    DeliveryStatus,
    EventStatus,
    as_utc,
    utcnow,
)

log = logging.getLogger(__name__)
bp = Blueprint("metrics", __name__)

REFUSAL_STATUSES = (400, 401, 403, 404, 413, 415, 422, 503)
DATABASE_TIMEOUT_MS = 3000

# Created once per process, as prometheus_client expects; registry=None because each app's registry
# (or, in multiprocess mode, the files) decides where they are read from.
WEBHOOK_DELIVERIES = Counter("passion_webhook_deliveries", "Webhook deliveries answered, by outcome "
                             "(accepted, duplicate, stale, refused) and HTTP status.",
                             ["outcome", "status"], registry=None)
API_REQUESTS = Counter("passion_api_requests", "Requests to /api/, by status class (2xx, 4xx, 5xx).",
                       ["status_class"], registry=None)


def init_app(app: Flask) -> None:
    """Serve /metrics from a registry of this app's own, and count every response."""
    registry = CollectorRegistry()
    if multiprocess_mode():
        path = os.environ["PROMETHEUS_MULTIPROC_DIR"]
        os.makedirs(path, exist_ok=True)
        MultiProcessCollector(registry, path=path)
    else:
        registry.register(WEBHOOK_DELIVERIES)
        registry.register(API_REQUESTS)
    registry.register(DatabaseCollector())
    registry.register(BrokerCollector(app.config["BROKER_URL"], QUEUE, BACKFILL_QUEUE))
    app.extensions["metrics"] = registry
    disable_created_metrics()  # multiprocess mode has no *_created series: both modes expose the same
    _initialise_series()
    app.after_request(_count_response)
    app.register_blueprint(bp)


def multiprocess_mode() -> bool:
    """Whether counters write to PROMETHEUS_MULTIPROC_DIR: prometheus_client decides once, at import."""
    return bool(getattr(values.ValueClass, "_multiprocess", False))


def _initialise_series() -> None:
    """Every expected series exists from the start, at 0, so rates and alerts need no special case."""
    WEBHOOK_DELIVERIES.labels(EventStatus.ACCEPTED, "202")
    WEBHOOK_DELIVERIES.labels(EventStatus.STALE, "202")
    WEBHOOK_DELIVERIES.labels("duplicate", "200")
    WEBHOOK_DELIVERIES.labels("ignored", "200")  # a vendor's ping or an action its connector does not use
    for status in REFUSAL_STATUSES:
        WEBHOOK_DELIVERIES.labels("refused", str(status))
    for status_class in ("2xx", "4xx", "5xx"):
        API_REQUESTS.labels(status_class)


def _count_response(response: Response) -> Response:
    """after_request: count webhook outcomes (the view names duplicate and stale in g) and API classes."""
    status = response.status_code
    if request.endpoint == "webhooks.receive":
        outcome = "refused" if status >= 400 else g.get("webhook_outcome", EventStatus.ACCEPTED)
        WEBHOOK_DELIVERIES.labels(outcome, str(status)).inc()
    elif request.path.startswith("/api/"):
        API_REQUESTS.labels(f"{status // 100}xx").inc()
    return response


@bp.get("/metrics")
def metrics() -> Response:
    """Aggregate numbers only, so no API token is needed; PASSION_METRICS_TOKEN can still require one."""
    _require_metrics_token()
    encode, content_type = choose_encoder(request.headers.get("Accept", ""))  # text, or OpenMetrics
    body = encode(current_app.extensions["metrics"])
    return Response(body, headers={"Content-Type": content_type, "Cache-Control": "no-store"})


def _require_metrics_token() -> None:
    expected = current_app.config.get("METRICS_TOKEN")
    if not expected:
        return
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    # bytes: compare_digest refuses str holding non-ASCII, and a header may hold latin-1
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected.encode()):
        abort(401, message="Missing or invalid metrics token.", headers={"WWW-Authenticate": "Bearer"})


class DatabaseCollector(Collector):
    """Candidates and write-backs by status, counted at scrape time (runs inside the /metrics request)."""

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("passion_database_up", "1 when the database answered this scrape's queries.")
        try:
            with db.engine.connect() as conn:
                families = _database_families(conn)
        except SQLAlchemyError as exc:
            log.warning("metrics: database unavailable: %s", type(exc).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families


def _database_families(conn: Connection) -> list[Metric]:
    """Short aggregate queries in one transaction; no row-level data leaves the database."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SET LOCAL statement_timeout = {DATABASE_TIMEOUT_MS}")
    candidates = _counts(conn, Candidate.status, tuple(CandidateStatus))
    deliveries = _counts(conn, Analysis.delivery_status, tuple(DeliveryStatus))
    oldest = conn.scalar(select(func.min(func.coalesce(Candidate.queued_at, Candidate.created_at)))
                         .where(Candidate.status.in_(WAITING)))
    return [
        _labelled("passion_candidates", "Candidates by status.", "status", candidates),
        _labelled("passion_analyses", "Analyses by write-back status.", "delivery_status", deliveries),
        GaugeMetricFamily("passion_oldest_waiting_candidate_age_seconds",
                          "Seconds the oldest candidate still waiting for an analysis (queued or "
                          "enqueue_failed) has waited; 0 when none waits.", value=_age(oldest)),
        GaugeMetricFamily("passion_writebacks_dead_lettered",
                          "Write-backs that gave up (delivery_status dead); `passion replay` retries them.",
                          value=deliveries[DeliveryStatus.DEAD]),
        *_connection_families(aggregates(conn)),
    ]


def _connection_families(found: Aggregates) -> list[Metric]:
    """The connections' operations status summed over all of them: which need a look, not which one
    (`passion connections show` or the admin API says that)."""
    return [
        _labelled("passion_connections", "Connections by state.", "state",
                  {"enabled": found.enabled, "disabled": found.disabled}),
        GaugeMetricFamily("passion_connections_reconciliation_failing",
                          "Enabled connections whose newest reconciliation failed.",
                          value=found.reconciliation_failing),
        GaugeMetricFamily("passion_reconciliation_oldest_age_seconds",
                          "Seconds since the least recently reconciled enabled connection that reads its "
                          "CRM last reconciled (since it was made, if never); 0 when none reads a CRM.",
                          value=found.oldest_reconciliation_age),
        GaugeMetricFamily("passion_crm_calls_refused",
                          "CRM calls refused for good (dead-lettered fetches, listings, polls), summed over "
                          "connections.", value=found.crm_refusals),
        GaugeMetricFamily("passion_connections_with_dead_letters",
                          "Connections holding at least one dead-lettered write-back.",
                          value=found.with_dead_letters),
    ]


def _counts(conn: Connection, column: InstrumentedAttribute[str], known: tuple[str, ...]) -> dict[str, int]:
    """Rows per value of a status column, every known value present (at 0 when none)."""
    counts = dict.fromkeys(known, 0)
    for value, count in conn.execute(select(column, func.count()).group_by(column)):
        counts[value] = count
    return counts


def _labelled(name: str, documentation: str, label: str, counts: dict[str, int]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=[label])
    for value, count in sorted(counts.items()):
        family.add_metric([value], count)
    return family


def _age(since: datetime | None) -> float:
    """Seconds since `since`; never negative, since web and worker hosts' clocks may differ."""
    return 0.0 if since is None else max(0.0, (utcnow() - as_utc(since)).total_seconds())


class BrokerCollector(Collector):
    """Tasks waiting in the Celery queue, read from Redis with short timeouts so a scrape never hangs."""

    def __init__(self, broker_url: str, queue: str, backfill_queue: str) -> None:
        self.broker_url = broker_url
        self.queue = queue
        self.backfill_queue = backfill_queue

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("passion_broker_up", "1 when the broker answered this scrape.")
        try:
            client = broker_client(self.broker_url)
            try:
                length = int(client.llen(self.queue))
                backfill = int(client.llen(self.backfill_queue))
            finally:
                client.close()
        except (redis.RedisError, OSError, ValueError) as exc:
            log.warning("metrics: broker unavailable: %s", type(exc).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield GaugeMetricFamily("passion_broker_queue_length",
                                "Tasks waiting in the broker's queue for a worker.", value=length)
        yield GaugeMetricFamily("passion_broker_backfill_queue_length",
                                "Re-analyses after an engine version change waiting in the backfill queue.",
                                value=backfill)
