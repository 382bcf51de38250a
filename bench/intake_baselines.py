"""The two in-run baselines of bench/intake_bench.py, served by gunicorn like the real app.

`minimal_app()` is the least a correct receiver does: verify the Standard Webhooks HMAC over the raw bytes,
parse the JSON, dedupe on the delivery id with Redis SET NX, LPUSH the body, 202. `bare_app()` is Flask
answering 202 to anything: the web stack's own ceiling.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os

import redis
from flask import Flask, request

QUEUE_KEY = "intake-bench:queue"
DEDUPE_PREFIX = "intake-bench:seen:"


def minimal_app() -> Flask:
    """HMAC, json, SET NX, LPUSH: the receiver the real one is measured against."""
    key = base64.b64decode(os.environ["INTAKE_BENCH_SECRET"].removeprefix("whsec_"))
    store = redis.Redis.from_url(os.environ["INTAKE_BENCH_REDIS_URL"])
    app = Flask(__name__)

    @app.post("/webhooks/<connection_id>")
    def receive(connection_id: str) -> tuple[str, int]:
        body = request.get_data(cache=False)
        msg_id = request.headers.get("webhook-id", "")
        stamp = request.headers.get("webhook-timestamp", "")
        signed = f"{msg_id}.{stamp}.".encode() + body
        expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        offered = request.headers.get("webhook-signature", "").split(" ")
        if not any(hmac.compare_digest(expected.encode(), sig.encode()) for sig in offered):
            return "bad signature", 401
        json.loads(body)
        if not store.set(DEDUPE_PREFIX + msg_id, 1, nx=True, ex=3600):
            return "duplicate", 200
        store.lpush(QUEUE_KEY, body)
        return "", 202

    return app


def bare_app() -> Flask:
    """Flask's 202 with nothing behind it."""
    app = Flask(__name__)

    @app.post("/webhooks/<connection_id>")
    def receive(connection_id: str) -> tuple[str, int]:
        return "", 202

    return app
