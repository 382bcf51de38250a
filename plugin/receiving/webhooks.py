"""The CRM-facing receiver: read -> verify -> parse -> validate -> record -> commit -> enqueue -> 202.

One transaction per accepted delivery: the connection is a per-process copy (plugin/receiving/senders.py)
whose row the event's insert checks, and the insert, the candidate's change and the commit follow.

A plain Flask blueprint, since the signature covers the raw body; plugin/api/webhook_docs.py describes it in
the OpenAPI document (change its answers there too).

No transaction is open while the body arrives, nor after the commit: on SQLite every transaction takes the
one write lock, so a sender that drips its body, or a log line that reloads a row, would stall every tenant
(and a 503 after the commit would tell the CRM to resend an event that was stored)."""

from __future__ import annotations

import json
import logging
from typing import NoReturn

from flask import Blueprint, current_app, g, jsonify, request
from flask_smorest import abort
from kombu.exceptions import OperationalError as BrokerError
from marshmallow import ValidationError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge
from werkzeug.wrappers import Response

from plugin.extensions import db
from plugin.queue import enqueue_fetch
from plugin.receiving import backpressure, ingest, senders
from plugin.receiving.connectors import InboundEvent, get_connector
from plugin.receiving.connectors.signing import SignatureError
from plugin.receiving.senders import SenderCopy
from plugin.storage.models import EventStatus
from schemas.errors import describe_errors, flatten_errors
from schemas.history import forbidden_char

log = logging.getLogger(__name__)
bp = Blueprint("webhooks", __name__)

MAX_CONNECTION_ID_CHARS = 32  # Connection.id
MAX_DELIVERY_ID_CHARS = 255  # WebhookEvent.event_id


def _body_error(status: int, message: str, *, field: str = "body", location: str = "json") -> NoReturn:
    """Refuse with the one error shape, naming what was wrong."""
    abort(status, message=message, errors={location: {field: [message]}})
    raise AssertionError("abort() returned")  # abort always raises; this tells type checkers


def _refuse_constant(name: str) -> NoReturn:
    """JSON has no NaN or Infinity, though Python's parser accepts them."""
    raise ValueError(f"{name} is not JSON")


def _parse_json(body: bytes) -> object:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        _body_error(400, f"Body is not valid UTF-8 (byte {exc.start}).")
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        _body_error(400, "Body is nested too deeply.")
    except ValueError as exc:  # JSONDecodeError's text says where, never what
        _body_error(400, f"Body is not valid JSON: {exc}.")


def _addressed(connection_id: str) -> SenderCopy:
    """404 before anything else; an id that cannot exist is not looked up (NUL breaks PostgreSQL)."""
    plausible = len(connection_id) <= MAX_CONNECTION_ID_CHARS and forbidden_char(connection_id) is None
    copy = senders.find(connection_id) if plausible else None
    if copy is None:
        abort(404, message="Unknown connection.")
    return copy


def _signed_id(copy: SenderCopy, body: bytes) -> tuple[str | None, str]:
    """The delivery id when the signature verifies against the copy's secrets, else None and why."""
    connector = get_connector(copy.connection.provider)
    try:
        return connector.verify(copy.connection, request.headers, body, current_app.config), ""
    except SignatureError as exc:
        return None, str(exc)


def _verified(copy: SenderCopy, body: bytes, *, fresh: bool = False) -> tuple[SenderCopy, str]:
    """Check the signature; a refusal on a cached copy is decided again on a fresh read (the connection
    may have been enabled or re-keyed since the copy was taken)."""
    delivery_id, refusal = _signed_id(copy, body)
    if not fresh and (delivery_id is None or not copy.connection.enabled):
        return _verified(_reread(copy.connection.id), body, fresh=True)
    if delivery_id is None:
        log.info("webhook refused connection=%s reason=%s", copy.connection.id, refusal)
        abort(401, message=f"Signature verification failed: {refusal}.")
    if not copy.connection.enabled:  # after the signature: only the CRM itself learns it was disabled
        abort(403, message="This connection is disabled.")
    return copy, delivery_id


def _reread(connection_id: str) -> SenderCopy:
    copy = senders.find(connection_id, fresh=True)
    if copy is None:
        abort(404, message="Unknown connection.")
    return copy


def _require_json_content_type() -> None:
    """Standard Webhooks bodies are UTF-8 JSON; a form post or a missing type is a sender bug to name."""
    mimetype = request.mimetype
    is_json = mimetype == "application/json" or (
        mimetype.startswith("application/") and mimetype.endswith("+json"))
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if not is_json or charset not in ("utf-8", "utf8"):
        _body_error(415, "Content-Type must be application/json (UTF-8).",
                    field="content-type", location="headers")


