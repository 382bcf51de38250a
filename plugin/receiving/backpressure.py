"""Back-pressure: while too many analyses wait in the broker's queue, deliveries are answered 503 with
Retry-After, before their body is read, so intake cannot outrun the workers without bound.

Nothing is lost by it: a refused delivery was never stored, and every CRM retries a 503 (Standard Webhooks
senders back off for hours). The queue's length is read from Redis at most every CHECK_SECONDS per process,
so the check costs one LLEN per interval, not one per delivery; a broker that does not answer does not
refuse anything (the receiver's enqueue_failed path and the sweeper cover it).
"""

from __future__ import annotations

import time

import redis
from flask import current_app
from flask_smorest import abort

from plugin.queue import QUEUE
from plugin.redis_client import broker_client

CHECK_SECONDS = 0.5
_EXTENSION = "intake_backlog"


def refuse_when_backlogged() -> None:
    """Abort with 503 + Retry-After when the analysis queue holds PASSION_INTAKE_MAX_BACKLOG tasks or more."""
    limit = int(current_app.config["INTAKE_MAX_BACKLOG"])
    if limit <= 0:
        return
    waiting = backlog()
    if waiting is not None and waiting >= limit:
        retry_after = str(int(current_app.config["INTAKE_RETRY_AFTER_SECONDS"]))
        abort(503, message=f"{waiting} analyses are waiting (limit {limit}); retry later.",
              headers={"Retry-After": retry_after})


def backlog() -> int | None:
    """Tasks waiting in the analysis queue, as read at most CHECK_SECONDS ago; None if the broker failed."""
    state = current_app.extensions.setdefault(_EXTENSION, {"read_at": float("-inf"), "length": None})
    now = time.monotonic()
    if now - state["read_at"] >= CHECK_SECONDS:
        state["read_at"] = now
        state["length"] = _queue_length()
    length: int | None = state["length"]
    return length


def _queue_length() -> int | None:
    client = current_app.extensions.get("intake_broker_client")
    try:
        if client is None:
            client = current_app.extensions["intake_broker_client"] = broker_client(
                current_app.config["BROKER_URL"])
        return int(client.llen(QUEUE))
    except (redis.RedisError, OSError, ValueError):
        return None
