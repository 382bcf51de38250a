"""Pages for recruiters: sign in with the connection's API token, browse and filter the pool."""

from __future__ import annotations

from functools import wraps
from typing import Any

from flask import Blueprint, abort, g, redirect, render_template, request, session, url_for

from plugin.api.auth import connection_for_token_hash
from plugin.storage import pool
from plugin.storage.crypto import hash_token
from schemas.catalogue import THEMES, THEMES_BY_ID

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/web")
PAGE_SIZE = 25


def signed_in(view: Any) -> Any:
    """Resolve the session's token to its connection on every request, or go to the sign-in page."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        token_hash = session.get("token_hash")
        connection = connection_for_token_hash(token_hash) if token_hash else None
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
        token_hash = hash_token(request.form.get("token", "").strip())
        if connection_for_token_hash(token_hash) is not None:
            session.clear()
            session["token_hash"] = token_hash
            return redirect(url_for("web.candidates"))
        error = "That token does not open any connection."
    return render_template("sign_in.html", error=error), 401 if error else 200


@bp.post("/sign-out")
def sign_out():  # type: ignore[no-untyped-def]
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
