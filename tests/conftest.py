"""Fixtures shared by the web, worker and integration tests."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis as redis_lib

from plugin import create_app
from plugin.storage.connections import IssuedConnection, create_connection
from plugin.storage.migrations_runner import upgrade_database
from tests.services import fresh_database, postgres_server, redis_server


@pytest.fixture(scope="session")
def services_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("services")


@pytest.fixture(scope="session")
def redis_url(services_dir: Path) -> Iterator[str]:
    with redis_server(services_dir) as url:
        yield url


@pytest.fixture(scope="session")
def postgres_admin_url(services_dir: Path) -> Iterator[str]:
    with postgres_server(services_dir) as url:
        yield url


@pytest.fixture
def redis_client(redis_url: str) -> redis_lib.Redis:
    client = _client(redis_url)
    client.flushdb()
    return client


def _client(url: str) -> redis_lib.Redis:
    if url.startswith("redis+socket://"):
        return redis_lib.Redis(unix_socket_path=url.removeprefix("redis+socket://"))
    return redis_lib.Redis.from_url(url)


# `make test-fast` (the inner loop) runs the web tests on SQLite only; `make test` on both.
DATABASES = ["sqlite"] if os.environ.get("PASSION_TEST_FAST") == "1" else ["sqlite", "postgresql"]


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Every web test runs on both databases the product supports.

    A test that builds the `app` gets its database already migrated, copied from one migrated once per
    session (the app's own upgrade then finds nothing to do); a test that asks for the database alone
    gets it empty (tests/web/test_migrations.py).
    """
    migrated = "app" in request.fixturenames
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        if migrated:
            shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("postgres_template") if migrated else None
    with fresh_database(request.getfixturevalue("postgres_admin_url"), template=template) as url:
        yield url


def _migrate(database_url: str, redis_url: str, data_dir: Path) -> None:
    """Every migration applied, then every connection closed (PostgreSQL copies only an idle template)."""
    from plugin.extensions import db

    template_app = create_app({"TESTING": True, "DATA_DIR": str(data_dir), "BROKER_URL": redis_url,
                               "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test-secret-key"})
    with template_app.app_context():
        upgrade_database()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Path:
    directory = tmp_path_factory.mktemp("sqlite-template")
    _migrate(f"sqlite:///{directory / 'template.db'}", redis_url, directory / "data")
    return directory / "template.db"


@pytest.fixture(scope="session")
def postgres_template(tmp_path_factory: pytest.TempPathFactory, postgres_admin_url: str, redis_url: str
                      ) -> Iterator[str]:
    with fresh_database(postgres_admin_url) as url:
        _migrate(url, redis_url, tmp_path_factory.mktemp("postgres-template"))
        yield url


# the CRM fakes listen on loopback over plain http: allowed as an operator would allow an internal CRM
LOOPBACK_CALLBACKS = {"WRITEBACK_HTTP_HOSTS": "127.0.0.1", "WRITEBACK_ALLOWED_NETWORKS": "127.0.0.0/8"}


@pytest.fixture
def app_config() -> dict[str, str]:
    """Settings a test package adds to the app's (tests/greenhouse: the stand-in's URLs)."""
    return {}


@pytest.fixture
def app(tmp_path: Path, database_url: str, redis_url: str, redis_client: redis_lib.Redis,
        app_config: dict[str, str]):
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path / "data"),
                      "SQLALCHEMY_DATABASE_URI": database_url, "BROKER_URL": redis_url,
                      "SECRET_KEY": "test-secret-key", "PUBLIC_URL": "http://testserver",
                      **LOOPBACK_CALLBACKS, **app_config})
    with app.app_context():
        upgrade_database()
    yield app
    with app.app_context():
        from plugin.extensions import db

        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def connection(app) -> IssuedConnection:
    with app.app_context():
        return create_connection(provider="standard", name="Test CRM")


@pytest.fixture
def callback_connection(app):
    """A connection whose write-backs go to a local CRM fake: (receiver, issued connection)."""
    from tests.crm_fake import callback_server

    with callback_server() as (receiver, url):
        with app.app_context():
            issued = create_connection(provider="standard", name="CRM", callback_url=url)
        receiver.secret = issued.secret
        yield receiver, issued


def queued_tasks(client: redis_lib.Redis) -> list[str]:
    """Names of the tasks waiting in the broker's queue (nothing consumes them in web tests)."""
    import json

    return [json.loads(raw)["headers"]["task"] for raw in client.lrange("passion", 0, -1)]


def ingest_and_analyze(app, client, issued: IssuedConnection, data: dict) -> None:
    """Receive a candidate over the webhook, then run the worker's pipeline in-process."""
    from plugin.extensions import db
    from plugin.storage.models import Candidate
    from tests.webhook_sender import event, signed_delivery
    from workers import pipeline

    body, headers = signed_delivery(issued.secret, event("candidate.created", data))
    assert client.post(f"/webhooks/{issued.id}", data=body, headers=headers).status_code == 202
    with app.app_context():
        row = db.session.query(Candidate).filter_by(external_id=data["candidate_id"]).one()
        pipeline.analyze(row.id, row.history_version)
