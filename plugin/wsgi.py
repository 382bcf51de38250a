"""The WSGI entry point for gunicorn: `gunicorn plugin.wsgi:app`."""

from plugin import create_app
from plugin.logging_setup import configure_logging

app = create_app()
configure_logging(app.config["LOG_LEVEL"])
