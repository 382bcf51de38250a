"""The skill field's suggestions, kept a minute per connection in each web process: they are the same for
every search, and reading them from every candidate's tags would cost more than the search itself."""

from __future__ import annotations

import time
from threading import Lock

from plugin.storage import pool

TTL_SECONDS = 60.0
_cache: dict[str, tuple[float, list[str]]] = {}
_lock = Lock()


def skill_labels(connection_id: str) -> list[str]:
    now = time.monotonic()
    with _lock:
        cached = _cache.get(connection_id)
    if cached is not None and cached[0] > now:
        return cached[1]
    labels = pool.skill_labels(connection_id)
    with _lock:
        _cache[connection_id] = (now + TTL_SECONDS, labels)
    return labels
