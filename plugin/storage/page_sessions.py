"""Server-side records of signed-in browsers: the recruiter pages' cookie names one, sign-out deletes it."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import delete, select

from plugin.extensions import db
from plugin.storage.crypto import hash_token
from plugin.storage.models import Connection, PageSession, Recruiter, utcnow

LIFETIME = timedelta(hours=12)  # a browser signs in again after a working day


def open_session(connection_id: str, *, recruiter_id: int | None = None) -> str:
    """A new session for the connection (and the recruiter who signed in, None for the API token);
    returns the random id for the cookie (only its hash is stored)."""
    session_id = secrets.token_urlsafe(32)
    db.session.execute(delete(PageSession).where(PageSession.created_at < utcnow() - LIFETIME))
    db.session.add(PageSession(id_hash=hash_token(session_id), connection_id=connection_id,
                               recruiter_id=recruiter_id))
    db.session.commit()
    return session_id


def signed_in_as(session_id: str) -> tuple[Connection, Recruiter | None] | None:
    """The connection and the recruiter (None: the API token) of a live session, or None when it is
    signed out, expired, or its connection or recruiter is disabled."""
    row = db.session.execute(
        select(Connection, Recruiter).join(PageSession, PageSession.connection_id == Connection.id)
        .outerjoin(Recruiter, Recruiter.id == PageSession.recruiter_id)
        .where(PageSession.id_hash == hash_token(session_id), Connection.enabled,
               PageSession.created_at >= utcnow() - LIFETIME)).first()
    if row is None or (row[1] is not None and not row[1].enabled):
        return None
    return row[0], row[1]


def close_session(session_id: str) -> None:
    """Sign this browser out for good: its cookie, copied or not, opens nothing afterwards."""
    db.session.execute(delete(PageSession).where(PageSession.id_hash == hash_token(session_id)))
    db.session.commit()
