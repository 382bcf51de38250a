"""One rate gate per CRM connection, shared by every worker process through Redis.

The gate holds two things: a block (no call before a moment the CRM named, through `Retry-After`,
`X-RateLimit-Reset` or `X-RateLimit-Remaining: 0`, each also spelt `X-Rate-Limit-*`) and a fixed-window
counter sized by the CRM's own `X-RateLimit-Limit` once it has sent one. Both use the Redis server's
clock, so workers on different hosts agree on "now". A call that may not go yet is told how long to
wait; nothing here sleeps.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import redis

_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local blocked = tonumber(redis.call('GET', KEYS[1]) or '0')
if blocked > now then return tostring(blocked - now) end
local window = tonumber(ARGV[1])
local limit = tonumber(redis.call('GET', KEYS[3]) or ARGV[2])
local index = math.floor(now / window)
local key = KEYS[2] .. ':' .. index
if tonumber(redis.call('GET', key) or '0') >= limit then return tostring((index + 1) * window - now) end
if redis.call('INCR', key) == 1 then redis.call('EXPIRE', key, math.ceil(window) * 2) end
return '0'
"""

_BLOCK = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local ends = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if ends > current then
  redis.call('SET', KEYS[1], tostring(ends), 'PX', math.ceil(tonumber(ARGV[1]) * 1000) + 1000)
end
return tostring(ends)
"""

_DIGITS = frozenset("0123456789")
EARLIEST_UNIX_SECONDS = 1_000_000_000.0  # 2001-09-09: a reset below it is a delay, not a moment
MAX_HOLD_SECONDS = 3600.0  # the longest a CRM's answer may hold its connection's calls back


def _header(headers: Mapping[str, str], name: str) -> str:
    """A header's value; an `x-ratelimit-*` name also matches its `x-rate-limit-*` spelling (Workable's)."""
    names = {name, name.replace("x-ratelimit-", "x-rate-limit-")}
    return next((v for k, v in headers.items() if k.lower() in names), "").strip()


def _seconds(value: str) -> float | None:
    """A non-negative integer of ASCII digits ("²" passes str.isdigit() and then breaks float())."""
    if value and len(value) <= 12 and set(value) <= _DIGITS:
        return float(value)
    return None


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Retry-After in seconds, from either form RFC 9110 allows (delay-seconds or an HTTP date)."""
    value = _header(headers, "retry-after")
    seconds = _seconds(value) if len(value) <= 9 else None  # beyond 31 years is not a delay but a typo
    if seconds is not None:
        return seconds
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def reset_in(headers: Mapping[str, str], *, now: float) -> float | None:
    """Seconds until `X-RateLimit-Reset`: a Unix timestamp in Greenhouse's documentation; a value too
    small to be one (before 2001) is read as seconds from now (Workable does not say which it sends)."""
    stamp = _seconds(_header(headers, "x-ratelimit-reset"))
    if stamp is None:
        return None
    return stamp if stamp < EARLIEST_UNIX_SECONDS else max(0.0, stamp - now)


@dataclass(frozen=True)
class RateGate:
    """The gate of one connection: `acquire()` before each call, `observe()` after each answer."""

    client: redis.Redis
    name: str  # e.g. "greenhouse:con_…"
    window_seconds: float = 10.0
    default_limit: int = 50

    def _keys(self) -> tuple[str, str, str]:
        base = f"passion:ratelimit:{self.name}"
        return f"{base}:blocked", f"{base}:window", f"{base}:limit"

    def acquire(self) -> float:
        """0 when a call may go now (and it is counted); otherwise the seconds to wait first."""
        wait = self.client.eval(_ACQUIRE, 3, *self._keys(), self.window_seconds, self.default_limit)
        return max(0.0, float(wait))

    def block(self, seconds: float) -> None:
        """No call through this gate for `seconds`, unless it is already blocked for longer."""
        if seconds > 0:
            self.client.eval(_BLOCK, 1, self._keys()[0], seconds)

    def observe(self, status: int, headers: Mapping[str, str], *, now: float) -> float | None:
        """Learn from an answer: its limit, and how long to hold every call back (returned when it
        says so: 429 with Retry-After or a reset time, or no call left in the window)."""
        limit = _seconds(_header(headers, "x-ratelimit-limit"))
        if limit:
            self.client.set(self._keys()[2], int(limit), ex=3600)
        hold: float | None = None
        if status == 429:
            told = [v for v in (retry_after(headers), reset_in(headers, now=now)) if v is not None]
            hold = max(told) if told else self.window_seconds
        elif _seconds(_header(headers, "x-ratelimit-remaining")) == 0:
            hold = reset_in(headers, now=now) or self.window_seconds
        if hold is not None:
            # a CRM's odd header (a year in seconds, a reset time far off) must not stop a tenant for good
            hold = min(math.ceil(hold * 1000) / 1000, MAX_HOLD_SECONDS)
            self.block(hold)
        return hold
