"""Screenshots of the candidate's worksheet and result, phone (390 px) and desktop (1280 px), for docs/,
and of the recruiter's candidate page with the candidate's correction.

    python scripts/worksheet_screenshots.py [--out docs/screenshots] [--chromium /usr/bin/chromium]

The app runs over real HTTP on a throwaway SQLite database and an in-memory broker; Playwright drives
Debian's Chromium (nothing downloads a browser); the analysis runs in-process through the worker's pipeline.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
from pathlib import Path

from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from plugin import create_app  # noqa: E402
from plugin.storage.connections import create_connection  # noqa: E402
from plugin.storage.migrations_runner import upgrade_database  # noqa: E402
from tests.worksheet_support import analyze_latest, crm_candidate, new_link, path_of  # noqa: E402

JOBS = [
    ("#jobs-0-likes", "tracking down the one case that decided the motion\ndrafting first versions of "
                      "client letters\nuntangling a messy file nobody understood"),
    ("#jobs-0-dislikes", "chasing unpaid invoices\nthe same filing checklist every Friday"),
    ("#jobs-1-title", "Legal assistant"), ("#jobs-1-employer", "Community Legal Clinic"),
    ("#jobs-1-start", "2016-09"), ("#jobs-1-end", "2019-01"),
    ("#jobs-1-likes", "legal research for tenants' hearings\nwriting plain-language guides\nhelping "
                      "clients who had nowhere else to go"),
    ("#jobs-1-dislikes", "billing and invoices\nscheduling the same meetings over and over"),
]
WIDTHS = {"phone": 390, "desktop": 1280}


def _serve(app) -> str:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}"


def _recruiter_panel(page, url: str, token: str, out: Path) -> None:
    """The candidate rejects a theme; the recruiter's candidate page shows it in the worksheet panel."""
    page.goto(url + "/result")
    page.locator("#passion-research summary").click()
    page.locator("#passion-research-rejected").check()
    page.locator("#passion-research-note").fill("I would rather write than dig")
    page.locator("#passion-research button").click()
    base = url.split("/worksheet/")[0]
    page.goto(base + "/")
    page.get_by_label("API token").fill(token)
    page.get_by_role("button", name="Open the candidate pool").click()
    page.goto(base + "/pool/cand-1")
    page.screenshot(path=str(out / "recruiter-panel-desktop.png"), full_page=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp())
    app = create_app({"DATA_DIR": str(data), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{data / 'p.db'}",
                      "BROKER_URL": "memory://", "SECRET_KEY": "screenshots", "PUBLIC_URL": "http://x"})
    with app.app_context():
        upgrade_database()
        issued = create_connection(provider="standard", name="Screenshots")
    client = app.test_client()
    crm_candidate(app, client, issued)
    path = path_of({"url": new_link(client, issued)["url"].replace("http://x", "http://testserver")})
    url = _serve(app) + path
    args.out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": WIDTHS["desktop"], "height": 900})
        page.goto(url)
        for selector, value in JOBS:
            page.locator(selector).fill(value)
        page.get_by_role("button", name="Save and finish later").click()
        for name, width in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(url)
            page.screenshot(path=str(args.out / f"worksheet-{name}.png"), full_page=True)
        page.get_by_role("button", name="Send and see my result").click()
        analyze_latest(app)
        for name, width in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(url + "/result")
            page.screenshot(path=str(args.out / f"result-{name}.png"), full_page=True)
        _recruiter_panel(page, url, issued.token, args.out)
        browser.close()
    print("\n".join(str(p) for p in sorted(args.out.glob("*.png"))))


if __name__ == "__main__":
    main()
