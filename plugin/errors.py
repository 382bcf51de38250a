"""Errors outside flask-smorest's reach, answered in its JSON shape ({code, status, message})."""

from __future__ import annotations

import logging

from cryptography.fernet import InvalidToken
from flask import Flask, jsonify
from kombu.exceptions import OperationalError as BrokerError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.wrappers import Response

from plugin.extensions import db

log = logging.getLogger(__name__)


def _database_unavailable(error: Exception) -> tuple[Response, int]:
    """The sender retries a 503; nothing was committed, since the failed transaction rolled back."""
    db.session.rollback()
    log.warning("database unavailable: %s", type(error).__name__)
    return _unavailable("Database unavailable; retry later.")


def _unavailable(message: str) -> tuple[Response, int]:
    body = jsonify(code=503, status="Service Unavailable", message=message)
    body.headers["Retry-After"] = "5"
    return body, 503


def _is_disconnect(error: DBAPIError) -> bool:
    return bool(error.connection_invalidated) or isinstance(error, OperationalError)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DBAPIError)
    def _on_database_error(error: DBAPIError):  # type: ignore[no-untyped-def]
        if _is_disconnect(error):
            return _database_unavailable(error)
        raise error

    @app.errorhandler(InvalidToken)
    def _on_undecryptable_secret(_error: InvalidToken):  # type: ignore[no-untyped-def]
        log.error("stored secrets cannot be decrypted: PASSION_SECRET_KEY differs from the key "
                  "they were encrypted with")
        return jsonify(code=500, status="Internal Server Error",
                       message="Server misconfigured: stored secrets cannot be decrypted."), 500

    @app.errorhandler(BrokerError)
    def _on_broker_error(error: BrokerError):  # type: ignore[no-untyped-def]
        log.warning("broker unavailable: %s", type(error).__name__)
        return _unavailable("Queue unavailable; retry later.")
