"""The recruiter pages: sign in with a token, filter by theme, evidence shown, text escaped."""

from __future__ import annotations

import pytest

from plugin.storage.connections import create_connection
from tests.browser import sign_in, sign_out
from tests.conftest import ingest_and_analyze
from tests.webhook_sender import history


@pytest.fixture
def signed_in(app, client, connection):
    ingest_and_analyze(app, client, connection, history(
        "researcher", ["legal research on CanLII <script>alert(1)</script>", "drafting memos"],
        ["digging through case law", "writing reports"]))
    ingest_and_analyze(app, client, connection, history(
        "organiser", ["scheduling the trial calendar"], ["juggling calendars for events"]))
    response = sign_in(client, connection.token)
    assert response.status_code == 302
    return client


def test_pages_need_a_signed_in_token(client, connection):
    assert client.get("/pool").status_code == 302
    refused = sign_in(client, "pt_nope")
    assert refused.status_code == 401
    assert b"does not open any connection" in refused.data


def test_pool_filters_by_passion_theme(signed_in):
    page = signed_in.get("/pool?theme=research").get_data(as_text=True)
    assert "researcher" in page and "organiser" not in page
    assert "1 candidate" in page
    everyone = signed_in.get("/pool").get_data(as_text=True)
    assert "researcher" in everyone and "organiser" in everyone


def test_candidate_page_shows_evidence_escaped(signed_in):
    page = signed_in.get("/pool/researcher").get_data(as_text=True)
    assert "Research &amp; investigation" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    assert signed_in.get("/pool/nobody").status_code == 404


def test_another_connections_token_sees_none_of_it(app, client, signed_in):
    with app.app_context():
        other = create_connection(provider="standard", name="Other agency")
    sign_out(client)
    sign_in(client, other.token)
    assert "researcher" not in client.get("/pool").get_data(as_text=True)
    assert client.get("/pool/researcher").status_code == 404


def test_sign_out_ends_the_session(signed_in):
    sign_out(signed_in)
    assert signed_in.get("/pool").status_code == 302
