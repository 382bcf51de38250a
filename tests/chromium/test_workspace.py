"""The recruiter's workspace in a real browser, on the demo pool: find by theme, skill and name, open the
evidence and the CRM link, re-analyse, export CSV; one connection never sees another's candidates; no
serious accessibility violation and no sideways scrolling at 400 and 1280 px."""

from __future__ import annotations

import csv
import re

import pytest

from plugin.cli.demo import demo_candidates
from plugin.extensions import db
from plugin.storage.connections import create_connection
from plugin.storage.models import Candidate
from plugin.storage.recruiters import create_recruiter
from tests.chromium.conftest import DESKTOP, SIDE_PANEL, serious_violations
from tests.conftest import ingest_and_analyze
from workers import pipeline

# a second researcher, whose skills are not legal ones: a theme alone finds both, theme and skill only Ana
DEV = {"candidate_id": "extra-dev", "name": "Dev Patel", "jobs": [
    {"title": "Market Researcher", "employer": "Brightline Polling",
     "likes": ["researching market trends for clients", "digging into survey results"],
     "dislikes": ["cold calling survey respondents"]},
    {"title": "Research Assistant", "employer": "Lakehead University",
     "likes": ["investigating archives for the history department", "running experiments in the lab"],
     "dislikes": ["marking undergraduate essays"]}]}
OLGA = {"candidate_id": "other-olga", "name": "Olga Other", "crm_url": "https://other.example.com/olga",
        "jobs": [{"title": "Legal Researcher", "employer": "Other Agency Client",
                  "likes": ["legal research on CanLII", "drafting memos"], "dislikes": []},
                 {"title": "Clerk", "likes": ["digging through case law"], "dislikes": []}]}


OTHER_RECRUITER, PASSWORD = "rita@other.example", "a long enough password"


@pytest.fixture
def demo(app, client, connection, live_url):
    """The demo pool plus Dev in `connection`; Olga in another connection of the same service."""
    for data in [*demo_candidates(), DEV]:
        ingest_and_analyze(app, client, connection, data)
    with app.app_context():
        other = create_connection(provider="standard", name="Other agency")
        create_recruiter(other.id, OTHER_RECRUITER, PASSWORD)
    ingest_and_analyze(app, client, other, OLGA)
    return live_url, connection, other


def sign_in(page, base: str, token: str) -> None:
    page.goto(base + "/")
    page.get_by_label("API token").fill(token)
    page.get_by_role("button", name="Open the candidate pool").click()
    page.wait_for_url(base + "/pool")


