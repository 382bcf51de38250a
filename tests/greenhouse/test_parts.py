"""The parts on their own: the shared rate gate on a real Redis, the worksheet convention, the history
mapping, and the client's refusal to follow a Link elsewhere."""

from __future__ import annotations

import time
from email.utils import formatdate

import pytest
import redis as redis_lib

from plugin.outbound.ratelimit import RateGate, retry_after
from plugin.receiving.connectors import CrmAccount, CrmError
from plugin.receiving.connectors.greenhouse.harvest import HarvestClient, next_link
from schemas.crm_history import Employment, build_history
from schemas.greenhouse import month_from_api
from schemas.worksheet import assign_sections, parse_worksheet
from tests.greenhouse_fake import CLIENT_ID, CLIENT_SECRET


@pytest.fixture
def gate(redis_client: redis_lib.Redis) -> RateGate:
    return RateGate(redis_client, "greenhouse:test", window_seconds=2.0, default_limit=3)


def test_the_window_holds_the_default_limit_then_the_learned_one(gate):
    time.sleep(2.0 - time.time() % 2.0 + 0.05)  # start at the beginning of a window
    assert [gate.acquire() == 0 for _ in range(4)] == [True, True, True, False]
    gate.observe(200, {"X-RateLimit-Limit": "5"}, now=time.time())
    assert [gate.acquire() == 0 for _ in range(2)] == [True, True]  # 5 in this window now
    assert 0 < gate.acquire() <= 2.0


def test_a_429_blocks_every_caller_for_at_least_retry_after(gate, redis_client):
    other = RateGate(redis_client, "greenhouse:test", window_seconds=2.0, default_limit=3)
    hold = gate.observe(429, {"Retry-After": "3", "X-RateLimit-Reset": str(int(time.time()) + 1)},
                        now=time.time())
    assert hold == 3.0
    assert 2.9 < other.acquire() <= 3.0  # another worker's gate on the same connection
    gate.block(1.0)  # a shorter block never shortens a longer one
    assert other.acquire() > 2.5


def test_no_call_left_in_the_window_blocks_until_the_reset(gate):
    hold = gate.observe(200, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(time.time()) + 4)},
                        now=time.time())
    assert hold is not None and 3.0 <= hold <= 4.0
    assert gate.acquire() > 2.5


def test_retry_after_forms():
    assert retry_after({"Retry-After": "7"}) == 7.0
    assert 50 < (retry_after({"retry-after": formatdate(time.time() + 60, usegmt=True)}) or 0) <= 60
    assert retry_after({"Retry-After": "\u00b2"}) is None and retry_after({}) is None
    assert retry_after({"Retry-After": "Sat, 01 Jan 2000 00:00:00 GMT"}) == 0  # a past date: now
    assert retry_after({"Retry-After": "soon"}) is None


def test_worksheet_sections_go_to_one_job_each():
    sections = parse_worksheet("notes first\n#  acme\n+ liked  a  lot\n-\n- disliked\n# Nobody\n+ lost\n"
                               "# Clerk at ACME\n+ clerk thing\n")
    jobs = [("Clerk", "Acme"), ("Intern", "Acme"), ("Clerk", "Other")]
    assigned = assign_sections(sections, jobs)
    # the specific heading is placed first; "# acme" then takes the most recent Acme job still free
    assert assigned == [(["clerk thing"], []), (["liked a lot"], ["disliked"]), ([], [])]


def test_history_is_ordered_and_bounded_whatever_the_order_received():
    rows = [Employment("Old", "A", "2010-01", "2012-01"), Employment(None, "B", None, None),
            Employment("Now", "C", "2020-05", None), Employment("Mid", "D", "2015-01", "2014-01")]
    first = build_history(42, rows, None)
    assert [(j["title"], j["start"], j["end"]) for j in first["jobs"]] == [
        ("Now", "2020-05", None), ("Mid", "2015-01", None), ("Old", "2010-01", "2012-01")]
    assert build_history(42, list(reversed(rows)), None) == first
    assert month_from_api("2016-01-01T00:00:00Z") == "2016-01" and month_from_api("01/01/2016") is None


def test_a_link_to_another_origin_is_not_followed(app, greenhouse):
    account = CrmAccount("con_x", "greenhouse", {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})
    greenhouse.add_candidate(1, [("A", "B", "2020-01-01", None)])
    greenhouse.add_candidate(2, [("A", "B", "2020-01-01", None)])
    client = HarvestClient(account, app.config)
    original = greenhouse.base_url
    greenhouse.base_url = "http://evil.example"  # the next Link points elsewhere
    try:
        with pytest.raises(CrmError, match="outside the API"):
            list(client.pages("/v3/candidates", {"per_page": 1}))
    finally:
        greenhouse.base_url = original
    assert next_link({"Link": '<https://x/y?cursor=a>; rel="next"'}) == "https://x/y?cursor=a"
    assert next_link({"Link": '<https://x/y?cursor=a>; rel="prev"'}) is None
    raw = client.redis.get("passion:token:greenhouse:con_x")  # cached encrypted, never in the clear
    assert raw is not None and b"tok-" not in raw


def test_an_accounts_repr_leaves_its_credentials_out():
    from plugin.receiving.connectors.base import CrmAccount

    account = CrmAccount("con_1", "greenhouse", {"client_secret": "s3cr3t-value"})
    assert "s3cr3t-value" not in repr(account) and "con_1" in repr(account)


def test_a_far_off_retry_after_holds_calls_back_an_hour_at_most(gate):
    assert gate.observe(429, {"Retry-After": "999999999"}, now=time.time()) == 3600.0
    assert 3599 < gate.acquire() <= 3600
    gate.client.delete(*gate._keys())  # the gate's name is shared by this module's tests
