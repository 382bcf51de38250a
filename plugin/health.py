"""Liveness for load balancers and docker compose: the app answers and the database is reachable."""

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from plugin.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    try:
        db.session.execute(text("SELECT 1"))
    except OperationalError:
        return jsonify(status="database unavailable"), 503
    return jsonify(status="ok")
