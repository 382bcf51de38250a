"""A Greenhouse connection against the stand-in server, on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from plugin import create_app
from plugin.storage.connections import IssuedConnection, create_connection
from plugin.storage.migrations_runner import upgrade_database
from tests.conftest import LOOPBACK_CALLBACKS
from tests.greenhouse_fake import CLIENT_ID, CLIENT_SECRET, FakeGreenhouse, greenhouse_server

# the worksheet convention (docs/connectors.md): a section per job, + liked, - disliked
WORKSHEET = """# Law Clerk at Firm A
+ legal research for the partners
+ tracking down case law on CanLII
- answering the reception phones
# Firm B
+ researching precedents before hearings
- calling clients about unpaid invoices
"""
JOBS = [("Law Clerk", "Firm A", "2021-01-04", None), ("Paralegal", "Firm B", "2018-01-02", "2020-12-31")]


@pytest.fixture
def greenhouse() -> Iterator[FakeGreenhouse]:
    with greenhouse_server() as fake:
        yield fake


@pytest.fixture
def app(tmp_path: Path, database_url: str, redis_url: str, redis_client, greenhouse: FakeGreenhouse):
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path / "data"),
                      "SQLALCHEMY_DATABASE_URI": database_url, "BROKER_URL": redis_url,
                      "SECRET_KEY": "test-secret-key", "PUBLIC_URL": "http://testserver",
                      "GREENHOUSE_API_URL": greenhouse.base_url,
                      "GREENHOUSE_TOKEN_URL": f"{greenhouse.base_url}/token",
                      **LOOPBACK_CALLBACKS})
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
def gh_connection(app) -> IssuedConnection:
    with app.app_context():
        return create_connection(provider="greenhouse", name="Greenhouse",
                                 credentials={"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})
