"""Real Redis and PostgreSQL for the tests: use the ones running here, or start our own."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import redis
from sqlalchemy.engine import make_url


def _port_open(host: str, port: int) -> bool:
    """Whether a local server answers; PASSION_TEST_OWN_SERVICES=1 pretends none does (a bare machine)."""
    if os.environ.get("PASSION_TEST_OWN_SERVICES") == "1":
        return False
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


@contextmanager
def redis_server(tmp_dir: Path) -> Iterator[str]:
    """A Redis URL: PASSION_TEST_REDIS_URL, the local server on 6379, or an embedded one."""
    url = os.environ.get("PASSION_TEST_REDIS_URL")
    if url is not None:
        redis.Redis.from_url(url).flushdb()
        yield url
        return
    if _port_open("127.0.0.1", 6379):
        with _claimed_database("redis://127.0.0.1:6379") as url:
            yield url
        return
    from plugin import embedded_broker

    process = embedded_broker.start(tmp_dir)
    try:
        yield f"redis+socket://{embedded_broker.socket_path(tmp_dir)}"
    finally:
        if process is not None:
            process.terminate()
            process.wait()


_CLAIM_SECONDS = 4 * 3600  # longer than any test run; a crashed run's claim lapses by itself


@contextmanager
def _claimed_database(server: str) -> Iterator[str]:
    """A Redis database (1-15) no other test run on this machine holds, claimed in database 0, so two
    suites running at once never empty or read each other's queues."""
    admin = redis.Redis.from_url(f"{server}/0")
    token = f"{os.getpid()}-{uuid.uuid4().hex}"
    for number in range(1, 16):
        key = f"passion-test-claim:{number}"
        if admin.set(key, token, nx=True, ex=_CLAIM_SECONDS):
            break
    else:
        raise RuntimeError("every Redis database 1-15 is claimed by another test run")
    url = f"{server}/{number}"
    redis.Redis.from_url(url).flushdb()
    try:
        yield url
    finally:
        redis.Redis.from_url(url).flushdb()
        if admin.get(key) == token.encode():
            admin.delete(key)


@contextmanager
def postgres_server(tmp_dir: Path) -> Iterator[str]:
    """An admin URL: PASSION_TEST_POSTGRES_URL, the local server on 5432, or one pgserver starts."""
    url = os.environ.get("PASSION_TEST_POSTGRES_URL")
    if url is None and _port_open("127.0.0.1", 5432):
        url = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    if url is not None:
        yield url
        return
    import pgserver

    server = pgserver.get_server(str(tmp_dir / "pg"), cleanup_mode="stop")
    try:
        yield server.get_uri().replace("postgresql://", "postgresql+psycopg://", 1)
    finally:
        server.cleanup()


@contextmanager
def fresh_database(admin_url: str, *, template: str | None = None) -> Iterator[str]:
    """A new database for one test session, dropped afterwards: empty, or a copy of `template`'s."""
    name = f"passion_test_{uuid.uuid4().hex[:10]}"
    admin = make_url(admin_url)
    plain = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    copied = "" if template is None else f' TEMPLATE "{make_url(template).database}"'
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"{copied}')
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