def _read_body() -> bytes:
    """The raw bytes the signature covers, refused past MAX_CONTENT_LENGTH; read before any database
    access, so a slow sender holds only its own request thread."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    try:
        body = request.get_data(cache=False)
    except RequestEntityTooLarge:
        _body_error(413, f"Body is larger than {limit} bytes.")
    except ClientDisconnected:  # the body stalled past the web server's idle limit, or the client left
        _body_error(408, "Body not received in time.")
    # a chunked body (no Content-Length) is cut at the limit without an error: refuse it, not its signature
    if request.content_length is None and len(body) >= limit:
        _body_error(413, f"Body is larger than {limit} bytes.")
    return body


def _check_delivery_id(delivery_id: str) -> None:
    """The id is stored for dedupe: bound its length and refuse control characters."""
    if len(delivery_id) > MAX_DELIVERY_ID_CHARS or forbidden_char(delivery_id) is not None:
        _body_error(400, f"webhook-id must be at most {MAX_DELIVERY_ID_CHARS} printable characters.",
                    field="webhook-id", location="headers")


@bp.post("/webhooks/<connection_id>")
def receive(connection_id: str) -> Response | tuple[Response, int]:
    """Accept one CRM delivery; the analysis itself runs in a worker."""
    copy = _addressed(connection_id)
    _require_json_content_type()
    backpressure.refuse_when_backlogged()
    body = _read_body()
    copy, delivery_id = _verified(copy, body)
    _check_delivery_id(delivery_id)
    event = _load_event(copy, delivery_id, body)
    try:
        return _record(copy, delivery_id, event)
    except ingest.SenderChanged:  # disabled, re-keyed or deleted since the copy: decide again on a fresh read
        copy, delivery_id = _verified(_reread(connection_id), body, fresh=True)
        try:
            return _record(copy, delivery_id, event)
        except ingest.SenderChanged:
            abort(503, message="Connection changed during the delivery; retry.", headers={"Retry-After": "1"})
            raise


def _load_event(copy: SenderCopy, delivery_id: str, body: bytes) -> InboundEvent | None:
    """The event in the CRM's schema (None: one the connector does not act on); 422 names each field."""
    try:
        return get_connector(copy.connection.provider).load_event(_parse_json(body))
    except ValidationError as exc:
        flat = flatten_errors(exc.messages)
        log.info("webhook invalid connection=%s delivery=%s fields=%s",
                 copy.connection.id, delivery_id, ",".join(sorted(flat)))
        abort(422, message=describe_errors(flat), errors={"json": flat})
        raise


def _record(copy: SenderCopy, delivery_id: str, event: InboundEvent | None) -> tuple[Response, int]:
    """Store the delivery in one transaction guarded by the copy it was verified against, then queue."""
    connection_id, provider = copy.connection.id, copy.connection.provider
    expect = ingest.Expected(copy.secrets_encrypted)
    if event is None:  # a ping, or an action this connector does not use
        if not ingest.record_ignored(connection_id, delivery_id, "ignored", expect=expect):
            g.webhook_outcome = "duplicate"
            return jsonify(status="duplicate", delivery_id=delivery_id), 200
        g.webhook_outcome = "ignored"
        return jsonify(status="ignored", delivery_id=delivery_id), 200
    outcome = ingest.record_event(connection_id, delivery_id, event, expect=expect)
    # committed: from here on nothing may answer 503 (nor touch the database but to mark a failed enqueue),
    # save a thin event whose delivery is forgotten first (_enqueue_fetches)
    if outcome.duplicate:
        g.webhook_outcome = "duplicate"  # counted in plugin/metrics.py
        return jsonify(status="duplicate", delivery_id=delivery_id), 200
    if outcome.stale:
        g.webhook_outcome = EventStatus.STALE
        log.info("webhook older than the last applied event connection=%s delivery=%s",
                 connection_id, delivery_id)
        return jsonify(status=EventStatus.STALE.value, delivery_id=delivery_id,
                       analysis_queued=False), _accepted_status(provider)
    queued = ingest.queue_analysis(outcome)
    queued = _enqueue_fetches(connection_id, delivery_id, outcome.fetch) or queued
    log.info("webhook accepted connection=%s delivery=%s type=%s candidate=%s queued=%s",
             connection_id, delivery_id, event.type, outcome.candidate_id, queued)
    return jsonify(status=EventStatus.ACCEPTED.value, delivery_id=delivery_id,
                   analysis_queued=queued), _accepted_status(provider)


def _accepted_status(provider: str) -> int:
    """202, or the status a CRM needs to count a delivery as received (Workable: only 200)."""
    return int(getattr(get_connector(provider), "accepted_status", 202))


def _enqueue_fetches(connection_id: str, delivery_id: str, external_ids: tuple[str, ...]) -> bool:
    """Queue the CRM reads a thin event needs. Nothing else records that a read is owed, so with the broker
    down the delivery is forgotten and refused with a 503: the CRM sends it again (what else it changed, an
    erasure of a merged record, applies again unchanged). Only if even forgetting fails is the read left
    to reconciliation."""
    try:
        for external_id in external_ids:
            enqueue_fetch(connection_id, external_id)
    except BrokerError:
        try:
            ingest.forget_delivery(connection_id, delivery_id)
        except DBAPIError as exc:
            db.session.rollback()
            log.warning("broker unavailable, fetch left to reconciliation connection=%s delivery=%s error=%s",
                        connection_id, delivery_id, type(exc).__name__)
            return False
        raise  # answered 503 (plugin/errors.py)
    return bool(external_ids)


