"""gunicorn's access log without query strings, candidate ids or credentials.

A query string can carry a token (`?access_token=`) or a skill a recruiter searched for, and the paths of
`/api/candidates/<id>` and `/pool/<id>` carry CRM ids that may be emails. Each line names the route's
pattern instead (the app puts it in the WSGI environ: plugin/__init__.py), or the bare path when no route
matched. Selected in gunicorn_conf.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from plugin.logging_setup import ACCESS_LOG_ROUTE_KEY

SAFE_ATOMS = ("h", "l", "t", "s", "m", "H", "b", "B", "a", "T", "D", "M", "L", "p")


def logged_path(environ: dict[str, Any]) -> str:
    """The matched route's pattern, else the path without its query string."""
    return str(environ.get(ACCESS_LOG_ROUTE_KEY) or environ.get("PATH_INFO") or "-")


class RedactingLogger(Logger):
    """Only the atoms that hold no personal data or secret; request headers and environ are left out."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        full = super().atoms(resp, req, environ, request_time)
        path = logged_path(environ)
        kept = {key: full[key] for key in SAFE_ATOMS}
        kept.update(u="-", U=path, q="-", f="-",
                    r=f"{environ.get('REQUEST_METHOD', '-')} {path} {environ.get('SERVER_PROTOCOL', '-')}")
        return kept
