"""Sign-in rate limits, kept in the database so every web process counts the same failures.

Failures are counted per email (an account under a guessing attack) and per client address (one client
trying many accounts or tokens) over a sliding window; a success for an email clears its count."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select

from plugin.extensions import db
from plugin.storage.crypto import hash_token
from plugin.storage.models import SignInFailure, utcnow

WINDOW = timedelta(minutes=15)
PER_EMAIL = 5
PER_ADDRESS = 20


def email_key(email: str) -> str:
    """An email's counter (hashed: no emails are stored here)."""
    return hash_token("email:" + email.strip().lower())


def keys(*, email: str | None, address: str | None) -> dict[str, int]:
    """The counters a sign-in attempt falls under, with their limits."""
    found = {email_key(email): PER_EMAIL} if email else {}
    found[hash_token("address:" + (address or "unknown"))] = PER_ADDRESS
    return found


def blocked(limits: dict[str, int]) -> bool:
    """Whether any counter is at its limit within the window."""
    since = utcnow() - WINDOW
    rows = db.session.execute(
        select(SignInFailure.key_hash, func.count()).where(SignInFailure.key_hash.in_(list(limits)),
                                                           SignInFailure.at >= since)
        .group_by(SignInFailure.key_hash))
    counts = {key: count for key, count in rows}
    return any(counts.get(key, 0) >= limit for key, limit in limits.items())


def record_failure(limits: dict[str, int]) -> None:
    db.session.execute(delete(SignInFailure).where(SignInFailure.at < utcnow() - WINDOW))
    db.session.add_all(SignInFailure(key_hash=key) for key in limits)
    db.session.commit()


def clear_email(email: str) -> None:
    """After a successful sign-in: the account's count starts again (the address's does not, or one
    account of one's own would reset a guessing run against the others)."""
    db.session.execute(delete(SignInFailure).where(SignInFailure.key_hash == email_key(email)))
    db.session.commit()
