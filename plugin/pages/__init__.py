"""Pages for recruiters: sign in with the connection's API token; find, understand and act on candidates.

The cookie names a server-side page session (plugin/storage/page_sessions.py), so signing out revokes it;
every form carries a CSRF token (Flask-WTF), sign-in and sign-out included, so another site cannot sign a
recruiter in to its own connection's pool or out of theirs. Headers: plugin/security.py. The pool page, its
CSV export and the API read the same filter schema and run the same queries (plugin/storage/pool.py).
What the pages show and do: docs/workspace.md."""

from __future__ import annotations

from functools import wraps
from typing import Any
from urllib.parse import parse_qsl

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFError
from kombu.exceptions import OperationalError as BrokerError
from werkzeug.exceptions import HTTPException

from plugin.api.auth import connection_for_token_hash
from plugin.api.candidates import queue_reanalysis
from plugin.explanation import explain
from plugin.extensions import csrf
from plugin.pages import export, filters, operations, profile, suggestions, wording
from plugin.storage import audit, page_sessions, pool, recruiters, sign_in_limits
from plugin.storage.connection_status import status_of
from plugin.storage.crypto import hash_token
from schemas.catalogue import THEMES

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/web")
PAGE_SIZE = 25
AUDIT_PAGE_SIZE = 50
SESSION_KEY = "page_session"
LABELS = profile.LABELS


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


@bp.errorhandler(HTTPException)
def _error_page(error: HTTPException):  # type: ignore[no-untyped-def]
    """A page in words for a person, where the API answers JSON; an unhandled error reaches here as a
    500 (Flask logs it first)."""
    return render_template("error.html", code=error.code, name=error.name), error.code or 500


