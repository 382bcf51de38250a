"""A Redis client for the Celery broker's URL that fails fast: /metrics, the CRM rate gates and intake's
back-pressure use it."""

from __future__ import annotations

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

BROKER_TIMEOUT_SECONDS = 1.0  # a scrape must answer well within Prometheus's 10 s scrape timeout


def broker_client(url: str) -> redis.Redis:
    """A Redis client for a Celery broker URL (redis://, rediss:// or redis+socket://), failing fast."""
    options = {"socket_timeout": BROKER_TIMEOUT_SECONDS,
               "socket_connect_timeout": BROKER_TIMEOUT_SECONDS, "retry": Retry(NoBackoff(), 0)}
    if url.startswith("redis+socket://"):
        path = url.removeprefix("redis+socket://").partition("?")[0]
        return redis.Redis(unix_socket_path=path, **options)  # type: ignore[arg-type]
    return redis.Redis.from_url(url, **options)
