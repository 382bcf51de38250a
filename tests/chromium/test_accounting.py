"""Accounting for the tags in a real browser, on the demo pool: the explanation opened from a profile and
printed, the audit log from the header; another connection's recruiter sees neither; no serious
accessibility violation and no sideways scrolling at 400 and 1280 px."""

from __future__ import annotations

import pytest

from plugin.cli.demo import demo_candidates
from plugin.extensions import db
from plugin.storage.connections import create_connection
from plugin.storage.models import Candidate, WorksheetCorrection
from plugin.storage.recruiters import create_recruiter
from tests.chromium.conftest import DESKTOP, SIDE_PANEL, serious_violations
from tests.chromium.test_workspace import sign_in, sign_in_as
from tests.conftest import ingest_and_analyze

RECRUITER, OTHER_RECRUITER, PASSWORD = "sam@agency.example", "rita@other.example", "a long enough password"


@pytest.fixture
def demo(app, client, connection, live_url):
    """The demo pool with a correction on Ana's research passion; a recruiter in another connection."""
    for data in demo_candidates():
        ingest_and_analyze(app, client, connection, data)
    with app.app_context():
        ana = db.session.query(Candidate).filter_by(external_id="demo-ana").one()
        db.session.add(WorksheetCorrection(candidate_id=ana.id, kind="passion", theme="research",
                                           rejected=False, note="my favourite part"))
        create_recruiter(connection.id, RECRUITER, PASSWORD)
        other = create_connection(provider="standard", name="Other agency")
        create_recruiter(other.id, OTHER_RECRUITER, PASSWORD)
        db.session.commit()
    return live_url, connection


def test_open_the_explanation_from_a_profile(page, demo):
    base, connection = demo
    sign_in(page, base, connection.token)
    page.get_by_role("link", name="Ana Moreau").click()
    page.get_by_role("link", name="Explanation for the candidate").click()
    page.wait_for_url(base + "/explanations/demo-ana")
    assert page.get_by_role("heading", level=1).inner_text() == "How your themes were read"
    assert page.get_by_text("They are not a score, and not a ranking of people.").first.is_visible()
    research = page.locator("section.theme-why.passion", has=page.get_by_role(
        "heading", name="Research & investigation"))
    assert research.get_by_text("Rule: a theme enjoyed in two jobs or more is a passion.").is_visible()
    assert research.get_by_text("digging through case law on CanLII for the partners").is_visible()
    assert research.get_by_text("% sure").first.is_visible()
    assert research.get_by_role("link", name="legal research").get_attribute("href").startswith(
        "http://data.europa.eu/esco/skill/")
    assert research.get_by_text("You told us: this is right, and noted “my favourite part”").is_visible()
    assert page.get_by_role("heading", name="What was read").is_visible()
    page.emulate_media(media="print")  # printed: the workspace's header and links back are left out
    assert not page.get_by_role("button", name="Sign out").is_visible()
    assert not page.get_by_role("link", name="← Back to the profile").is_visible()
    assert page.get_by_text("They are not a score, and not a ranking of people.").first.is_visible()


def test_the_audit_log_shows_who_re_analysed(page, demo):
    base, _connection = demo
    sign_in_as(page, base, RECRUITER, PASSWORD)
    page.goto(base + "/pool/demo-chen")
    page.get_by_role("button", name="Re-analyse").click()
    page.wait_for_url(base + "/pool/demo-chen")
    page.get_by_role("link", name="Audit log").click()
    page.wait_for_url(base + "/audit")
    newest = page.locator("ol.audit li").first
    assert newest.get_by_text("Re-analysis requested: history version 1").is_visible()
    assert "(you)" in newest.inner_text()
    assert page.get_by_text("Analysis stored: history version 1").count() == len(demo_candidates())
    newest.get_by_role("link", name="demo-chen").click()
    page.wait_for_url(base + "/pool/demo-chen")


def test_another_connections_recruiter_sees_neither(page, demo):
    base, _connection = demo
    sign_in_as(page, base, OTHER_RECRUITER, PASSWORD)
    for url in ["/explanations/demo-ana", "/explanations/demo%2Dana", "/explanations/DEMO-ANA"]:
        assert page.goto(base + url).status == 404, url
        assert page.get_by_role("heading", name="Not Found").is_visible()
    page.goto(base + "/audit")
    assert page.get_by_text("Nothing recorded yet.").is_visible()
    answer = page.request.get(base + "/api/explanations/demo-ana")  # the page session opens no API
    assert answer.status == 401


@pytest.mark.parametrize("width", [SIDE_PANEL, DESKTOP])
def test_the_new_pages_are_accessible_and_fit(page, demo, width):
    base, connection = demo
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, base, connection.token)
    for url in ["/explanations/demo-ana", "/explanations/demo-chen", "/audit", "/pool/demo-ana"]:
        page.goto(base + url)
        assert serious_violations(page) == [], url
        assert page.evaluate("document.documentElement.scrollWidth") <= width, url