def signed_in(view: Any) -> Any:
    """Resolve the session's page session to its connection (and recruiter) on every request, or go to the
    sign-in page."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        session_id = session.get(SESSION_KEY)
        found = page_sessions.signed_in_as(session_id) if session_id else None
        if found is None:
            session.clear()
            return redirect(url_for("web.sign_in"))
        g.connection, g.recruiter = found
        return view(*args, **kwargs)

    return wrapper


@bp.route("/", methods=["GET", "POST"])
def sign_in():  # type: ignore[no-untyped-def]
    """A recruiter's email and password, or (for administrators) the connection's API token; refused
    sign-ins are counted per email and per client address, and past the limit nothing is checked."""
    if request.method == "GET":
        return render_template("sign_in.html")
    email = request.form.get("email", "").strip()
    limits = sign_in_limits.keys(email=email or None, address=request.remote_addr)
    attempt = sign_in_limits.count_attempt(limits)  # before the check: parallel guesses are all counted
    if sign_in_limits.over_limit(limits):
        return render_template("sign_in.html", error="Too many refused sign-ins: wait 15 minutes and try "
                                                     "again."), 429
    opened = _account(email) if email else _token()
    if opened is None:
        return render_template("sign_in.html", error="That email and password do not match an account."
                               if email else "That token does not open any connection."), 401
    sign_in_limits.succeeded(attempt, email or None)
    session.clear()  # a fresh session (and CSRF token) after sign-in: no fixation
    session[SESSION_KEY] = page_sessions.open_session(opened[0], recruiter_id=opened[1])
    return redirect(url_for("web.candidates"))


def _account(email: str) -> tuple[str, int | None] | None:
    recruiter = recruiters.authenticate(email, request.form.get("password", ""))
    return (recruiter.connection_id, recruiter.id) if recruiter else None


def _token() -> tuple[str, int | None] | None:
    connection = connection_for_token_hash(hash_token(request.form.get("token", "").strip()))
    return (connection.id, None) if connection else None


@bp.post("/sign-out")
def sign_out():  # type: ignore[no-untyped-def]
    session_id = session.get(SESSION_KEY)
    if session_id:
        page_sessions.close_session(session_id)
    session.clear()
    return redirect(url_for("web.sign_in"))


@bp.get("/favicon.ico")
def favicon():  # type: ignore[no-untyped-def]
    return redirect(url_for("web.static", filename="favicon.svg"), code=301)


@bp.get("/pool")
@signed_in
def candidates():  # type: ignore[no-untyped-def]
    """The pool: the filters of the query string, one page of the result, and facet counts."""
    found = filters.load(request.args)
    canonical = found.query(page=found.page if found.page > 1 else None)
    sent = request.query_string.decode("utf-8", "replace")
    if not found.errors and parse_qsl(canonical) != parse_qsl(sent):
        # what a form sent (blank fields, the default order) becomes the short URL worth sharing
        return redirect(url_for("web.candidates") + ("?" + canonical if canonical else ""))
    query = pool.filtered(g.connection.id, **found.values)
    counted = pool.facets(query)  # the count with the facet counts, in one statement
    rows, total = pool.page(query, page=found.page, page_size=PAGE_SIZE, total=counted.total)
    return render_template("candidates.html", rows=rows, total=total, page=found.page,
                           pages=max(1, -(-total // PAGE_SIZE)), themes=THEMES, labels=LABELS,
                           filters=found, counts=counted.passions,
                           skills=suggestions.skill_labels(g.connection.id),
                           dead=pool.dead_write_backs(row.id for row in rows),
                           export_limit=export.EXPORT_LIMIT,
                           operations=operations.lines(status_of(g.connection))), 400 if found.errors else 200


@bp.get("/pool.csv")
@signed_in
def export_csv():  # type: ignore[no-untyped-def]
    """The current result as CSV (the first EXPORT_LIMIT rows), under the same filters as the page."""
    found = filters.load(request.args)
    if found.errors:
        abort(400)
    rows, _total = pool.page(pool.filtered(g.connection.id, **found.values), page=1,
                             page_size=export.EXPORT_LIMIT)
    return Response(export.to_csv(rows, LABELS), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="candidates.csv"'})


def candidate_or_404(external_id: str) -> Any:
    """A candidate of the signed-in connection, or the 404 page (another connection's included)."""
    found = pool.get_candidate(g.connection.id, external_id)
    if found is None:
        abort(404)
    return found


@bp.get("/pool/<path:external_id>")  # CRM ids may contain "/"
@signed_in
def candidate(external_id: str):  # type: ignore[no-untyped-def]
    """One candidate: name and CRM link, the passion profile, the evidence by job, skills, states."""
    return render_template("candidate.html", **profile.context(g.connection, candidate_or_404(external_id)),
                           panel=False)


@bp.post("/pool/<path:external_id>/reanalyze")
@signed_in
def reanalyze(external_id: str):  # type: ignore[no-untyped-def]
    """The API's re-analysis, from a button; back to the profile, which shows the new state."""
    found = candidate_or_404(external_id)
    try:
        queue_reanalysis(found, by=audit.on_pages(g.recruiter.id if g.recruiter else None))
        flash(f"Re-analysis requested at {wording.when(found.queued_at)}.")
    except BrokerError:
        flash("The task queue is unavailable; the analysis is queued again automatically within a few "
              "minutes.")
    return redirect(url_for("web.candidate", external_id=found.external_id))


@bp.get("/explanations/<path:external_id>")  # not under /pool/<id>/: an id may end in "/explanation"
@signed_in
def explanation(external_id: str):  # type: ignore[no-untyped-def]
    """The explanation of the candidate's themes, to print or hand to them: the API's, as a page."""
    return render_template("explanation.html", explained=explain(candidate_or_404(external_id)),
                           when=wording.when)


@bp.get("/audit")
@signed_in
def audit_log():  # type: ignore[no-untyped-def]
    """The connection's audit log, newest first, a page at a time."""
    page = max(1, request.args.get("page", 1, type=int) or 1)
    rows, total = pool.page(audit.newest_first(g.connection.id), page=page, page_size=AUDIT_PAGE_SIZE)
    return render_template("audit.html", rows=rows, crm_ids=audit.crm_ids(rows), page=page,
                           pages=max(1, -(-total // AUDIT_PAGE_SIZE)), total=total,
                           who=wording.audit_who, what=wording.audit_what, when=wording.when)
