"""How fast the worksheet answers over real HTTP: opening it, an autosave, a submit (through ingest).

    python bench/worksheet_latency.py [--requests N]

Each against GET /healthz measured in the same run. A throwaway SQLite database and an in-memory
broker; the app served by werkzeug in a thread, timed with requests from the same machine (the machine's
load counts: read the ratios).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from plugin import create_app  # noqa: E402
from plugin.storage.connections import create_connection  # noqa: E402
from plugin.storage.migrations_runner import upgrade_database  # noqa: E402
from tests.worksheet_support import crm_candidate, new_link  # noqa: E402


def _percentiles(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    return f"p50 {statistics.median(ms):6.1f} ms  p95 {p95:6.1f} ms  (n={len(ms)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp())
    app = create_app({"DATA_DIR": str(data), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{data / 'p.db'}",
                      "BROKER_URL": "memory://", "SECRET_KEY": "bench", "PUBLIC_URL": "http://x",
                      "WORKSHEET_RATE_LIMIT": 10 * args.requests})
    with app.app_context():
        upgrade_database()
        issued = create_connection(provider="standard", name="Bench")
    client = app.test_client()
    crm_candidate(app, client, issued)
    path = "/worksheet/" + new_link(client, issued)["url"].split("/worksheet/")[1]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}{path}"
    session = requests.Session()
    token = re.search(r'name="csrf_token" value="([^"]+)"', session.get(url).text).group(1)
    form = {"csrf_token": token, "jobs-0-title": "Law Clerk",
            "jobs-0-likes": "legal research\ndrafting memos",
            "jobs-1-title": "Paralegal", "jobs-1-likes": "researching case law"}
    healthz = url.split("/worksheet/")[0] + "/healthz"
    timings: dict[str, list[float]] = {name: [] for name in (
        "GET /healthz (baseline)", "open the worksheet", "autosave", "submit (ingest + queue)")}
    for n in range(args.requests):
        for name, call in (("GET /healthz (baseline)", lambda: session.get(healthz)),
                           ("open the worksheet", lambda: session.get(url)),
                           ("autosave", lambda: session.post(url + "/draft", data=form,
                                                             headers={"X-CSRFToken": token})),
                           ("submit (ingest + queue)", lambda n=n: session.post(
                               url, data={**form, "jobs-1-likes": f"researching case law {n}",
                                          "action": "submit"}, allow_redirects=False))):
            started = time.perf_counter()
            answer = call()
            timings[name].append(time.perf_counter() - started)
            assert answer.status_code in (200, 302), (name, answer.status_code)
    server.shutdown()
    base = statistics.median(timings["GET /healthz (baseline)"])
    for name, samples in timings.items():
        print(f"{name:26} {_percentiles(samples)}  {statistics.median(samples) / base:4.1f}x baseline")


if __name__ == "__main__":
    main()
