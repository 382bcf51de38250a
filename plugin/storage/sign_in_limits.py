"""Sign-in rate limits, kept in the database so every web process counts the same attempts.

Attempts are counted per email (an account under a guessing attack) and per client address (one client
trying many accounts or tokens) over a sliding window. An attempt is counted before its password is checked,
so concurrent guesses cannot all pass the check before any is recorded; a success takes its own count back
and clears the email's. Counters are keyed by an HMAC under the app's secret key: no email or address can be
read back from them, even by trying every address."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from plugin.extensions import db
from plugin.storage.models import SignInFailure, utcnow

WINDOW = timedelta(minutes=15)
PER_EMAIL = 5
PER_ADDRESS = 20


def _key(kind: str, value: str) -> str:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def email_key(email: str) -> str:
    return _key("email", email.strip().lower())


def keys(*, email: str | None, address: str | None) -> dict[str, int]:
    """The counters a sign-in attempt falls under, with their limits."""
    found = {email_key(email): PER_EMAIL} if email else {}
    found[_key("address", address or "unknown")] = PER_ADDRESS
    return found


def count_attempt(limits: dict[str, int]) -> list[int]:
    """Count this attempt against every counter (committed); returns its rows, for `succeeded`."""
    db.session.execute(delete(SignInFailure).where(SignInFailure.at < utcnow() - WINDOW))
    rows = [SignInFailure(key_hash=key) for key in limits]
    db.session.add_all(rows)
    db.session.commit()
    return [row.id for row in rows]


def over_limit(limits: dict[str, int]) -> bool:
    """Whether, with this attempt counted, any counter holds more than its limit within the window."""
    since = utcnow() - WINDOW
    rows = db.session.execute(
        select(SignInFailure.key_hash, func.count()).where(SignInFailure.key_hash.in_(list(limits)),
                                                           SignInFailure.at >= since)
        .group_by(SignInFailure.key_hash))
    counts = {key: count for key, count in rows}
    return any(counts.get(key, 0) > limit for key, limit in limits.items())


def succeeded(attempt: list[int], email: str | None) -> None:
    """A sign-in went through: its own count is taken back, and the account's count starts again (the
    address's earlier failures stay, or one account of one's own would reset a run against the others)."""
    gone = SignInFailure.id.in_(attempt)
    if email:
        gone = gone | (SignInFailure.key_hash == email_key(email))
    db.session.execute(delete(SignInFailure).where(gone))
    db.session.commit()
