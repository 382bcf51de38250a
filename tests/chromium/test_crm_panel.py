"""The embedded CRM panel in a real browser: a host page on an origin the connection lists frames the panel
and the profile renders in it; on any other origin Chromium blocks the frame (frame-ancestors); in a 400 px
panel nothing scrolls sideways and axe-core finds no serious or critical violation."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from plugin.cli.demo import demo_candidates
from plugin.extensions import db
from plugin.panel import links
from plugin.storage.models import Candidate, Connection
from tests.chromium.conftest import SIDE_PANEL, serious_violations
from tests.conftest import ingest_and_analyze
from tests.servers import serving


@contextmanager
def host_page(iframe_src: str) -> Iterator[int]:
    """A stand-in for the CRM: one page that shows the panel in a 400 px side iframe; yields its port."""
    body = (f'<!doctype html><html lang="en"><title>CRM</title><main><h1>The CRM</h1>'
            f'<iframe src="{iframe_src}" title="Passion Tagger" width="{SIDE_PANEL}" height="800">'
            f'</iframe></main></html>').encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    with serving(ThreadingHTTPServer(("127.0.0.1", 0), Handler)) as url:
        yield int(url.rsplit(":", 1)[1])


@pytest.fixture
def panel_url(app, client, connection, live_url) -> str:
    """Ana's panel URL on the live server."""
    ana = next(data for data in demo_candidates() if data["candidate_id"] == "demo-ana")
    ingest_and_analyze(app, client, connection, ana)
    with app.app_context():
        app.config["PUBLIC_URL"] = live_url
        return links.issue(db.session.query(Candidate).filter_by(external_id="demo-ana").one()).url


def _allow(app, connection_id: str, origin: str) -> None:
    """Set directly: the CLI and API take https origins only, and these test hosts are plain http."""
    with app.app_context():
        db.session.get(Connection, connection_id).frame_ancestors = origin
        db.session.commit()


def test_an_allowed_crm_origin_shows_the_profile_in_its_side_panel(app, connection, panel_url, page):
    with host_page(panel_url) as port:
        _allow(app, connection.id, f"http://localhost:{port}")
        page.set_viewport_size({"width": 1000, "height": 900})
        page.goto(f"http://localhost:{port}/")
        frame = page.frame_locator("iframe")
        frame.get_by_role("heading", name="Ana Moreau", level=1).wait_for()
        assert frame.get_by_role("heading", name="Passion profile").is_visible()
        assert frame.get_by_role("heading", name="Evidence by job").is_visible()
        assert frame.locator("form").count() == 0
        assert frame.get_by_role("link", name="← Candidate pool").count() == 0
        inner = page.locator("iframe").element_handle().content_frame()
        assert inner.evaluate("document.documentElement.scrollWidth") <= SIDE_PANEL
        assert page.context.cookies() == []  # the signed URL is the credential: no cookie anywhere


def test_an_origin_not_listed_sees_a_blocked_frame(app, connection, panel_url, page):
    with host_page(panel_url) as allowed, host_page(panel_url) as other:
        _allow(app, connection.id, f"http://localhost:{allowed}")
        with page.expect_console_message(lambda m: "frame-ancestors" in m.text) as refused:
            page.goto(f"http://localhost:{other}/")
        assert f"http://localhost:{allowed}" in refused.value.text
        assert page.frame_locator("iframe").get_by_role("heading", name="Ana Moreau").count() == 0
        assert page.get_by_role("heading", name="The CRM").is_visible()


def test_no_origin_configured_frames_nowhere(connection, panel_url, page):
    with host_page(panel_url) as port:
        with page.expect_console_message(lambda m: "frame-ancestors 'none'" in m.text
                                         or "X-Frame-Options" in m.text):
            page.goto(f"http://localhost:{port}/")
        assert page.frame_locator("iframe").get_by_role("heading", name="Ana Moreau").count() == 0


def test_the_panel_at_400_px_is_accessible_and_never_scrolls_sideways(panel_url, page):
    page.set_viewport_size({"width": SIDE_PANEL, "height": 800})
    page.goto(panel_url)
    assert page.get_by_role("heading", name="Ana Moreau", level=1).is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= SIDE_PANEL
    assert serious_violations(page) == []
