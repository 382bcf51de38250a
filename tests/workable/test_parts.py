"""The parts on their own: entry dates and HTML summaries as the canonical history, the signature and
delivery id on the raw bytes, events mapped or ignored, the tags merge, and the client's paging guard."""

from __future__ import annotations

import hashlib
import time

import pytest
from marshmallow import ValidationError

from plugin.receiving.connectors import CrmAccount, CrmError
from plugin.receiving.connectors.signing import SignatureError
from plugin.receiving.connectors.workable import inbound
from plugin.receiving.connectors.workable.api import WorkableClient, api_url
from plugin.receiving.connectors.workable.tags import TagPlan, merged, plan_for
from schemas.crm_history import build_history
from schemas.workable import employments, html_to_text, month_of
from tests.workable.conftest import ENTRIES
from tests.workable_fake import API_TOKEN, sign

ACCOUNT = CrmAccount("con_1", "workable", {"subdomain": "acme", "api_token": API_TOKEN})


def test_entries_become_the_canonical_history_with_html_summaries_as_text():
    history = build_history("108d1748", employments(ENTRIES), None)
    assert [(j["title"], j["employer"], j["start"], j["end"]) for j in history["jobs"]] == [
        ("Executive Assistant", "Overflow Furnishings", "2021-01", None),
        ("Office Clerk", "Groove Ltd", "2018-03", "2020-12")]
    assert history["jobs"][0]["description"] == (
        "Ran the office & the budget.\nBooked travel for 12 people\nWrote the weekly newsletter")
    assert history["jobs"][1]["description"] == "Filed everything."


def test_html_and_dates_edge_cases():
    assert html_to_text("<script>alert(1)</script><div>A &lt;b&gt; x</div><br>B") == "A <b> x\nB"
    assert html_to_text("plain  text") == "plain text"
    assert html_to_text(None) is None and html_to_text("<p> </p>") is None
    assert month_of("2013-01-01") == "2013-01" and month_of("2013-11-30T00:00:00Z") == "2013-11"
    for unknown in (None, "", "01/01/2013", "1850-01-01", "2013-13-01", 2013):
        assert month_of(unknown) is None, unknown


def test_a_current_entry_has_no_end_and_odd_rows_are_passed_over():
    rows = employments([{"title": "Chef", "company": "Bistro", "start_date": "2019-05-01",
                         "end_date": "2020-01-01", "current": True}, "junk", {"company": "NoTitle"}])
    assert [(r.title, r.end) for r in rows] == [("Chef", None), (None, None)]
    assert employments(None) == [] and employments({"title": "x"}) == []


def test_the_signature_is_checked_on_the_raw_bytes_in_constant_time():
    body = b'{"id":"evt_1","event_type":"candidate_moved","data":{"id":"c1"}}'
    assert inbound.verify([API_TOKEN], {"X-Workable-Signature": sign(API_TOKEN, body)}, body) == \
        "workable:evt_1"
    assert inbound.verify(["old", API_TOKEN], {"X-Workable-Signature": sign(API_TOKEN, body).upper()},
                          body) == "workable:evt_1"
    for headers, sent in (({}, body), ({"X-Workable-Signature": sign("other-token", body)}, body),
                          ({"X-Workable-Signature": sign(API_TOKEN, body)}, body + b" "),
                          ({"X-Workable-Signature": "not hex"}, body)):
        with pytest.raises(SignatureError):
            inbound.verify([API_TOKEN], headers, sent)


def test_a_numeric_envelope_id_is_the_delivery_id_too():
    body = b'{"id":123,"event_type":"candidate_moved","data":{"id":"c1"}}'
    assert inbound.verify([API_TOKEN], {"X-Workable-Signature": sign(API_TOKEN, body)}, body) == \
        "workable:123"


def test_without_an_envelope_id_the_delivery_id_is_the_signed_bodys_digest():
    body = b'{"event_type":"candidate_moved","data":{"id":"c1"}}'
    assert inbound.verify([API_TOKEN], {"X-Workable-Signature": sign(API_TOKEN, body)}, body) == \
        "sha256:" + hashlib.sha256(body).hexdigest()


