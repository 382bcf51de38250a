"""Logging configured once per process; records carry ids, never personal data."""

from __future__ import annotations

import logging.config


def configure_logging(level: str = "INFO") -> None:
    """One plain format for web, worker and CLI processes."""
    logging.config.dictConfig({
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
        "root": {"level": level.upper(), "handlers": ["stderr"]},
    })


# The WSGI environ key where the app leaves the matched route's pattern, so the web server's access log
# can name the route instead of a path holding a candidate id (plugin/cli/access_log.py).
ACCESS_LOG_ROUTE_KEY = "passion.route"


def record_route_for_access_log() -> None:
    """before_request: put the matched URL rule (e.g. /pool/<path:external_id>) in the environ."""
    from flask import request

    request.environ[ACCESS_LOG_ROUTE_KEY] = request.url_rule.rule if request.url_rule else None
