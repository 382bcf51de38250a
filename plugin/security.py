"""What every answer carries for browsers, and which requests count as https.

- `Secure` session cookies whenever the request came over https (SESSION_COOKIE_SECURE forces it always).
  Behind a TLS-terminating proxy, https is learnt from X-Forwarded-Proto only when PASSION_PROXY_HOPS says
  how many proxies set it; otherwise that header is anyone's to send and is ignored.
- CSP, frame-ancestors and X-Frame-Options (no framing, so no clickjacking), nosniff, no referrer to
  other sites (URLs hold candidate ids and panel tokens), and `Cache-Control: no-store` on everything but
  static files: pages and API answers hold personal data that must not stay in a shared browser's or a
  proxy's cache.
- CSRF tokens (Flask-WTF) for the pages' forms; the receiver (signed) and the API (bearer token, no
  cookie) need none, so checking is per blueprint (plugin/pages).
- The CRM panel (plugin/panel) alone may be framed, by its connection's origins only (`panel_policy`),
  and then sends no X-Frame-Options, which cannot name origins.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from plugin.extensions import csrf

# pages: our own stylesheet and nothing else; forms post only to us
PAGE_POLICY = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
               "frame-ancestors 'none'; base-uri 'none'")
# flask-smorest's Swagger UI page starts the bundled UI with an inline script; it shows no personal data
DOCS_POLICY = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
               "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'")
DOCS_ENDPOINTS = {"api-docs.openapi_swagger_ui"}
NO_FRAMING = "frame-ancestors 'none'"


def panel_policy(origins: list[str]) -> str:
    """The pages' policy, framed by these origins only ('none' without any); a view sets it."""
    return PAGE_POLICY.replace(NO_FRAMING, "frame-ancestors " + (" ".join(origins) or "'none'"))


class HttpsAwareSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, marked Secure when the request itself came over https."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def _is_static(endpoint: str | None) -> bool:
    return endpoint is not None and (endpoint == "static" or endpoint.endswith(".static"))


def add_security_headers(response: Response) -> Response:
    """after_request: the headers above, without overriding what a view chose."""
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    # same-origin: no URL (they hold candidate ids) leaks to other sites, and Flask-WTF's https check of
    # the Referer on our own forms still works
    headers.setdefault("Referrer-Policy", "same-origin")
    policy = DOCS_POLICY if request.endpoint in DOCS_ENDPOINTS else PAGE_POLICY
    if NO_FRAMING in headers.setdefault("Content-Security-Policy", policy):
        # X-Frame-Options has no list of origins: only an answer nobody may frame says DENY
        headers.setdefault("X-Frame-Options", "DENY")
    if not _is_static(request.endpoint):
        headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    hops = int(app.config["PROXY_HOPS"])
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    app.session_interface = HttpsAwareSessionInterface()
    csrf.init_app(app)
    app.after_request(add_security_headers)
