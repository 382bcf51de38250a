#!/usr/bin/env python3
"""Screenshots of the recruiter pages for docs/screenshots/: the demo pool, a profile, its explanation and
the audit log, wide (1280 px) and in a CRM side panel (400 px), and the embedded CRM panel (400 px), taken
by Playwright driving Debian's /usr/bin/chromium (nothing downloaded).

The app runs in-process on a throwaway SQLite database with an in-memory broker; the demo candidates arrive
through the signed webhook and are analysed in-process, as tests/conftest.py's ingest_and_analyze does.

usage: scripts/screenshots.py [--out docs/screenshots] [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import uuid
from pathlib import Path

from werkzeug.serving import make_server

from plugin import create_app
from plugin.cli.demo import demo_candidates
from plugin.extensions import db
from plugin.receiving.connectors.signing import sign_headers
from plugin.storage.connections import create_connection
from plugin.storage.migrations_runner import upgrade_database
from plugin.storage.models import Candidate
from workers import pipeline

SHOTS = [("pool", "/pool?theme=research"), ("pool-all", "/pool"), ("filters", "/pool"),
         ("profile", "/pool/demo-ana"), ("explanation", "/explanations/demo-ana"), ("audit", "/audit")]
WIDTHS = {"wide": 1280, "panel": 400}


def _fill(app, client) -> str:
    """The demo pool through the real webhook; returns the connection's API token."""
    with app.app_context():
        issued = create_connection(provider="standard", name="Demo CRM")
    for data in demo_candidates():
        body = json.dumps({"type": "candidate.created", "data": data}).encode()
        headers = sign_headers(issued.secret, f"msg_{uuid.uuid4().hex}", body)
        headers["content-type"] = "application/json"
        assert client.post(f"/webhooks/{issued.id}", data=body, headers=headers).status_code == 202
        with app.app_context():
            row = db.session.query(Candidate).filter_by(external_id=data["candidate_id"]).one()
            pipeline.analyze(row.id, row.history_version)
    return issued.token


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATA_DIR": tmp, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/shots.db",
                          "BROKER_URL": "memory://", "SECRET_KEY": "screenshots"})
        with app.app_context():
            upgrade_database()
        token = _fill(app, app.test_client())
        server = make_server("127.0.0.1", 0, app, threaded=True)
        app.config["PUBLIC_URL"] = f"http://127.0.0.1:{server.server_port}"  # what panel URLs point at
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            _shoot(f"http://127.0.0.1:{server.server_port}", token, args.out, args.chromium)
        finally:
            server.shutdown()


def _shoot(base: str, token: str, out: Path, chromium: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        for size, width in WIDTHS.items():
            page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
            page.goto(base + "/")
            page.screenshot(path=str(out / f"sign-in-{size}.png"))
            page.get_by_label("API token").fill(token)
            page.get_by_role("button", name="Open the candidate pool").click()
            page.wait_for_url(base + "/pool")
            for name, url in SHOTS:
                page.goto(base + url)
                if name == "filters":
                    page.locator("summary", has_text="Themes").click()
                page.screenshot(path=str(out / f"{name}-{size}.png"), full_page=name != "pool-all")
        _shoot_crm_panel(browser, base, token, out)
        browser.close()


def _shoot_crm_panel(browser, base: str, token: str, out: Path) -> None:  # type: ignore[no-untyped-def]
    """The panel as a CRM's side panel shows it: a URL minted by the API, opened without signing in."""
    context = browser.new_context(viewport={"width": WIDTHS["panel"], "height": 900})
    minted = context.request.post(base + "/api/candidates/demo-ana/panel-link",
                                  headers={"Authorization": f"Bearer {token}"})
    page = context.new_page()
    page.goto(minted.json()["url"])
    page.screenshot(path=str(out / "crm-panel.png"), full_page=True)
    context.close()


if __name__ == "__main__":
    main()
