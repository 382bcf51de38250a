"""The worksheet blueprint, its headers and its CSRF check; routes: views.py (candidate), recruiter.py."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_wtf.csrf import CSRFError

from plugin.extensions import csrf

bp = Blueprint("worksheet", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/worksheet")

# plugin/security.py's page policy plus our own script and its same-origin autosave requests
CONTENT_POLICY = ("default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; "
                  "img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


@bp.after_request
def _headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CONTENT_POLICY
    response.headers["X-Robots-Tag"] = "noindex, nofollow"  # a personal link must never be indexed
    return response


@bp.errorhandler(CSRFError)
def _refuse_forged_form(_error: CSRFError):  # type: ignore[no-untyped-def]
    """Nothing saved: the form expired (a new browser session) or came from another site."""
    return render_template("worksheet/refused.html", title="Please reload the page",
                           message="This form expired or did not come from this site. Reload the page "
                                   "and try again: what you saved before is still there."), 400



@bp.before_request
def _check_csrf() -> None:
    """Every form and autosave posts a CSRF token tied to the browser's session."""
    if request.method == "POST":
        csrf.protect()
