"""The embedded CRM panel: one candidate's profile, read-only, inside the CRM's side panel (an iframe).

The signed, expiring URL is the credential (plugin/panel/links.py): no sign-in, no cookie (a third-party
iframe would need SameSite=None for one), no form, no link to the pool or to any other candidate. It
opens only if the connection is enabled and the candidate is still the one it was issued for (an erased
and re-sent candidate is a new row). It may be framed by the connection's `frame_ancestors` origins and
no others (plugin/security.py). What it shows and how to set it up: docs/workspace.md."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, g, make_response, render_template

from plugin.extensions import db
from plugin.pages import profile
from plugin.panel.links import claim_of
from plugin.security import panel_policy
from plugin.storage import pool
from plugin.storage.models import Connection

bp = Blueprint("panel", __name__, template_folder="templates")


@bp.get("/panel/<token>")
def candidate(token: str) -> Response:
    """The profile a panel token names, framed by its connection's origins; 404 for a changed or foreign
    token, 410 once it expired or the candidate was erased."""
    claim = claim_of(token)
    connection = db.session.get(Connection, claim.connection_id) if claim else None
    if claim is None or connection is None or not connection.enabled:
        return _answer(None, render_template("panel/refused.html", code=404), 404)
    if claim.expired:
        return _answer(connection, render_template("panel/refused.html", code=410, expired=True), 410)
    found = pool.get_candidate(connection.id, claim.external_id)
    if found is None or not claim.names(found):
        return _answer(connection, render_template("panel/refused.html", code=410), 410)
    g.panel_connection = connection
    return _answer(connection, render_template("panel/profile.html", **profile.context(connection, found),
                                               panel=True), 200)


def _answer(connection: Connection | None, body: str, status: int) -> Response:
    response = make_response(body, status)
    origins = connection.frame_ancestor_origins if connection else []
    response.headers["Content-Security-Policy"] = panel_policy(origins)
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

