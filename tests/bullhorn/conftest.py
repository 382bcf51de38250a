"""A Bullhorn connection against the stand-in server, on both databases, its event subscription created as
`passion connections create` creates it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from plugin.receiving.connectors import CrmAccount
from plugin.receiving.connectors.bullhorn.api import BullhornClient
from plugin.receiving.connectors.bullhorn.poll import subscribe
from plugin.storage.connections import IssuedConnection, create_connection
from tests.bullhorn_fake import (
    CLIENT_ID,
    CLIENT_SECRET,
    PASSWORD,
    USERNAME,
    FakeBullhorn,
    bullhorn_server,
    ms,
    work,
)

FIELD = "customText5"
CREDENTIALS = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "username": USERNAME,
               "password": PASSWORD, "field": FIELD, "subscription_id": "passiontest"}
# one candidate's rows as Bullhorn stores them: epoch-ms dates, comments as the description
ROWS = [work("Office Clerk", "Groove Ltd", ms(2018, 3), ms(2020, 12), "Filed everything."),
        work("Executive Assistant", "Overflow Furnishings", ms(2021, 1), None,
             "Ran the office and the budget.\nBooked travel for 12 people.")]


@pytest.fixture
def bullhorn() -> Iterator[FakeBullhorn]:
    with bullhorn_server() as fake:
        yield fake


@pytest.fixture
def app_config(bullhorn: FakeBullhorn) -> dict[str, Any]:
    return {"BULLHORN_AUTH_URL": bullhorn.auth_url, "BULLHORN_LOGIN_URL": bullhorn.login_url}


@pytest.fixture
def bullhorn_connection(app, bullhorn) -> IssuedConnection:
    with app.app_context():
        issued = create_connection(provider="bullhorn", name="Bullhorn", credentials=CREDENTIALS)
        subscribe(BullhornClient(CrmAccount(issued.id, "bullhorn", CREDENTIALS), app.config, shared=False),
                  CREDENTIALS["subscription_id"])
    return issued
