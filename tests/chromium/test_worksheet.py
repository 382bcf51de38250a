"""The candidate's passion worksheet in a real browser: a link from the API, two jobs filled in, the draft
found after a reload, submit, the passions and their skills, a rejected theme on the recruiter's page;
refused links; axe at phone and desktop widths on every worksheet page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.chromium.conftest import DESKTOP, PHONE, serious_violations
from tests.chromium.test_recruiter_pages import sign_in
from tests.worksheet_support import analyze_latest, crm_candidate, expire, new_link, path_of

JOB_1_LIKES = "legal research on CanLII\ndrafting memos\nfinding the precedent that decides a motion"
JOB_2_LIKES = "researching case law\nwriting research memos"


@pytest.fixture
def link(app, client, connection, live_url):
    crm_candidate(app, client, connection)
    crm_candidate(app, client, connection, "other-candidate")
    return new_link(client, connection)


def fill_two_jobs(page) -> None:
    """The CRM's job is there already; the candidate writes about it and adds the one the CRM lacks."""
    assert page.get_by_label("Job title").first.input_value() == "Law Clerk"
    page.locator("#jobs-0-likes").fill(JOB_1_LIKES)
    page.locator("#jobs-0-dislikes").fill("chasing unpaid invoices")
    page.locator("#jobs-1-title").fill("Paralegal")
    page.locator("#jobs-1-employer").fill("Legal Aid Clinic")
    page.locator("#jobs-1-likes").fill(JOB_2_LIKES)
    page.locator("#jobs-1-dislikes").fill("billing clients")


def test_fill_reload_submit_see_result_and_correct_it(app, page, link, live_url, connection):
    url = live_url + path_of(link)
    page.goto(url)
    fill_two_jobs(page)
    expect(page.locator("#autosave-status")).to_contain_text("Saved as you type")

    page.reload()  # the autosaved draft, not the CRM's bare job, comes back
    assert page.locator("#jobs-0-likes").input_value() == JOB_1_LIKES
    assert page.locator("#jobs-1-title").input_value() == "Paralegal"

    page.get_by_role("button", name="Send and see my result").click()
    page.wait_for_url(url + "/result")
    assert page.get_by_role("heading", name="Your result is on its way").is_visible()
    analyze_latest(app)  # the worker's pipeline, in-process
    ready = page.get_by_role("link", name="Your result is ready: open it")
    expect(ready).to_be_visible(timeout=15_000)  # the waiting page's script noticed
    ready.click()
    research = page.locator("#passion-research")
    assert research.get_by_role("heading", name="Research & investigation").is_visible()
    assert research.get_by_text("legal research on CanLII").is_visible()
    assert research.locator(".skill").count() in (1, 2)
    assert research.get_by_text("legal research", exact=True).is_visible()
    assert page.get_by_role("heading", name="Search job listings for").is_visible()
    assert page.get_by_text("Legal research on CanLII (Law Clerk, Smith LLP)").is_visible()

    research.get_by_text("That's not me / add a note").click()
    research.get_by_label("That's not me").check()
    research.get_by_label("A note for your recruiter").fill("I like <b>writing</b> more")
    research.get_by_role("button", name="Save for").click()
    assert research.get_by_text("you said: that's not me").is_visible()
    # shown as typed, not as markup
    assert research.locator(".note").inner_text() == "Your note: I like <b>writing</b> more"

    sign_in(page, live_url, connection.token)
    page.goto(live_url + "/pool/cand-1")
    panel = page.locator(".worksheet-panel")
    assert panel.get_by_text("Research & investigation").is_visible()
    assert panel.get_by_text("“that's not me”").is_visible()
    assert panel.get_by_text("I like <b>writing</b> more").is_visible()


def test_a_field_error_is_shown_next_to_the_field_and_nothing_is_saved(page, link, live_url):
    url = live_url + path_of(link)
    page.goto(url)
    page.locator("#jobs-0-start").fill("2022-01")  # after the job's end (2021-06)
    page.locator("#jobs-0-likes").fill("legal research")
    page.get_by_role("button", name="Save and finish later").click()
    assert page.locator("#jobs-0-end-error").get_by_text("Must not be before start.").is_visible()
    assert page.locator("#jobs-0-end").get_attribute("aria-invalid") == "true"
    page.goto(url)
    assert page.locator("#jobs-0-likes").input_value() == ""  # nothing half-saved


def test_the_worksheet_works_without_javascript(chromium, link, live_url):
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        url = live_url + path_of(link)
        page.goto(url)
        page.locator("#jobs-0-likes").fill("legal research")
        page.get_by_role("button", name="Add another job").click()
        page.locator("#jobs-1-title").fill("Paralegal")
        page.get_by_role("button", name="Save and finish later").click()
        assert page.get_by_text("Saved. You can close this page").is_visible()
        assert page.locator("#jobs-1-title").input_value() == "Paralegal"
    finally:
        context.close()


