"""Celery bound to a Flask app for the worker: tasks run inside the app's context and read its config."""

from __future__ import annotations

from typing import Any

from celery import Celery, Task
from celery.signals import worker_process_init
from flask import Flask, has_app_context

from plugin.extensions import db
from plugin.queue import celery_settings


def celery_init_app(app: Flask) -> Celery:
    """The worker's Celery app for a Flask app (replacing the web's publishing-only one), with the tasks."""

    class FlaskTask(Task):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            if has_app_context():  # called from a test that holds a context: do not nest contexts
                return self.run(*args, **kwargs)
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object({**celery_settings(app.config), "imports": ("workers.tasks",)})
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    _dispose_engine_in_children(app)
    return celery_app


def _dispose_engine_in_children(app: Flask) -> None:
    """A forked pool child must not reuse the parent's database connections."""

    @worker_process_init.connect(weak=False)
    def _dispose(**_: Any) -> None:
        with app.app_context():
            db.engine.dispose(close=False)
