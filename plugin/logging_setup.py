"""Logging configured once per process; records carry ids, never personal data."""

from __future__ import annotations

import logging.config


def configure_logging(level: str = "INFO") -> None:
    """One plain format for web, worker and CLI processes."""
    logging.config.dictConfig({
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
        "root": {"level": level.upper(), "handlers": ["stderr"]},
    })
