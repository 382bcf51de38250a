"""Worksheet URLs: the link id signed with the app's secret key (itsdangerous, compared in constant
time), so a changed or made-up URL is refused before any lookup; the row decides expiry and revocation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from plugin.storage import worksheets
from plugin.storage.models import as_utc
from schemas.candidate_worksheet import DEFAULT_LINK_DAYS

SALT = "passion-tagger worksheet link"
WRITE_BACK_MIN_DAYS_LEFT = 7


@dataclass(frozen=True)
class IssuedLink:
    link_id: str
    url: str
    expires_at: datetime


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def token_for(link_id: str) -> str:
    return str(_serializer().dumps(link_id))


def link_id_from(token: str) -> str | None:
    """The link id a token carries, or None when its signature does not verify."""
    if len(token) > 200:
        return None
    try:
        value = _serializer().loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, str) else None


def url_of(link_id: str) -> str:
    return current_app.config["PUBLIC_URL"].rstrip("/") + "/worksheet/" + token_for(link_id)


def issue(candidate_id: int, *, days: int) -> IssuedLink:
    """A new link for the candidate, with the absolute URL to send them."""
    link = worksheets.new_link(candidate_id, days=days)
    return IssuedLink(link.id, url_of(link.id), as_utc(link.expires_at))


def write_back_url(candidate_id: int) -> str | None:
    """The link a write-back puts in the CRM's field, for the CRM's own email templates: the newest one
    with a week or more to run, else a new one flushed into the caller's transaction (committed with it);
    None while a withdrawn link would still run, so a write-back never undoes a recruiter's withdrawal."""
    link = worksheets.reusable_link(candidate_id, days_left=WRITE_BACK_MIN_DAYS_LEFT)
    if link is None:
        if worksheets.withdrawn_and_unexpired(candidate_id):
            return None
        link = worksheets.new_link(candidate_id, days=DEFAULT_LINK_DAYS, commit=False)
    return url_of(link.id)
