"""Pages for recruiters: sign in with the connection's API token, browse and filter the pool.

The cookie names a server-side page session (plugin/storage/page_sessions.py), so signing out revokes it;
every form carries a CSRF token (Flask-WTF), sign-in and sign-out included, so another site cannot sign a
recruiter in to its own connection's pool or out of theirs. Headers: plugin/security.py."""

from __future__ import annotations

from functools import wraps
from typing import Any

from flask import Blueprint, abort, g, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError

from plugin.api.auth import connection_for_token_hash
from plugin.extensions import csrf
from plugin.storage import page_sessions, pool
from plugin.storage.crypto import hash_token
from schemas.catalogue import THEMES, THEMES_BY_ID

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/web")
PAGE_SIZE = 25


SESSION_KEY = "page_session"


@bp.before_request
def _check_csrf() -> None:
    """Every form of these pages posts a CSRF token tied to the browser's session."""
    if request.method == "POST":
        csrf.protect()


@bp.errorhandler(CSRFError)
def _refuse_forged_form(_error: CSRFError):  # type: ignore[no-untyped-def]
    """Changes nothing: a forged sign-out must not sign anyone out either."""
    return render_template("sign_in.html", error="This form expired or did not come from this site; "
                                                 "try again."), 400


def signed_in(view: Any) -> Any:
    """Resolve the session's page session to its connection on every request, or go to the sign-in page."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        session_id = session.get(SESSION_KEY)
        connection = page_sessions.connection_for_session(session_id) if session_id else None
        if connection is None:
            session.clear()
            return redirect(url_for("web.sign_in"))
        g.connection = connection
        return view(*args, **kwargs)

    return wrapper


@bp.route("/", methods=["GET", "POST"])
def sign_in():  # type: ignore[no-untyped-def]
    """The API token is the recruiter's key to their connection's pool."""
    error = None
    if request.method == "POST":
        connection = connection_for_token_hash(hash_token(request.form.get("token", "").strip()))
        if connection is not None:
            session.clear()  # a fresh session (and CSRF token) after sign-in: no fixation
            session[SESSION_KEY] = page_sessions.open_session(connection.id)
            return redirect(url_for("web.candidates"))
        error = "That token does not open any connection."
    return render_template("sign_in.html", error=error), 401 if error else 200


@bp.post("/sign-out")
def sign_out():  # type: ignore[no-untyped-def]
    session_id = session.get(SESSION_KEY)
    if session_id:
        page_sessions.close_session(session_id)
    session.clear()
    return redirect(url_for("web.sign_in"))


@bp.get("/pool")
@signed_in
def candidates():  # type: ignore[no-untyped-def]
    """The pool, filtered by passion themes (all must hold) and aversions."""
    themes = [t for t in request.args.getlist("theme") if t in THEMES_BY_ID]
    aversions = [t for t in request.args.getlist("aversion") if t in THEMES_BY_ID]
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    query = pool.filtered(g.connection.id, themes=themes, aversions=aversions)
    rows, total = pool.page(query, page=page, page_size=PAGE_SIZE)
    return render_template("candidates.html", rows=rows, total=total, page=page,
                           pages=max(1, -(-total // PAGE_SIZE)), themes=THEMES,
                           labels=THEMES_BY_ID, selected=set(themes), avoided=set(aversions),
                           counts=pool.passion_counts(g.connection.id))


@bp.get("/pool/<path:external_id>")  # CRM ids may contain "/"
@signed_in
def candidate(external_id: str):  # type: ignore[no-untyped-def]
    """One candidate: the themes with the phrases behind them, and the write-back state."""
    found = pool.get_candidate(g.connection.id, external_id)
    if found is None:
        abort(404)
    return render_template("candidate.html", candidate=found, analysis=found.latest_analysis,
                           labels=THEMES_BY_ID)