def sign_in_as(page, base: str, email: str, password: str) -> None:
    page.goto(base + "/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(base + "/pool")


def shown(page) -> list[str]:
    """The candidates listed, in order."""
    return page.locator("ol.results h2 a").all_inner_texts()


def test_filter_the_demo_pool_by_a_theme_and_a_skill(page, demo):
    base, connection, _ = demo
    sign_in(page, base, connection.token)
    assert sorted(shown(page)) == ["Ana Moreau", "Ben Adeyemi", "Chen Wei", "Dev Patel"]
    page.locator("summary", has_text="Themes").click()
    passions = page.get_by_role("group", name="Passionate about (all of these)")
    research = passions.get_by_role("checkbox", name="Research & investigation")
    facet = passions.locator("label").filter(has_text="Research & investigation").inner_text()
    assert facet.strip().endswith("(2)")  # the facet count
    research.check()
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(base + "/pool?theme=research")
    assert sorted(shown(page)) == ["Ana Moreau", "Dev Patel"]

    options = page.locator("#skill-list option").evaluate_all("els => els.map(e => e.value)")
    assert "legal research" in options and "market research" in options
    page.get_by_label("Skill").fill("legal res")  # part of a label, not the exact ESCO one
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(base + "/pool?theme=research&skill=legal+res")
    assert shown(page) == ["Ana Moreau"]
    assert page.get_by_text("1 candidate", exact=True).is_visible()

    shared = page.url  # the search is in the URL: opened afresh, it shows the same result
    page.goto(base + "/pool")
    page.goto(shared)
    assert shown(page) == ["Ana Moreau"]
    page.get_by_role("link", name="Remove filter Skill: legal res").click()
    assert sorted(shown(page)) == ["Ana Moreau", "Dev Patel"]


def test_search_by_name_title_or_employer(page, demo):
    base, connection, _ = demo
    sign_in(page, base, connection.token)
    for words, expected in [("chen", ["Chen Wei"]), ("pryce dental", ["Ben Adeyemi"]),
                            ("researcher", ["Dev Patel"]), ("nobody here", [])]:
        page.get_by_label("Name, job title or employer").fill(words)
        page.get_by_role("button", name="Search").click()
        page.wait_for_load_state()
        assert shown(page) == expected, words
    assert page.get_by_text("No candidate matches these filters.").is_visible()


def test_open_a_profile_see_the_evidence_and_the_crm_link(page, demo):
    base, connection, _ = demo
    sign_in(page, base, connection.token)
    page.get_by_role("link", name="Ana Moreau").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Ana Moreau"
    link = page.get_by_role("link", name="Open in the CRM")
    assert link.get_attribute("href") == "https://crm.example.com/candidates/demo-ana"
    assert page.get_by_text("digging through case law on CanLII for the partners").is_visible()
    assert page.get_by_text("liked in 2 of 2 jobs").first.is_visible()
    assert page.get_by_role("link", name="legal research").get_attribute("href").startswith(
        "http://data.europa.eu/esco/skill/")
    assert page.get_by_text("No write-back configured").is_visible()
    assert not page.get_by_text("Engine version").is_visible()  # folded away in the details


def test_re_analyse_and_see_the_new_state(app, page, demo):
    base, connection, _ = demo
    sign_in(page, base, connection.token)
    page.goto(base + "/pool/demo-chen")
    assert page.get_by_text(re.compile(r"^Analysed \d{4}")).is_visible()
    page.get_by_role("button", name="Re-analyse").click()
    page.wait_for_url(base + "/pool/demo-chen")
    requested = page.get_by_role("status").inner_text()
    assert requested.startswith("Re-analysis requested at ")
    moment = requested.removeprefix("Re-analysis requested at ").rstrip(".")
    assert page.get_by_text(f"Waiting for analysis since {moment}").is_visible()
    with app.app_context():  # the worker's turn
        row = db.session.query(Candidate).filter_by(external_id="demo-chen").one()
        pipeline.analyze(row.id, row.history_version)
    page.reload()
    assert page.get_by_text(f"Checked again at {moment}: the analyser has not changed").is_visible()


def test_export_the_current_result_as_csv(page, demo, tmp_path):
    base, connection, _ = demo
    sign_in(page, base, connection.token)
    page.goto(base + "/pool?theme=research&sort=strength")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    saved = tmp_path / "export.csv"
    download.value.save_as(saved)
    with saved.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(r["name"] for r in rows) == ["Ana Moreau", "Dev Patel"]
    assert all("Research & investigation" in r["passions"] for r in rows)


def test_one_connection_never_sees_anothers_candidates(page, demo):
    """Rita, a recruiter of the other connection, signed in with her own account."""
    base, connection, _ = demo
    sign_in_as(page, base, OTHER_RECRUITER, PASSWORD)
    assert page.get_by_text(f"{OTHER_RECRUITER} · Other agency").is_visible()
    assert shown(page) == ["Olga Other"]
    for url in ["/pool/demo-ana", "/pool/demo%2Dana", "/pool/DEMO-ANA", "/pool/extra-dev"]:
        response = page.goto(base + url)
        assert response.status == 404, url
        assert page.get_by_role("heading", name="Not Found").is_visible()
    for query in ["q=ana", "q=moreau", "skill=legal", "theme=research"]:
        page.goto(f"{base}/pool?{query}")
        assert "Ana Moreau" not in shown(page) and "Dev Patel" not in shown(page), query
    for query in ["", "?q=ana", "?theme=research"]:  # with the browser's cookies
        csv_text = page.request.get(f"{base}/pool.csv{query}").text()
        assert "demo-" not in csv_text and "extra-dev" not in csv_text, query
    page.goto(base + "/pool/other-olga")  # a page of one's own, whose form carries a CSRF token
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    answer = page.request.post(base + "/pool/demo-ana/reanalyze", form={"csrf_token": token},
                               headers={"Referer": base + "/pool/other-olga"}, max_redirects=0)
    assert answer.status == 404
    page.context.clear_cookies()
    sign_in(page, base, connection.token)
    assert page.goto(base + "/pool/other-olga").status == 404
    page.goto(base + "/pool?q=olga")
    assert shown(page) == []


@pytest.mark.parametrize("width", [SIDE_PANEL, DESKTOP])
def test_every_page_is_accessible_and_fits(page, demo, width):
    base, connection, _ = demo
    page.set_viewport_size({"width": width, "height": 800})
    pages = ["/pool", "/pool?theme=research&skill=legal&q=ana&exclude_aversion=numbers&sort=strength",
             "/pool?theme=nonsense", "/pool/demo-ana", "/pool/extra-dev", "/pool/nobody"]
    page.goto(base + "/")
    assert serious_violations(page) == []
    sign_in(page, base, connection.token)
    for url in pages:
        page.goto(base + url)
        assert serious_violations(page) == [], url
        assert page.evaluate("document.documentElement.scrollWidth") <= width, url
    page.goto(base + "/pool")
    page.locator("summary", has_text="Themes").click()  # the menu open
    assert serious_violations(page) == []
    page.goto(base + "/pool")
    first = page.locator("ol.results li").first.bounding_box()
    assert first is not None and first["y"] + 40 < 800  # the results start on the first screen
