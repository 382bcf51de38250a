"""The CRM-facing receiver: verify -> parse -> validate -> record -> commit -> enqueue -> 202."""

from __future__ import annotations

import json
import logging

from flask import Blueprint, current_app, jsonify, request
from flask_smorest import abort
from kombu.exceptions import OperationalError as BrokerError
from marshmallow import ValidationError
from werkzeug.wrappers import Response

from plugin import ingest
from plugin.connectors import get_connector
from plugin.connectors.signing import SignatureError
from plugin.extensions import db
from plugin.models import Connection
from schemas.errors import describe_errors, flatten_errors
from workers.tasks import enqueue_analysis

log = logging.getLogger(__name__)
bp = Blueprint("webhooks", __name__)


def _parse_json(body: bytes) -> object:
    try:
        return json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        abort(400, message="Body is not valid UTF-8.")
    except (ValueError, RecursionError):
        abort(400, message="Body is not valid JSON.")


@bp.post("/webhooks/<connection_id>")
def receive(connection_id: str) -> Response | tuple[Response, int]:
    """Accept one CRM delivery; the analysis itself runs in a worker."""
    connection = db.session.get(Connection, connection_id)
    if connection is None:
        abort(404, message="Unknown connection.")
    if not connection.enabled:
        abort(403, message="This connection is disabled.")
    connector = get_connector(connection.provider)
    body = request.get_data(cache=False)
    try:
        delivery_id = connector.verify(connection, request.headers, body, current_app.config)
    except SignatureError as exc:
        log.info("webhook refused connection=%s reason=%s", connection.id, exc)
        abort(401, message=f"Signature verification failed: {exc}.")
    try:
        event = connector.load_event(_parse_json(body))
    except ValidationError as exc:
        flat = flatten_errors(exc.messages)
        log.info("webhook invalid connection=%s delivery=%s fields=%s",
                 connection.id, delivery_id, ",".join(sorted(flat)))
        abort(422, message=describe_errors(flat), errors={"json": flat})
    outcome = ingest.record_event(connection, delivery_id, event)
    if outcome.duplicate:
        return jsonify(status="duplicate", delivery_id=delivery_id), 200
    if outcome.enqueue_version is not None:
        _enqueue_or_503(connection, delivery_id, outcome)
    log.info("webhook accepted connection=%s delivery=%s type=%s candidate=%s enqueued=%s",
             connection.id, delivery_id, event.type, outcome.candidate_id,
             outcome.enqueue_version is not None)
    return jsonify(status="accepted", delivery_id=delivery_id,
                   analysis_queued=outcome.enqueue_version is not None), 202


def _enqueue_or_503(connection: Connection, delivery_id: str, outcome: ingest.Outcome) -> None:
    """Never answer 2xx for work that cannot be found again: without a broker, make the CRM retry."""
    assert outcome.candidate_id is not None and outcome.enqueue_version is not None
    try:
        enqueue_analysis(outcome.candidate_id, outcome.enqueue_version)
    except BrokerError:
        log.warning("broker unavailable connection=%s delivery=%s", connection.id, delivery_id)
        ingest.mark_enqueue_failed(outcome.candidate_id)
        ingest.forget_event(connection, delivery_id)
        abort(503, message="Queue unavailable; retry the delivery later.")
