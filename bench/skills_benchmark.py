#!/usr/bin/env python3
"""Run the skill extractor on the Decorte et al. skill-extraction sets and score it.

usage: bench/skills_benchmark.py [--split validation|test] [--out DIR] [--top K]

validation: TECH and HOUSE validation (../shared/data/skill-benchmark), for tuning.
test: TECH, HOUSE and TECHWOLF test (bench/data/skill-benchmark), for the report only.
Predictions are written as `passion skills` JSON Lines, with labels in the ESCO v1.1.0 wording
the sets use, and scored by ../shared/eval/score_skills.py. Also reports sentences per second on
one core after load (wall clock, and per CPU-second, which a busy machine does not skew), and the
time to load the ESCO index and the encoder in a fresh process.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # "one core": before numpy loads BLAS
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import skills_common as common  # noqa: E402

from workers.analysis.skills import extract  # noqa: E402
from workers.analysis.skills import index as skill_index  # noqa: E402

LOAD_PROBE = ("import time; t = time.perf_counter(); "
              "from workers.analysis.skills import index; from workers.analysis import embeddings; "
              "index.get(); index.get().lexical; embeddings.encode(['warm up']); "
              "print(round(time.perf_counter() - t, 2))")


def predict(sentences: list[str], top_k: int) -> tuple[list[dict], float, float]:
    """Predictions in the benchmark's label wording, with wall and CPU seconds taken."""
    idx = skill_index.get()
    start, cpu = time.perf_counter(), time.process_time()
    ranked = extract.rank(idx, sentences, top_k=top_k)
    took, cpu = time.perf_counter() - start, time.process_time() - cpu
    rows = [{"text": s, "skills": [{"id": idx.uri(j), "label": idx.v110[j], "score": round(sc, 4)}
                                   for j, sc in row]} for s, row in zip(sentences, ranked, strict=True)]
    return rows, took, cpu


def run_set(name: str, annotations: Path, out: Path, top_k: int) -> dict:
    """Predict and score one set with the shared scorer."""
    sentences = list(common.gold(annotations))
    rows, took, cpu = predict(sentences, top_k)
    pred = out / f"{name}_predictions.jsonl"
    pred.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    res = subprocess.run([sys.executable, str(common.SCORER), str(annotations), str(pred), "--json"],
                         check=True, capture_output=True, text=True)
    return {"set": name, **json.loads(res.stdout), "seconds": round(took, 2),
            "sentences_per_s": round(len(sentences) / took, 1),
            "sentences_per_cpu_s": round(len(sentences) / cpu, 1)}


def load_seconds() -> float:
    """Index + encoder load time in a fresh one-core process."""
    res = subprocess.run([sys.executable, "-c", LOAD_PROBE], check=True, capture_output=True,
                         text=True, cwd=common.ROOT)
    return float(res.stdout.strip())


def main(argv: list[str] | None = None) -> int:
    """Score each set of the chosen split and print one JSON line per set."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=sorted(common.SETS), default="validation")
    ap.add_argument("--out", type=Path, default=common.ROOT / "var/bench")
    ap.add_argument("--top", type=int, default=10)
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    extract.rank(skill_index.get(), ["warm up"])  # load outside the timed part
    for name, path in common.SETS[args.split].items():
        sys.stdout.write(json.dumps(run_set(name, path, args.out, args.top)) + "\n")
    sys.stdout.write(json.dumps({"load_seconds": load_seconds()}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
