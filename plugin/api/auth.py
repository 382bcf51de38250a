"""Bearer-token authentication: each token belongs to one connection and sees only its candidates."""

from __future__ import annotations

from flask import g, request
from flask_smorest import abort
from sqlalchemy import select

from plugin.extensions import db
from plugin.storage import pool
from plugin.storage.crypto import hash_token
from plugin.storage.models import Candidate, Connection

SECURITY_SCHEME = {"type": "http", "scheme": "bearer",
                   "description": "The API token printed when the connection was created."}


def connection_for_token_hash(token_hash: str) -> Connection | None:
    """The enabled connection a token (by its hash) opens; API and pages share this rule."""
    return db.session.scalar(select(Connection).where(Connection.token_hash == token_hash,
                                                      Connection.enabled))


def load_connection_from_token() -> None:
    """before_request hook: set g.connection or answer 401."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        abort(401, message="Missing bearer token.", headers={"WWW-Authenticate": "Bearer"})
    connection = connection_for_token_hash(hash_token(token.strip()))
    if connection is None:
        abort(401, message="Invalid bearer token.", headers={"WWW-Authenticate": "Bearer"})
    g.connection = connection


def current_connection() -> Connection:
    return g.connection


def own_candidate_or_404(external_id: str) -> Candidate:
    """A candidate of the token's connection; any other connection's is as absent as one never sent."""
    candidate = pool.get_candidate(current_connection().id, external_id)
    if candidate is None:
        abort(404, message="No such candidate.")
    return candidate
