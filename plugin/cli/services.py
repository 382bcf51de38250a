"""`passion run|serve|worker|db-upgrade`: the processes of the service, on embedded defaults or not."""

from __future__ import annotations

import os
import sys
import time

import click
import requests

from plugin import embedded_broker
from plugin.cli.processes import Supervisor, python_module
from plugin.queue import BACKFILL_QUEUE, QUEUE


def _prepare(supervisor: Supervisor) -> dict[str, str]:
    """Migrate, start the embedded broker if none is configured, and return the children's env."""
    from plugin import create_app
    from plugin.logging_setup import configure_logging
    from plugin.storage.migrations_runner import upgrade_database

    app = create_app()
    configure_logging(app.config["LOG_LEVEL"])
    with app.app_context():
        upgrade_database()
    env = dict(os.environ, PASSION_DATA_DIR=app.config["DATA_DIR"],
               PASSION_BROKER_URL=app.config["BROKER_URL"])
    if not os.environ.get("PASSION_BROKER_URL"):
        supervisor.adopt("redis", embedded_broker.start(app.config["DATA_DIR"]))
    return env


def _web_argv(host: str, port: int, workers: int) -> list[str]:
    return python_module("gunicorn", "--bind", f"{host}:{port}", "--workers", str(workers),
                         "--access-logfile", "-", "--graceful-timeout", "10",
                         "--config", "python:plugin.cli.gunicorn_conf", "plugin.wsgi:app")


def _web_env(env: dict[str, str]) -> dict[str, str]:
    """The web server's env: gunicorn workers share their /metrics counters through files in DATA_DIR
    (emptied when gunicorn starts; see gunicorn_conf). Only the web server: workers count nothing."""
    metrics_dir = os.path.join(env["PASSION_DATA_DIR"], "prometheus-multiproc")
    return dict(env, PROMETHEUS_MULTIPROC_DIR=env.get("PROMETHEUS_MULTIPROC_DIR") or metrics_dir)


def _worker_argv(concurrency: int, *, beat: bool, data_dir: str) -> list[str]:
    """The Celery worker; with `beat`, it also schedules the sweeper (one such worker is enough)."""
    argv = python_module("celery", "-A", "workers.worker", "worker", "--loglevel", "INFO",
                         "--concurrency", str(concurrency), "--queues", f"{QUEUE},{BACKFILL_QUEUE}")
    if beat:
        argv += ["--beat", "--schedule", os.path.join(data_dir, "celerybeat-schedule")]
    return argv


def _wait_healthy(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise click.ClickException(f"the web server did not answer at {url}")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--demo/--no-demo", default=True, show_default=True,
              help="Create a demo connection and send the demo candidates.")
def run(host: str, port: int, demo: bool) -> None:
    """Web server, worker (and the embedded broker) in one command; Ctrl-C stops them all."""
    os.environ.setdefault("PASSION_PUBLIC_URL", f"http://{host}:{port}")
    supervisor = Supervisor()
    try:
        env = _prepare(supervisor)
        supervisor.spawn("worker", _worker_argv(2, beat=True, data_dir=env["PASSION_DATA_DIR"]), env)
        supervisor.spawn("web", _web_argv(host, port, 2), _web_env(env))
        base_url = env["PASSION_PUBLIC_URL"]
        _wait_healthy(f"{base_url}/healthz")
        if demo:
            from plugin.cli.demo import run_demo

            run_demo(base_url)
        click.echo(f"\nPassion Tagger is running at {base_url} (API docs: {base_url}/docs). "
                   "Press Ctrl-C to stop.")
    except BaseException:
        supervisor.stop()
        raise
    sys.exit(supervisor.wait())


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
def serve(host: str, port: int, workers: int) -> None:
    """The webhook receiver and API under gunicorn."""
    supervisor = Supervisor()
    env = _prepare(supervisor)
    supervisor.spawn("web", _web_argv(host, port, workers), _web_env(env))
    sys.exit(supervisor.wait())


@click.command()
@click.option("--concurrency", default=2, show_default=True, type=int)
@click.option("--beat/--no-beat", default=True, show_default=True,
              help="Also run the sweeper's schedule (run it in exactly one worker of a fleet).")
def worker(concurrency: int, beat: bool) -> None:
    """A Celery worker that analyses candidates and writes results back."""
    supervisor = Supervisor()
    env = _prepare(supervisor)
    supervisor.spawn("worker", _worker_argv(concurrency, beat=beat,
                                            data_dir=env["PASSION_DATA_DIR"]), env)
    sys.exit(supervisor.wait())


@click.command("db-upgrade")
def db_upgrade() -> None:
    """Apply pending database migrations (compose runs this before web and worker start)."""
    from plugin import create_app
    from plugin.storage.migrations_runner import upgrade_database

    with create_app().app_context():
        upgrade_database()
    click.echo("database is up to date")
