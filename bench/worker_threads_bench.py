"""Whole analyses (skills included) in two processes at once, as a worker's pool runs them, with numpy's
BLAS left to its own thread count against one thread per process (what workers/worker.py sets).

usage: python bench/worker_threads_bench.py [--candidates N] [--processes P] [--json]

Each setting runs in fresh processes (BLAS reads its thread count when numpy loads), after the engine has
loaded and warmed up, on the same generated histories (bench/engine_bench.py's); the figure is candidates
per wall-clock second over all processes, and `one_thread_vs_default` their ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BLAS_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")

CHILD = """
import json, sys, time
sys.path.insert(0, {root!r}); sys.path.insert(0, {bench!r})
from engine_bench import make_histories
from workers.analysis.engine import analyze_history
histories = make_histories({count}, seed={seed})
analyze_history(make_histories(2, seed=99)[0])  # load and warm up
sys.stdout.write("ready\\n"); sys.stdout.flush(); sys.stdin.readline()
started = time.perf_counter()
for history in histories:
    analyze_history(history)
print(json.dumps({{"seconds": time.perf_counter() - started}}))
"""


def run(setting: str, count: int, processes: int) -> float:
    env = {k: v for k, v in os.environ.items() if k not in BLAS_VARS}
    if setting == "one_thread":
        env.update(dict.fromkeys(BLAS_VARS, "1"))
    codes = [CHILD.format(root=str(ROOT), bench=str(ROOT / "bench"), count=count, seed=i)
             for i in range(processes)]
    children = [subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 text=True, env=env) for code in codes]
    for child in children:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    started = time.perf_counter()
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    for child in children:
        child.communicate()
    return count * processes / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=60)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rates = {setting: run(setting, args.candidates, args.processes) for setting in ("default", "one_thread")}
    figures = {"candidates_per_s_default": round(rates["default"], 1),
               "candidates_per_s_one_thread": round(rates["one_thread"], 1),
               "one_thread_vs_default": round(rates["one_thread"] / rates["default"], 2),
               "processes": args.processes, "cpus": os.cpu_count()}
    print(json.dumps(figures) if args.json else "\n".join(f"{k}: {v}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
