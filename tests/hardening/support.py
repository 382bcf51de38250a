"""Helpers shared by the hardening tests: signed posts, stored-state snapshots, the error shape."""

from __future__ import annotations

import uuid
from typing import Any

import redis as redis_lib
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from plugin.extensions import db
from plugin.storage.models import Analysis, Candidate, WebhookEvent
from tests.webhook_sender import signed_delivery

ERROR_KEYS = {"code", "status", "message", "errors"}
REFUSALS = {400, 413, 415, 422}


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def post_signed(client: FlaskClient, connection: Any, payload: Any, *,
                content_type: str | None = "application/json", msg_id: str | None = None,
                secret: str | None = None, url_id: str | None = None) -> TestResponse:
    """POST a delivery signed with the reference library; `content_type=None` sends none."""
    body, headers = signed_delivery(secret or connection.secret, payload,
                                    msg_id=msg_id or f"msg_{uuid.uuid4().hex}")
    headers.pop("content-type")
    if content_type is not None:
        headers["Content-Type"] = content_type
    return client.post(f"/webhooks/{url_id or connection.id}", data=body, headers=headers)


def snapshot(app: Flask, redis_client: redis_lib.Redis) -> tuple[Any, ...]:
    """Everything a delivery could change: events, candidates with their versions, analyses, the queue."""
    with app.app_context():
        events = db.session.query(WebhookEvent.connection_id, WebhookEvent.event_id).all()
        candidates = db.session.query(Candidate.id, Candidate.external_id, Candidate.history_hash,
                                      Candidate.history_version, Candidate.status).all()
        analyses = db.session.query(Analysis.id).count()
        db.session.remove()
    return (sorted(events), sorted(candidates), analyses, redis_client.llen("passion"))


def assert_nothing_stored(app: Flask, redis_client: redis_lib.Redis) -> None:
    """No event, no candidate, nothing queued: a refusal leaves no trace."""
    events, candidates, analyses, queued = snapshot(app, redis_client)
    assert (events, candidates, analyses, queued) == ([], [], 0, 0)


def error_fields(response: TestResponse) -> dict[str, list[str]]:
    """The failing fields of a refusal in the one error shape, all locations merged."""
    body = response.get_json()
    assert isinstance(body, dict), response.data[:200]
    assert set(body) >= ERROR_KEYS, body
    assert body["code"] == response.status_code
    assert isinstance(body["message"], str) and body["message"]
    merged: dict[str, list[str]] = {}
    for fields in body["errors"].values():
        merged.update(fields)
    return merged


def assert_service_up(client: FlaskClient) -> None:
    """After whatever came before, the app still answers."""
    assert client.get("/healthz").status_code == 200
