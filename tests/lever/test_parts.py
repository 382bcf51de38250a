"""The parts on their own: Lever's parsed dates and positions as employments (each job once, whatever
order Lever lists resumes in), and the client's pagination guard."""

from __future__ import annotations

import pytest

from plugin.receiving.connectors import CrmAccount, CrmError
from plugin.receiving.connectors.lever.api import LeverClient
from schemas.crm_history import build_history
from schemas.lever import employments, month_of
from tests.lever.conftest import RESUME_2022, RESUME_2024
from tests.lever_fake import API_KEY, position


def test_parsed_dates():
    assert month_of({"year": 2019, "month": 3}, end=False) == "2019-03"
    assert month_of({"year": "2019", "month": "11"}, end=True) == "2019-11"
    # a year alone: its January as a start, its December as an end (not unknown: that reads as current)
    assert month_of({"year": 2019}, end=False) == "2019-01"
    assert month_of({"year": 2019, "month": 13}, end=True) == "2019-12"
    for unknown in (None, {}, {"month": 4}, {"year": 1850, "month": 1}, {"year": True, "month": 1},
                    {"year": "２０１９"}, {"year": 2019.5}, "2019-03"):
        assert month_of(unknown, end=False) is None, unknown


def _resume(positions):
    return {"id": "r", "parsedData": {"positions": positions, "schools": []}}


def test_positions_become_one_history_whatever_the_order_received():
    resumes = [_resume(RESUME_2024), _resume(RESUME_2022), _resume([position("Clerk", "X", None, None)])]
    first = build_history("c", employments(resumes), None)
    assert build_history("c", employments(list(reversed(resumes))), None) == first
    assert [(j["title"], j["employer"]) for j in first["jobs"]] == [
        ("Law Clerk", "Firm A"), ("Clerk", "X"), ("Paralegal", "Firm B"), ("Intern", "Firm C")]


def test_odd_positions_are_cleaned_or_passed_over():
    noisy = position("Analyst\x00 ", "Bank\n", (2020, 1), (2019, 1), "Built models.\x07\n\n  Led a team.  ")
    resumes = [{"parsedData": None}, {"parsedData": {"positions": "none"}}, "resume",
               _resume([noisy, "not a position", {"title": 7, "org": ["x"]}])]
    history = build_history("c", employments(resumes), None)
    assert history["jobs"] == [{"title": "Analyst", "employer": "Bank", "start": "2020-01", "end": None,
                                "description": "Built models.\nLed a team.", "likes": [], "dislikes": []}]


def test_a_next_offset_that_repeats_is_refused(app, lever):
    client = LeverClient(CrmAccount("con_x", "lever", {"api_key": API_KEY}), app.config, shared=False)
    original = lever._list

    def stuck(query, rows):
        status, extra, answer = original(query, rows)
        return status, extra, {**answer, "hasNext": True, "next": "MA=="}  # offset 0, again and again

    lever._list = stuck
    with pytest.raises(CrmError, match="repeats"):
        list(client.pages("/v1/opportunities", {}))
    assert len(lever.calls) == 2


def test_the_key_travels_as_basic_auth_user_name_and_never_in_a_repr(app, lever):
    account = CrmAccount("con_x", "lever", {"api_key": "k-secret"})
    assert "k-secret" not in repr(account)
    with pytest.raises(CrmError, match=r"refused the credentials \(401\)") as refused:
        LeverClient(account, app.config, shared=False).check_credentials()
    assert refused.value.retryable is False
    working = CrmAccount("con_x", "lever", {"api_key": API_KEY})
    LeverClient(working, app.config, shared=False).check_credentials()
    assert [c.status for c in lever.calls] == [401, 200]
