"""The recruiter pages in a real browser: sign in, filter by a theme, open the evidence, stay accessible."""

from __future__ import annotations

import pytest

from tests.chromium.conftest import DESKTOP, SIDE_PANEL, serious_violations
from tests.conftest import ingest_and_analyze
from tests.webhook_sender import history


@pytest.fixture
def pool_url(app, client, connection, live_url):
    ingest_and_analyze(app, client, connection, history(
        "researcher", ["legal research on CanLII", "drafting memos"],
        ["digging through case law", "writing reports"]))
    ingest_and_analyze(app, client, connection, history(
        "organiser", ["scheduling the trial calendar"], ["juggling calendars for events"]))
    return live_url


def sign_in(page, base: str, token: str) -> None:
    page.goto(base + "/")
    page.get_by_label("API token").fill(token)
    page.get_by_role("button", name="Open the candidate pool").click()
    page.wait_for_url(base + "/pool")


def test_sign_in_filter_and_open_the_evidence(page, pool_url, connection):
    page.goto(pool_url + "/pool")
    assert page.url == pool_url + "/"  # not signed in: the sign-in page
    sign_in(page, pool_url, connection.token)
    assert page.get_by_role("link", name="researcher").is_visible()
    assert page.get_by_role("link", name="organiser").is_visible()

    page.locator("summary", has_text="Themes").click()  # the filter menu
    page.get_by_role("group", name="Passionate about (all of these)").get_by_role(
        "checkbox", name="Research & investigation").check()
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(pool_url + "/pool?theme=research")
    assert page.get_by_role("link", name="researcher").is_visible()
    assert page.get_by_role("link", name="organiser").count() == 0

    page.get_by_role("link", name="researcher").click()
    assert page.get_by_text("legal research on CanLII").first.is_visible()


def test_a_wrong_token_is_refused_in_words(page, pool_url):
    page.goto(pool_url + "/")
    page.get_by_label("API token").fill("pt_nope")
    page.get_by_role("button", name="Open the candidate pool").click()
    assert page.get_by_text("does not open any connection").is_visible()


@pytest.mark.parametrize("width", [SIDE_PANEL, DESKTOP])
def test_pages_have_no_serious_accessibility_violations(page, pool_url, connection, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(pool_url + "/")
    assert serious_violations(page) == []
    sign_in(page, pool_url, connection.token)
    assert serious_violations(page) == []
    page.goto(pool_url + "/pool/researcher")
    assert serious_violations(page) == []


def test_the_accessibility_check_finds_what_it_should(page):
    """The check itself can fail: an unlabelled field and an image without alt text are serious."""
    page.set_content('<html lang="en"><title>t</title><main><img src="data:,">'
                     '<input type="text"></main></html>')
    found = " ".join(serious_violations(page))
    assert "image-alt" in found and "label" in found


@pytest.mark.parametrize("width", [SIDE_PANEL, DESKTOP])
def test_the_connection_panel_says_what_needs_a_look_and_fits(app, page, pool_url, connection, width):
    from plugin.extensions import db
    from plugin.storage.models import Analysis
    from workers import pipeline

    with app.app_context():
        analysis_id = db.session.query(Analysis.id).order_by(Analysis.id).limit(1).scalar()
        db.session.query(Analysis).filter_by(id=analysis_id).update({"delivery_status": "pending"})
        db.session.commit()
        pipeline.mark_dead(analysis_id, "the CRM refused it: 422")
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, pool_url, connection.token)
    panel = page.get_by_role("region", name="CRM connection")
    assert panel.is_visible()
    assert panel.get_by_text("Needs a look").first.is_visible()
    assert "the CRM refused it: 422" in panel.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scrolling
    assert serious_violations(page) == []
