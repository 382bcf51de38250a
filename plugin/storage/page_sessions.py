"""Server-side records of signed-in browsers: the recruiter pages' cookie names one, sign-out deletes it."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import delete, select

from plugin.extensions import db
from plugin.storage.crypto import hash_token
from plugin.storage.models import Connection, PageSession, utcnow

LIFETIME = timedelta(hours=12)  # a browser signs in again after a working day


def open_session(connection_id: str) -> str:
    """A new session for the connection; returns the random id for the cookie (only its hash is stored)."""
    session_id = secrets.token_urlsafe(32)
    db.session.execute(delete(PageSession).where(PageSession.created_at < utcnow() - LIFETIME))
    db.session.add(PageSession(id_hash=hash_token(session_id), connection_id=connection_id))
    db.session.commit()
    return session_id


def connection_for_session(session_id: str) -> Connection | None:
    """The enabled connection a live session opens, or None (signed out, expired, disabled)."""
    return db.session.scalar(
        select(Connection).join(PageSession, PageSession.connection_id == Connection.id)
        .where(PageSession.id_hash == hash_token(session_id), Connection.enabled,
               PageSession.created_at >= utcnow() - LIFETIME))


def close_session(session_id: str) -> None:
    """Sign this browser out for good: its cookie, copied or not, opens nothing afterwards."""
    db.session.execute(delete(PageSession).where(PageSession.id_hash == hash_token(session_id)))
    db.session.commit()