def test_keyboard_only_from_the_skip_link_to_sending(app, page, link, live_url):
    url = live_url + path_of(link)
    page.goto(url)
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to the content")).to_be_focused()
    page.keyboard.press("Tab")  # the advice, then the first job's fields in reading order
    expect(page.locator(".advice summary")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#jobs-0-title")).to_be_focused()
    for expected in ("#jobs-0-employer", "#jobs-0-start"):
        page.keyboard.press("Tab")
        expect(page.locator(expected)).to_be_focused()
    page.locator("#jobs-0-likes").focus()
    page.keyboard.type("legal research on CanLII")
    page.locator("#jobs-1-title").focus()
    page.keyboard.type("Paralegal")
    page.keyboard.press("Tab")
    expect(page.locator("#jobs-1-employer")).to_be_focused()
    page.locator("#jobs-1-likes").focus()  # (a month field holds two stops of its own: month and year)
    page.keyboard.type("researching case law")
    page.get_by_role("button", name="Send and see my result").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(url + "/result")
    analyze_latest(app)
    page.goto(url + "/result")
    page.locator("#passion-research summary").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.locator("#passion-research-rejected")).to_be_focused()
    page.keyboard.press("Space")
    page.locator("#passion-research button").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#passion-research .badge")).to_have_text("you said: that's not me")


def test_the_result_prints_without_forms_or_links(app, client, page, link, live_url):
    url = live_url + path_of(link)
    page.goto(url)
    fill_two_jobs(page)
    page.get_by_role("button", name="Send and see my result").click()
    page.wait_for_url(url + "/result")
    analyze_latest(app)
    page.goto(url + "/result")
    page.emulate_media(media="print")
    assert page.locator(".correct").first.is_hidden()
    assert page.get_by_role("link", name="Change your answers").is_hidden()
    assert page.locator("#passion-research").is_visible()
    assert page.get_by_text("Lines for your resume, in your own words").is_visible()
    assert page.pdf(format="A4").startswith(b"%PDF")  # "Save as PDF" in the same browser


@pytest.mark.parametrize("spoil", ["expired", "revoked", "tampered"])
def test_a_spoiled_link_is_refused(app, client, connection, page, link, live_url, spoil):
    path = path_of(link)
    if spoil == "expired":
        expire(app, link["link_id"])
    elif spoil == "revoked":
        answer = client.delete(f"/api/candidates/cand-1/worksheet-links/{link['link_id']}",
                               headers={"Authorization": f"Bearer {connection.token}"})
        assert answer.status_code == 204
    else:
        path = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    answer = page.goto(live_url + path)
    assert answer.status == {"expired": 410, "revoked": 410, "tampered": 404}[spoil]
    assert page.get_by_role("heading", name={"expired": "This link has expired",
                                             "revoked": "This link was withdrawn",
                                             "tampered": "This link does not work"}[spoil]).is_visible()
    assert page.get_by_label("Job title").count() == 0
    assert page.goto(live_url + path + "/result").status == answer.status


def test_another_candidates_data_is_never_reachable(app, client, connection, page, link, live_url):
    other = new_link(client, connection, "other-candidate")
    page.goto(live_url + path_of(other))
    page.locator("#jobs-0-likes").fill("secret of the other candidate")
    page.get_by_role("button", name="Save and finish later").click()
    page.goto(live_url + path_of(link))
    assert "secret of the other candidate" not in page.content()
    # the bare link id in place of the signed token opens nothing
    assert page.goto(live_url + "/worksheet/" + other["link_id"]).status == 404


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_worksheet_pages_have_no_serious_accessibility_violations(app, page, link, live_url, width):
    page.set_viewport_size({"width": width, "height": 900})
    url = live_url + path_of(link)
    page.goto(url)
    assert serious_violations(page) == []
    fill_two_jobs(page)
    page.locator("#jobs-1-start").fill("2022-05")
    page.locator("#jobs-1-end").fill("2021-01")
    page.get_by_role("button", name="Save and finish later").click()  # the page with field errors
    assert page.locator(".field-error").count() == 1
    assert serious_violations(page) == []
    page.locator("#jobs-1-end").fill("")
    page.get_by_role("button", name="Send and see my result").click()
    page.wait_for_url(url + "/result")
    assert serious_violations(page) == []  # waiting for the analysis
    analyze_latest(app)
    page.goto(url + "/result")
    page.locator("#passion-research summary").click()
    assert serious_violations(page) == []
    page.goto(live_url + "/worksheet/not-a-token")
    assert serious_violations(page) == []
