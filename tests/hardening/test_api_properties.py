"""Hypothesis on the recruiter API and pages with raw query strings and path ids schemathesis would not
write: any text, any bytes percent-encoded. A 4xx or a page, never a 500, never work queued."""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.browser import sign_in
from tests.hardening.strategies import nasty_text
from tests.hardening.support import auth

RAW = settings(max_examples=40, deadline=None, database=None,
               suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
ARG_NAMES = st.sampled_from(["theme", "aversion", "exclude_aversion", "skill", "q", "sort", "page",
                             "page_size", "themes", ""]) | nasty_text
ARG_VALUES = (nasty_text | st.integers(-(2**80), 2**80).map(str)
              | st.sampled_from(["research", "strength", "1", "0", "-1", "1e3", "", "null", "[]", "%00"]))
query_strings = st.lists(st.tuples(ARG_NAMES, ARG_VALUES), max_size=6).map(
    lambda pairs: "&".join(f"{quote(k.encode('utf-8', 'surrogatepass'))}="
                           f"{quote(v.encode('utf-8', 'surrogatepass'))}" for k, v in pairs))
path_ids = (nasty_text | st.binary(max_size=40).map(lambda b: b.decode("latin-1"))).filter(bool).map(
    lambda text: quote(text.encode("utf-8", "surrogatepass"), safe=""))


def _signed_in_browser(app, token: str):
    browser = app.test_client()
    assert sign_in(browser, token).status_code == 302
    return browser


@RAW
@given(query=query_strings)
def test_any_query_string(app, client, connection, redis_client, query: str) -> None:
    api = client.get(f"/api/candidates?{query}", headers=auth(connection.token))
    assert api.status_code in {200, 422}, (query, api.data[:300])
    if api.status_code == 422:
        assert api.json["errors"]["query"]
    browser = _signed_in_browser(app, connection.token)
    page = browser.get(f"/pool?{query}")
    # the page refuses what the API refuses (400, the reasons in words), and sends a form's query string
    # on to its short form (302), which then answers
    assert page.status_code in {200, 302, 400}, (query, page.data[:300])
    if page.status_code == 400:
        assert "were not understood" in page.get_data(as_text=True)
    if page.status_code == 302:
        assert browser.get(page.headers["Location"]).status_code == 200, (query, page.headers["Location"])


@RAW
@given(external_id=path_ids)
def test_any_path_id(app, client, connection, redis_client, external_id: str) -> None:
    headers = auth(connection.token)
    misses = {404, 405, 308}  # 308: Werkzeug merges a doubled slash by redirecting
    assert client.get(f"/api/candidates/{external_id}", headers=headers).status_code in misses
    assert client.post(f"/api/candidates/{external_id}/reanalyze", headers=headers).status_code in misses
    assert _signed_in_browser(app, connection.token).get(f"/pool/{external_id}").status_code in misses
    assert redis_client.llen("passion") == 0
