"""Bring the database schema up to date (Alembic through Flask-Migrate), quietly."""

from __future__ import annotations

import logging

from flask import current_app
from flask_migrate import upgrade


def upgrade_database() -> None:
    """Apply every pending migration; safe to call on every start."""
    previous = logging.getLogger("alembic").level
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        upgrade(directory=current_app.extensions["migrate"].directory)
    finally:
        logging.getLogger("alembic").setLevel(previous)
