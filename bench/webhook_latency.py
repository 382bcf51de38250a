"""How fast the receiver answers a signed webhook, against GET /healthz measured in the same run.

    python bench/webhook_latency.py [--requests N] [--postgres URL --redis URL]

Starts gunicorn (2 workers) on the embedded defaults (SQLite, embedded Redis) unless URLs are given, sends
N distinct signed candidate.created deliveries one after another over real HTTP, and prints the latency
percentiles of both. The target is p95 well under 50 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from plugin import embedded_broker  # noqa: E402
from tests.integration.stack import base_env, create_connection, free_port, passion, processes, web_argv  # noqa: E402
from tests.webhook_sender import event, signed_delivery  # noqa: E402


def _history(n: int) -> dict:
    likes = ["legal research on tricky files", "drafting memos", "cite-checking facta"]
    jobs = [{"title": f"Clerk {j}", "likes": likes, "dislikes": ["phones all day", "billing"]}
            for j in range(4)]
    return {"candidate_id": f"bench-{n}", "jobs": jobs}


def _timed(call) -> float:
    started = time.perf_counter()
    response = call()
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code in (200, 202), response.text
    return elapsed


def _percentiles(samples: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(samples, n=100)
    return {"p50": statistics.median(samples), "p95": cuts[94], "p99": cuts[98]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--postgres", help="PASSION_DATABASE_URL of an empty, dedicated database")
    parser.add_argument("--redis", help="PASSION_BROKER_URL to use instead of the embedded Redis")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="passion-bench-"))
    port = free_port()
    settings = {"PUBLIC_URL": f"http://127.0.0.1:{port}", "LOG_LEVEL": "WARNING"}
    settings.update({"DATABASE_URL": args.postgres} if args.postgres else {})
    settings.update({"BROKER_URL": args.redis} if args.redis else {})
    env = base_env(tmp, **settings)
    broker = None if args.redis else embedded_broker.start(tmp / "data")
    try:
        passion(env, "db-upgrade")
        connection = create_connection(env)
        with processes([web_argv(port)], env, tmp, settings["PUBLIC_URL"]):
            run(connection, settings["PUBLIC_URL"], args.requests)
    finally:
        if broker is not None:
            broker.terminate()


def run(connection: dict[str, str], base_url: str, count: int) -> None:
    session = requests.Session()
    for _ in range(20):  # warm both gunicorn workers and the connection pools
        session.get(f"{base_url}/healthz", timeout=5)
    baseline = [_timed(lambda: session.get(f"{base_url}/healthz", timeout=5)) for _ in range(count)]
    webhook = []
    for n in range(count):
        body, headers = signed_delivery(connection["secret"], event("candidate.created", _history(n)))
        webhook.append(_timed(lambda b=body, h=headers: session.post(
            connection["webhook_url"], data=b, headers=h, timeout=5)))
    base, hook = _percentiles(baseline), _percentiles(webhook)
    print(f"requests: {count} of each, sequential, one client")
    for key in ("p50", "p95", "p99"):
        print(f"{key}: webhook {hook[key]:6.1f} ms   GET /healthz {base[key]:6.1f} ms   "
              f"ratio {hook[key] / base[key]:4.1f}x")


if __name__ == "__main__":
    main()
