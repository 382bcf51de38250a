"""`passion run|serve|worker|db-upgrade`: the processes of the service, on embedded defaults or not."""

from __future__ import annotations

import errno
import fcntl
import os
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

import click
import requests

from plugin import embedded_broker
from plugin.cli.processes import Supervisor, child_options, python_module
from plugin.queue import BACKFILL_QUEUE, QUEUE

# Checks that must pass before anything starts; each returns what is wrong, or None. The engine's
# (its model files) is added by `workers.cli`, since the web side never imports the engine.
PREFLIGHT_CHECKS: list[Callable[[], str | None]] = []


def check_port_free(host: str, port: int) -> None:
    """Refuse a port something already listens on, before anything starts (gunicorn would fail later)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
            raise click.ClickException(
                f"port {port} on {host} is already in use (another `passion run`, or another program). "
                f"Stop that, or choose another port: `passion run --port {port + 1}` "
                f"(or `make run PORT={port + 1}`).") from exc


_held_locks: list[IO[str]] = []  # kept open for the life of the process: closing one releases it


def hold_run_lock(data_dir: Path) -> None:
    """One `passion run` per data dir: a second would share the first's broker and database and run a second
    beat. The lock goes with the process, however it ends."""
    data_dir.mkdir(parents=True, exist_ok=True)
    handle = open(data_dir / "run.lock", "a+")  # noqa: SIM115 - held until the process exits
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as exc:
        handle.close()
        raise click.ClickException(
            f"another `passion run` is using {data_dir}. Stop it first, or give this one its own data: "
            f"PASSION_DATA_DIR=/some/other/dir passion run --port …") from exc
    _held_locks.append(handle)


def _preflight(host: str | None = None, port: int | None = None, *, engine: bool = True) -> None:
    problems = [problem for check in PREFLIGHT_CHECKS if engine and (problem := check())]
    if problems:
        raise click.ClickException("\n".join(problems))
    if host is not None and port is not None:
        check_port_free(host, port)


def _prepare(supervisor: Supervisor, *, verbose: bool) -> dict[str, str]:
    """Migrate, start the embedded broker if none is configured, and return the children's env."""
    from plugin import create_app
    from plugin.cli.database import announce, planned_database, sqlite_file
    from plugin.logging_setup import configure_logging
    from plugin.storage.migrations_runner import upgrade_database

    database = sqlite_file(planned_database())
    new = database is not None and not database.exists()
    app = create_app()
    configure_logging(app.config["LOG_LEVEL"] if verbose else "WARNING")
    announce(app.config["SQLALCHEMY_DATABASE_URI"], new=new)
    with app.app_context():
        upgrade_database()
    data_dir = app.config["DATA_DIR"]
    env = dict(os.environ, PASSION_DATA_DIR=data_dir, PASSION_BROKER_URL=app.config["BROKER_URL"],
               PASSION_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"])
    if not os.environ.get("PASSION_BROKER_URL"):
        supervisor.adopt("redis", lambda: embedded_broker.start(data_dir, popen_options=child_options()),
                         Path(data_dir) / "redis.log")
    return env


def _supervisor(data_dir: Path, verbose: bool) -> Supervisor:
    return Supervisor(None if verbose else data_dir / "logs")


def _data_dir() -> Path:
    from plugin.config import planned_config

    return Path(planned_config()["DATA_DIR"]).resolve()


def _web_argv(host: str, port: int, workers: int) -> list[str]:
    return python_module("gunicorn", "--bind", f"{host}:{port}", "--workers", str(workers),
                         "--access-logfile", "-", "--graceful-timeout", "10",
                         "--config", "python:plugin.cli.gunicorn_conf", "plugin.wsgi:app")


def _web_env(env: dict[str, str]) -> dict[str, str]:
    """The web server's env: gunicorn workers share their /metrics counters through files in DATA_DIR
    (emptied when gunicorn starts; see gunicorn_conf). Only the web server: workers count nothing."""
    metrics_dir = os.path.join(env["PASSION_DATA_DIR"], "prometheus-multiproc")
    return dict(env, PROMETHEUS_MULTIPROC_DIR=env.get("PROMETHEUS_MULTIPROC_DIR") or metrics_dir)


def _worker_argv(concurrency: int) -> list[str]:
    """The Celery worker: analyses and write-backs, on both queues."""
    return python_module("celery", "-A", "workers.worker", "worker", "--loglevel", "INFO",
                         "--concurrency", str(concurrency), "--queues", f"{QUEUE},{BACKFILL_QUEUE}")


def _beat_argv(data_dir: str) -> list[str]:
    """The sweeper's schedule, as its own child: one per deployment, never orphaned by a worker's death."""
    return python_module("celery", "-A", "workers.worker", "beat", "--loglevel", "INFO",
                         "--schedule", os.path.join(data_dir, "celerybeat-schedule"))


def _wait_healthy(url: str, supervisor: Supervisor, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    where = f"; see {supervisor.log_dir / 'web.log'}" if supervisor.log_dir else ""
    raise click.ClickException(f"the web server did not answer at {url}{where}")


def _broker_shown(env: dict[str, str]) -> str:
    from plugin.cli.database import shown

    url = env["PASSION_BROKER_URL"]
    if os.environ.get("PASSION_BROKER_URL"):
        return shown(url)
    return f"embedded Redis on {url.removeprefix('redis+socket://')}"


_VERBOSE = click.option("--verbose", is_flag=True,
                        help="Show the children's logs here instead of in DATA_DIR/logs/.")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--demo/--no-demo", default=True, show_default=True,
              help="Create a demo connection and send the demo candidates.")
@_VERBOSE
def run(host: str, port: int, demo: bool, verbose: bool) -> None:
    """Web server, worker, beat and broker in one command.

    Children that die are restarted; one that keeps dying stops everything. Ctrl-C stops them all.
    The children log to DATA_DIR/logs/ (--verbose: here). `make run PORT=8001` passes the port."""
    from plugin.cli.database import shown
    from plugin.cli.ready import Stack, ready_block

    _preflight(host, port)
    data_dir = _data_dir()
    hold_run_lock(data_dir)
    os.environ.setdefault("PASSION_PUBLIC_URL", f"http://{host}:{port}")
    supervisor = _supervisor(data_dir, verbose)
    try:
        env = _prepare(supervisor, verbose=verbose)
        supervisor.spawn("worker", _worker_argv(2), env)
        supervisor.spawn("beat", _beat_argv(env["PASSION_DATA_DIR"]), env)
        supervisor.spawn("web", _web_argv(host, port, 2), _web_env(env))
        base_url = env["PASSION_PUBLIC_URL"]
        _wait_healthy(f"{base_url}/healthz", supervisor)
        demo_run = None
        if demo:
            from plugin.cli.demo import run_demo, wait_analysed

            demo_run = wait_analysed(base_url, run_demo(base_url, named=False))
        stack = Stack(base_url, shown(env["PASSION_DATABASE_URL"]), _broker_shown(env),
                      Path(env["PASSION_DATA_DIR"]), supervisor.log_dir)
        click.echo(ready_block(stack, demo_run))
    except BaseException:
        supervisor.stop()
        raise
    sys.exit(supervisor.wait(on_event=_say))


def _say(message: str) -> None:
    click.echo(f"passion: {message}", err=True)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@_VERBOSE
def serve(host: str, port: int, workers: int, verbose: bool) -> None:
    """The webhook receiver and API under gunicorn."""
    _preflight(host, port, engine=False)
    supervisor = _supervisor(_data_dir(), verbose)
    env = _prepare(supervisor, verbose=verbose)
    supervisor.spawn("web", _web_argv(host, port, workers), _web_env(env))
    _say(f"serving on http://{host}:{port}; logs in {supervisor.log_dir or 'this terminal'}")
    sys.exit(supervisor.wait(on_event=_say))


@click.command()
@click.option("--concurrency", default=2, show_default=True, type=int)
@click.option("--beat/--no-beat", default=True, show_default=True,
              help="Also run the sweeper's schedule (run it in exactly one worker of a fleet).")
@_VERBOSE
def worker(concurrency: int, beat: bool, verbose: bool) -> None:
    """A Celery worker: analyses candidates, writes results back."""
    _preflight()
    supervisor = _supervisor(_data_dir(), verbose)
    env = _prepare(supervisor, verbose=verbose)
    supervisor.spawn("worker", _worker_argv(concurrency), env)
    if beat:
        supervisor.spawn("beat", _beat_argv(env["PASSION_DATA_DIR"]), env)
    _say(f"worker running; logs in {supervisor.log_dir or 'this terminal'}")
    sys.exit(supervisor.wait(on_event=_say))


@click.command("db-upgrade")
def db_upgrade() -> None:
    """Apply pending database migrations (compose runs this first)."""
    from plugin.cli.database import app_context

    with app_context(must_exist=False):
        pass
    click.echo("database is up to date")

