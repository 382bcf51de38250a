"""Panel URLs: which candidate of which connection, and until when, signed with the app's secret key under
a salt of their own (itsdangerous, compared in constant time), so no other signed value of ours opens a
panel and a changed URL is refused before any lookup. Nothing is stored: a link cannot be withdrawn, which
is why it lives minutes (PANEL_LINK_MINUTES), not days."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from plugin.storage.models import Candidate, as_utc

SALT = "passion-tagger crm panel"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_TOKEN_CHARS = 1_000


@dataclass(frozen=True)
class PanelLink:
    url: str
    expires_at: datetime


@dataclass(frozen=True)
class PanelClaim:
    """What a verified token names; `expired` tokens still name their connection, for the framing policy."""

    connection_id: str
    external_id: str
    row: tuple[int, int]  # the row's id and creation time: SQLite may give an erased row's id again
    expired: bool

    def names(self, candidate: Candidate) -> bool:
        """Whether the candidate found by CRM id is still the row this token was issued for."""
        return self.row == row_of(candidate)


def row_of(candidate: Candidate) -> tuple[int, int]:
    return candidate.id, (as_utc(candidate.created_at) - EPOCH) // timedelta(microseconds=1)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def issue(candidate: Candidate, *, minutes: int | None = None) -> PanelLink:
    """A URL that opens this candidate's panel until now + minutes (PANEL_LINK_MINUTES by default)."""
    expires = int(time.time()) + 60 * (minutes or int(current_app.config["PANEL_LINK_MINUTES"]))
    token = _serializer().dumps([candidate.connection_id, candidate.external_id, *row_of(candidate), expires])
    url = current_app.config["PUBLIC_URL"].rstrip("/") + "/panel/" + str(token)
    return PanelLink(url, datetime.fromtimestamp(expires, UTC))


def claim_of(token: str) -> PanelClaim | None:
    """What a token names, or None when its signature does not verify (or it is not one of ours)."""
    if len(token) > MAX_TOKEN_CHARS:
        return None
    try:
        value = _serializer().loads(token)
    except BadSignature:
        return None
    match value:
        case [str(connection_id), str(external_id), int(row_id), int(created), int(expires)]:
            return PanelClaim(connection_id, external_id, (row_id, created), expired=time.time() >= expires)
    return None
