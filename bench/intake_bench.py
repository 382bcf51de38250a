"""Webhook intake against a minimal correct receiver and bare Flask, measured in the same run.

    python bench/intake_bench.py [--duration 10] [--rounds 3] [--server conf|sync] [--connections 16]

Starts three gunicorn servers with the same settings (2 workers; `--server conf` is what `passion run` uses,
plugin/cli/gunicorn_conf.py; `--server sync` is gunicorn's plain sync worker): the real app on a fresh
PostgreSQL database and a claimed Redis database, with no Celery worker; the minimal receiver and bare Flask
of bench/intake_baselines.py. Each round replays unique pre-signed candidate.created deliveries with wrk
(bench/intake_replay.lua) at each server in turn, the order rotating per round, and reads the servers' CPU
from /proc. Prints accepted/s (2xx with the event stored), p50/p99, web CPU per event, and the medians'
ratios. Needs PostgreSQL on 127.0.0.1:5432 (or PASSION_TEST_POSTGRES_URL), Redis on 6379, and `wrk`.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil
import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.intake_baselines import DEDUPE_PREFIX, QUEUE_KEY  # noqa: E402
from plugin.queue import QUEUE  # noqa: E402
from plugin.receiving.connectors.signing import signature  # noqa: E402
from tests.integration.stack import base_env, create_connection, free_port, passion, wait_until  # noqa: E402
from tests.services import _claimed_database, fresh_database, postgres_server  # noqa: E402

LUA = ROOT / "bench" / "intake_replay.lua"
TARGETS = ("app", "minimal", "bare")


@dataclass
class Run:
    target: str
    accepted: int
    other: dict[str, int]
    seconds: float
    p50_ms: float
    p99_ms: float
    cpu_ms_per_event: float
    wrapped: int

    @property
    def rate(self) -> float:
        return self.accepted / self.seconds


def _history(tag: str, n: int) -> dict:
    likes = ["legal research on tricky files", "drafting memos", "cite-checking facta"]
    jobs = [{"title": f"Clerk {j}", "employer": f"Firm {j}", "likes": likes,
             "dislikes": ["phones all day", "billing"]} for j in range(4)]
    return {"candidate_id": f"bench-{tag}-{n}", "jobs": jobs}


def write_requests(path: Path, secret: str, count: int) -> None:
    """`count` unique deliveries, each a new candidate, signed now (the tolerance window is 5 minutes)."""
    tag = uuid.uuid4().hex[:8]
    stamp = int(time.time())
    now = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
    with path.open("w") as out:
        for n in range(count):
            body = json.dumps({"type": "candidate.created", "timestamp": now,
                               "data": _history(tag, n)}).encode()
            msg_id = f"msg_{tag}_{n}"
            out.write(f"{msg_id}\t{stamp}\t{signature(secret, msg_id, stamp, body)}\t{body.decode()}\n")


def _server_argv(port: int, app: str, server: str) -> list[str]:
    argv = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
    if server == "conf":  # as `passion run` starts it (plugin/cli/services.py)
        argv += ["--access-logfile", "-", "--config", "python:plugin.cli.gunicorn_conf"]
    return [*argv, app]


def _cpu_seconds(pid: int) -> float:
    process = psutil.Process(pid)
    total = 0.0
    for proc in [process, *process.children(recursive=True)]:
        times = proc.cpu_times()
        total += times.user + times.system
    return total


@contextmanager
def _served(argv: list[str], env: dict[str, str], log: Path, port: int) -> Iterator[int]:
    with log.open("wb") as out:
        process = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_until(lambda: _answers(port), timeout=60, what=f"{argv[-1]} on {port}")
            yield process.pid
        finally:
            process.terminate()
            process.wait(30)


def _answers(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def replay(port: int, path: str, requests_file: Path, *, duration: float, threads: int,
           connections: int) -> dict:
    argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{int(duration)}s", "--timeout", "10s",
            "-s", str(LUA), f"http://127.0.0.1:{port}", "--", str(requests_file), str(threads), path]
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def measure(target: str, pid: int, port: int, path: str, requests_file: Path,
            args: argparse.Namespace) -> Run:
    before = _cpu_seconds(pid)
    result = replay(port, path, requests_file, duration=args.duration, threads=args.threads,
                    connections=args.connections)
    cpu = _cpu_seconds(pid) - before
    statuses = result["statuses"]
    accepted = statuses.pop("202", 0)
    return Run(target, accepted, statuses, result["duration_us"] / 1e6, result["p50_us"] / 1000,
               result["p99_us"] / 1000, 1000 * cpu / max(accepted, 1), result["wrapped"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--server", choices=("conf", "sync"), default="conf")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--per-run", type=int, default=50_000, help="unique deliveries written per run")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk not found: apt-get install -y wrk")
    tmp = Path(tempfile.mkdtemp(prefix="passion-intake-"))
    with ExitStack() as stack:
        admin = stack.enter_context(postgres_server(tmp))
        database = stack.enter_context(fresh_database(admin))
        broker = stack.enter_context(_claimed_database("redis://127.0.0.1:6379"))
        runs = run_rounds(stack, tmp, database, broker, args)
    report(runs, args)


def run_rounds(stack: ExitStack, tmp: Path, database: str, broker: str,
               args: argparse.Namespace) -> list[Run]:
    ports = {target: free_port() for target in TARGETS}
    # a bound far above what one run accepts: its LLEN is paid, its 503 never answered (the queue is emptied
    # between runs, since no worker drains it)
    env = base_env(tmp, DATABASE_URL=database, BROKER_URL=broker, INTAKE_MAX_BACKLOG="1000000",
                   PUBLIC_URL=f"http://127.0.0.1:{ports['app']}")
    env["PROMETHEUS_MULTIPROC_DIR"] = str(tmp / "prometheus-multiproc")  # as `passion run` sets it
    passion(env, "db-upgrade")
    connection = create_connection(env)
    env.update(INTAKE_BENCH_SECRET=connection["secret"], INTAKE_BENCH_REDIS_URL=broker,
               PYTHONPATH=str(ROOT))
    apps = {"app": "plugin.wsgi:app", "minimal": "bench.intake_baselines:minimal_app()",
            "bare": "bench.intake_baselines:bare_app()"}
    pids = {target: stack.enter_context(_served(_server_argv(ports[target], apps[target], args.server), env,
                                                tmp / f"{target}.log", ports[target]))
            for target in TARGETS}
    path = f"/webhooks/{connection['id']}"
    store = redis.Redis.from_url(broker)
    requests_file = tmp / "requests.tsv"
    warm = argparse.Namespace(**{**vars(args), "duration": 2.0})
    for target in TARGETS:
        write_requests(requests_file, connection["secret"], 10_000)
        measure(target, pids[target], ports[target], path, requests_file, warm)
    runs = []
    for round_no in range(args.rounds):
        order = TARGETS[round_no % 3:] + TARGETS[:round_no % 3]
        for target in order:
            store.delete(QUEUE, QUEUE_KEY)  # no consumer: keep the backlog from one run out of the next
            write_requests(requests_file, connection["secret"], args.per_run)
            run = measure(target, pids[target], ports[target], path, requests_file, args)
            runs.append(run)
            print(f"round {round_no + 1} {target:8} {run.rate:8.0f} accepted/s  p50 {run.p50_ms:6.1f} ms  "
                  f"p99 {run.p99_ms:6.1f} ms  cpu {run.cpu_ms_per_event:5.2f} ms/event  other {run.other}"
                  + (f"  WRAPPED {run.wrapped}" if run.wrapped else ""), flush=True)
    for key in store.scan_iter(f"{DEDUPE_PREFIX}*", count=1000):
        store.delete(key)
    return runs


def report(runs: list[Run], args: argparse.Namespace) -> None:
    def median(target: str, attr: str) -> float:
        return statistics.median(getattr(run, attr) for run in runs if run.target == target)

    print(f"\nmedians of {args.rounds} interleaved rounds, {args.duration:.0f} s each, "
          f"wrk -t{args.threads} -c{args.connections}, gunicorn 2 workers ({args.server})")
    print(f"{'server':10} {'accepted/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms/event':>13}")
    for target in TARGETS:
        print(f"{target:10} {median(target, 'rate'):10.0f} {median(target, 'p50_ms'):8.1f} "
              f"{median(target, 'p99_ms'):8.1f} {median(target, 'cpu_ms_per_event'):13.2f}")
    app, minimal, bare = (median(target, "rate") for target in TARGETS)
    print(f"ratios: app/minimal {app / minimal:.2f}x   app/bare {app / bare:.2f}x   "
          f"minimal/bare {minimal / bare:.2f}x")


if __name__ == "__main__":
    main()
