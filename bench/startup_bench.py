"""How long the web process takes to import and build its app, against a bare Flask app in the same run.

usage: python bench/startup_bench.py [--rounds N] [--json]

Each measurement is a fresh interpreter (imports are cached within one), interleaved with the baseline,
median of N rounds. The web app must not pull in the engine (numpy, tokenizers): this shows the cost.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile

_TIMER = "import time\nt0 = time.perf_counter()\n{body}\nprint(time.perf_counter() - t0)\n"
APP = ("from plugin import create_app\n"
       "create_app({{'TESTING': True, 'DATA_DIR': {data!r}, 'BROKER_URL': 'memory://',\n"
       "            'SQLALCHEMY_DATABASE_URI': 'sqlite://', 'SECRET_KEY': 'k'}})")
BARE = "from flask import Flask\nFlask('bare')"


def _seconds(body: str) -> float:
    out = subprocess.run([sys.executable, "-c", _TIMER.format(body=body)], capture_output=True,
                         text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data:
        app_times, bare_times = [], []
        for _ in range(args.rounds):
            bare_times.append(_seconds(BARE))
            app_times.append(_seconds(APP.format(data=data)))
    app, bare = statistics.median(app_times), statistics.median(bare_times)
    result = {"create_app_s": round(app, 3), "bare_flask_s": round(bare, 3), "ratio": round(app / bare, 1)}
    print(json.dumps(result) if args.json else
          f"create_app {app:.3f} s, bare Flask {bare:.3f} s, ratio {app / bare:.1f}x")


if __name__ == "__main__":
    main()
