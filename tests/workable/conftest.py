"""A Workable connection against the stand-in server, on both databases. The rate window is shortened to
1 s on both sides (10 calls a window, as Workable documents for an account token) so that tests making a
dozen calls take seconds, not minutes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from plugin.storage.connections import IssuedConnection, create_connection
from tests.workable_fake import API_TOKEN, SUBDOMAIN, FakeWorkable, entry, workable_server

# one candidate's entries as Workable gives them: HTML summaries, day dates, the current job flagged
ENTRIES = [entry("Executive Assistant", "Overflow Furnishings", "2021-01-04", None,
                 "<p>Ran the office &amp; the budget.</p><ul><li>Booked travel for 12 people</li>"
                 "<li>Wrote the <b>weekly</b> newsletter</li></ul>", current=True),
           entry("Office Clerk", "Groove Ltd", "2018-03-01", "2020-12-31", "Filed <i>everything</i>.")]


@pytest.fixture
def workable() -> Iterator[FakeWorkable]:
    with workable_server() as fake:
        fake.window_seconds = 1.0
        yield fake


@pytest.fixture
def app_config(workable: FakeWorkable) -> dict[str, Any]:
    return {"WORKABLE_API_URL": workable.api_url, "WORKABLE_RATE_WINDOW_SECONDS": 1.0}


@pytest.fixture
def workable_connection(app) -> IssuedConnection:
    with app.app_context():
        return create_connection(provider="workable", name="Workable",
                                 credentials={"subdomain": SUBDOMAIN, "api_token": API_TOKEN},
                                 vendor_secrets=[API_TOKEN])