def test_candidate_events_become_thin_changes_and_others_are_ignored():
    moved = inbound.load_event({"id": "e", "fired_at": "2026-05-02T10:00:00Z",
                                "event_type": "candidate_moved", "resource_type": "candidate",
                                "data": {"id": "108d1748", "name": "x"}})
    assert moved is not None and (moved.type, moved.external_id, moved.fetch) == (
        "candidate.changed", "108d1748", ("108d1748",))
    assert moved.history is None and moved.occurred_at is not None
    assert inbound.load_event({"event_type": "candidate_created", "data": {"id": "c2"}}).fetch == ("c2",)
    odd = inbound.load_event({"id": 7, "fired_at": "yesterday", "event_type": "candidate_moved",
                              "data": {"id": "c3"}})  # unconfirmed fields in another shape: still taken
    assert odd is not None and odd.occurred_at is None
    assert inbound.load_event({"event_type": "employee_created", "data": {"id": "e1"}}) is None
    with pytest.raises(ValidationError) as refused:
        inbound.load_event({"event_type": "candidate_moved", "data": {"name": "no id"}})
    assert "data" in refused.value.messages and "id" in refused.value.messages["data"]


def test_the_merge_keeps_others_tags_and_replaces_only_ours():
    plan = plan_for(ACCOUNT, "c1", ["passion:research"], {"tags": ["worksheet:awaiting"]})
    assert plan == TagPlan(ACCOUNT, "c1", ["passion:research"], ["worksheet:awaiting"])
    assert merged(["Senior", "worksheet:awaiting", "passion:writing"], plan) == [
        "Senior", "passion:writing", "passion:research"]
    assert merged(["PASSION:RESEARCH", "Worksheet:Awaiting"], plan) == ["PASSION:RESEARCH"]
    assert plan_for(ACCOUNT, "c1", ["a"], {"tags": ["a"]}) is None


def test_the_subdomain_must_be_a_dns_label():
    config = {"WORKABLE_API_URL": "https://{subdomain}.workable.com"}
    assert api_url(config, "acme-hr") == "https://acme-hr.workable.com"
    for bad in ("", "acme.evil.com", "acme/x", "-acme", "ACME"):
        with pytest.raises(CrmError):
            api_url(config, bad)


def test_a_paging_next_off_the_account_host_is_refused(app, workable, monkeypatch):
    client = WorkableClient(ACCOUNT, app.config)
    monkeypatch.setattr(client, "call", lambda method, url, body=None: None)
    monkeypatch.setattr(client, "json", lambda answer: {"candidates": [{"id": "c1"}],
                                                        "paging": {"next": "https://evil.example/spi/v3/x"}})
    pages = client.candidate_pages({})
    assert next(pages) == [{"id": "c1"}]
    with pytest.raises(CrmError, match="outside the account's API"):
        next(pages)


def test_workables_rate_headers_hold_the_gate(redis_client):
    from plugin.outbound.ratelimit import RateGate, reset_in

    redis_client.delete("passion:ratelimit:workable:parts:blocked")
    gate = RateGate(redis_client, "workable:parts", window_seconds=10, default_limit=10)
    now = time.time()
    spent = {"X-Rate-Limit-Limit": "10", "X-Rate-Limit-Remaining": "0",
             "X-Rate-Limit-Reset": str(int(now) + 4)}
    assert gate.observe(200, spent, now=now) == pytest.approx(int(now) + 4 - now, abs=0.01)
    assert gate.acquire() > 2
    # a reset too small to be a Unix time is a delay in seconds (Workable does not say which it sends)
    assert reset_in({"X-Rate-Limit-Reset": "7"}, now=now) == 7.0
    assert reset_in({"X-RateLimit-Reset": str(int(now) + 3)}, now=now) == pytest.approx(3, abs=1)
