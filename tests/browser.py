"""Using the recruiter pages as a browser does: every form posts the CSRF token its page carried."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

_TOKEN = re.compile(r'name="csrf_token"\s+value="([^"]+)"')


def csrf_token(browser: FlaskClient, page: str = "/") -> str:
    """The token in the page's form (the sign-in page's, or a signed-in page's sign-out form)."""
    found = _TOKEN.search(browser.get(page).get_data(as_text=True))
    assert found is not None, f"no CSRF token on {page}"
    return found.group(1)


def sign_in(browser: FlaskClient, token: str) -> TestResponse:
    return browser.post("/", data={"token": token, "csrf_token": csrf_token(browser)})


def sign_out(browser: FlaskClient) -> TestResponse:
    return browser.post("/sign-out", data={"csrf_token": csrf_token(browser, "/pool")})
