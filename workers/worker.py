"""Worker entry point, the only module that builds the app at import: `celery -A workers.worker worker`."""

from plugin import create_app
from plugin.logging_setup import configure_logging
from workers.celery_app import celery_init_app

flask_app = create_app()
configure_logging(flask_app.config["LOG_LEVEL"])
celery_app = celery_init_app(flask_app)
