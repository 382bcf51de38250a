"""The Flask app factory for the webhook receiver and the recruiter API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: layered config, extensions, blueprints, the task queue (publishing side)."""
    from plugin.config import build_config, embedded_broker_url
    from plugin.extensions import api, db, migrate

    app = Flask(__name__)
    app.config.update(build_config(test_config))
    if not app.config["BROKER_URL"]:
        app.config["BROKER_URL"] = embedded_broker_url(app.config["DATA_DIR"])

    db.init_app(app)
    migrate.init_app(app, db, directory=str(_migrations_dir()))
    api.init_app(app)
    _register_blueprints(app)
    _register_database_hooks(app)

    from plugin import security
    from plugin.logging_setup import record_route_for_access_log

    security.init_app(app)
    app.before_request(record_route_for_access_log)

    from plugin.errors import register_error_handlers

    register_error_handlers(app)

    from plugin import queue

    queue.init_app(app)

    from plugin.metrics import init_app as init_metrics

    init_metrics(app)
    return app


def _migrations_dir() -> Any:
    from pathlib import Path

    return Path(__file__).parent / "storage" / "migrations"


def _register_blueprints(app: Flask) -> None:
    from plugin import panel, worksheet
    from plugin.api import register_api
    from plugin.api.swagger_ui import bp as api_docs_bp
    from plugin.health import bp as health_bp
    from plugin.pages import bp as web_bp
    from plugin.receiving.webhooks import bp as webhooks_bp

    app.register_blueprint(webhooks_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(api_docs_bp)
    app.register_blueprint(web_bp)
    worksheet.init_app(app)
    panel.init_app(app)
    register_api(app)


def _register_database_hooks(app: Flask) -> None:
    from plugin.storage.database import configure_engine_events

    with app.app_context():
        configure_engine_events()
