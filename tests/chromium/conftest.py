"""A real headless Chromium (Debian's package, driven by Playwright) against the app served over real HTTP.

Nothing here downloads a browser: Playwright launches `/usr/bin/chromium` (`PASSION_CHROMIUM` overrides).
Where it is missing the tests are skipped with the install command, unless `PASSION_REQUIRE_BROWSER=1` (CI)
makes that an error.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.servers import threaded_server

CHROMIUM = os.environ.get("PASSION_CHROMIUM", "/usr/bin/chromium")
PHONE, SIDE_PANEL, DESKTOP = 390, 400, 1280
SERIOUS = {"serious", "critical"}


def _browser_or_skip() -> None:
    if Path(CHROMIUM).exists():
        return
    message = f"no browser at {CHROMIUM}: `apt-get install chromium chromium-driver` (make browser)"
    if os.environ.get("PASSION_REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    _browser_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite only: these tests are about the pages, and tests/web runs the same paths on both databases."""
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def live_url(app) -> Iterator[str]:
    """The app on a loopback port, served by a real HTTP server in a thread."""
    with threaded_server(app) as url:
        yield url


@pytest.fixture
def page(chromium) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": DESKTOP, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)"
            for v in results.response["violations"] if v.get("impact") in SERIOUS]
