"""Celery bound to a Flask app: tasks run inside the app's context and read its config."""

from __future__ import annotations

from typing import Any

from celery import Celery, Task
from celery.signals import worker_process_init
from flask import Flask, has_app_context


def celery_settings(config: dict[str, Any]) -> dict[str, Any]:
    """Celery's settings derived from the Flask config."""
    return {
        "broker_url": config["BROKER_URL"],
        "broker_connection_retry_on_startup": True,
        # longer than the longest task (time_limit 150 s), so Redis never hands a running task to a
        # second worker; a task whose worker died is redelivered after it (the sweeper also catches it)
        "broker_transport_options": {"visibility_timeout": config["BROKER_VISIBILITY_TIMEOUT"]},
        "task_ignore_result": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "task_default_queue": "passion",
        # fail a publish within about a second so the webhook can answer 503 instead of hanging
        "task_publish_retry_policy": {"max_retries": 2, "interval_start": 0.2,
                                      "interval_step": 0.3, "interval_max": 0.5},
        "worker_prefetch_multiplier": 1,
        "worker_hijack_root_logger": False,
        "imports": ("workers.tasks",),
        "beat_schedule": {"sweep": {"task": "workers.sweep",
                                    "schedule": float(config["SWEEP_INTERVAL_SECONDS"])}},
    }


def celery_init_app(app: Flask) -> Celery:
    """Create the Celery app for a Flask app and make it the default for @shared_task."""

    class FlaskTask(Task):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            if has_app_context():  # called from a request or a test: do not nest contexts
                return self.run(*args, **kwargs)
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(celery_settings(app.config))
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    _dispose_engine_in_children(app)
    return celery_app


def _dispose_engine_in_children(app: Flask) -> None:
    """A forked pool child must not reuse the parent's database connections."""

    @worker_process_init.connect(weak=False)
    def _dispose(**_: Any) -> None:
        from plugin.extensions import db

        with app.app_context():
            db.engine.dispose(close=False)
