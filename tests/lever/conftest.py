"""A Lever connection against the stand-in server, on both databases."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from plugin.storage.connections import IssuedConnection, create_connection
from tests.lever_fake import API_KEY, SIGNATURE_TOKEN, FakeLever, lever_server, position

# one contact's two resumes, as Lever parses them: the current job appears on both (once with a summary)
RESUME_2024 = [position("Law Clerk", "Firm A", (2021, 1), None,
                        "Legal research for the partners.\nDrafted memos on case law."),
               position("Paralegal", "Firm B", (2018, 1), (2020, 12), "Filed court documents.")]
RESUME_2022 = [position("Law clerk", "FIRM A", (2021, 1), None, ""),
               position("Intern", "Firm C", (2017, 6), (2017, 9), "")]


@pytest.fixture
def lever() -> Iterator[FakeLever]:
    with lever_server() as fake:
        yield fake


@pytest.fixture
def app_config(lever: FakeLever) -> dict[str, str]:
    return {"LEVER_API_URL": lever.base_url}


@pytest.fixture
def lever_connection(app) -> IssuedConnection:
    with app.app_context():
        return create_connection(provider="lever", name="Lever", credentials={"api_key": API_KEY},
                                 vendor_secrets=[SIGNATURE_TOKEN])
