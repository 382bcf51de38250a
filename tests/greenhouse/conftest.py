"""A Greenhouse connection against the stand-in server, on both databases."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from plugin.storage.connections import IssuedConnection, create_connection
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
def app_config(greenhouse: FakeGreenhouse) -> dict[str, str]:
    return {"GREENHOUSE_API_URL": greenhouse.base_url, "GREENHOUSE_TOKEN_URL": f"{greenhouse.base_url}/token"}


@pytest.fixture
def gh_connection(app) -> IssuedConnection:
    with app.app_context():
        return create_connection(provider="greenhouse", name="Greenhouse",
                                 credentials={"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})
