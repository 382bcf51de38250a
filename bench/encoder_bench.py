"""The engine's numpy MiniLM encoder against the same model on onnxruntime (bench/onnx_encoder.py).

usage: python bench/encoder_bench.py [--candidates N] [--rounds R] [--int8] [--json]

One process, one core (BLAS and ORT threads set to 1), per CPU-second (time.process_time), the two
encoders interleaved in each round, medians over the rounds:
- sentences per CPU-second over the skill benchmark's test sentences (bench/data/skill-benchmark);
- the whole analysis with skills, cold (every cache empty), candidates per CPU-second, on engine_bench's
  generated histories (onnxruntime swapped in by replacing ``embeddings.encode``);
- the smallest cosine between each onnxruntime encoder and the engine's over those sentences;
- peak RSS of a fresh process that loads the engine and analyses the histories once with each encoder.
--int8 adds a third encoder, the same graph with its MatMul weights quantised to int8 per channel by
onnxruntime.quantization.quantize_dynamic.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "RAYON_NUM_THREADS"):
    os.environ[_var] = "1"  # one core, set before numpy loads

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from bench import onnx_encoder  # noqa: E402
from bench.engine_bench import clear_caches, make_histories  # noqa: E402
from workers.analysis import embeddings  # noqa: E402

SENTENCES = ROOT / "bench/data/skill-benchmark"
Encoder = Callable[..., np.ndarray]
ENGINE: Encoder = embeddings.encode


def encoders(*, int8: bool) -> dict[str, Encoder]:
    """The engine's encoder first (the baseline), then onnxruntime's."""
    found = {"numpy": ENGINE, "onnx": onnx_encoder.load().encode}
    if int8:
        found["onnx_int8"] = onnx_encoder.load(int8=True).encode
    return found


def sentences() -> list[str]:
    """The benchmark's test sentences, each once."""
    out: dict[str, None] = {}
    for path in sorted(SENTENCES.glob("*_annotations.csv")):
        with path.open(encoding="utf-8", newline="") as f:
            out.update(dict.fromkeys(row["sentence"] for row in csv.DictReader(f)))
    return list(out)


def per_cpu_second(fn: Callable[[], object], count: int) -> float:
    """``count`` items over the CPU seconds ``fn`` took."""
    start = time.process_time()
    fn()
    return count / (time.process_time() - start)


def analyse_all(encoder: Encoder, histories: Sequence[dict[str, Any]]) -> None:
    """The whole analysis, skills included, cold, with ``encoder`` in the engine."""
    from workers.analysis import analyze_history
    embeddings.encode = encoder
    try:
        clear_caches()
        for history in histories:
            analyze_history(history)
    finally:
        embeddings.encode = ENGINE


def warm_up(found: dict[str, Encoder]) -> None:
    """Load the index, the theme links and the encoders outside the timed part."""
    from workers.analysis import analyze_history
    from workers.analysis.skills import index, themes
    assert index.get().lexical is not None
    themes.load()
    for encoder in found.values():
        encoder(["load the encoder"])
    analyze_history(make_histories(1, seed=1)[0])


def rss_probe(name: str, count: int) -> float:
    """Peak RSS (MB) of a fresh process that analyses ``count`` histories with one encoder."""
    code = ("import sys; sys.argv = ['x']; from bench import encoder_bench as b; "
            f"b.rss_child({name!r}, {count})")
    res = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT)
    return float(res.stdout.strip())


def rss_child(name: str, count: int) -> None:
    """The child side of rss_probe: load, analyse, print peak RSS in MB."""
    encoder = ENGINE if name == "numpy" else onnx_encoder.load().encode
    encoder(["load the encoder"])
    analyse_all(encoder, make_histories(count))
    sys.stdout.write(f"{peak_rss_mb():.1f}\n")


def peak_rss_mb() -> float:
    """This process's peak RSS: VmHWM, since ru_maxrss keeps the parent's peak across fork and exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(count: int, rounds: int, *, int8: bool) -> dict[str, float]:
    """All figures, the encoders interleaved in each round."""
    texts = sentences()
    histories = make_histories(count)
    found = encoders(int8=int8)
    warm_up(found)
    reference = ENGINE(texts)
    cosines = {name: float((reference * encoder(texts)).sum(1).min())
               for name, encoder in found.items() if name != "numpy"}
    rates: dict[str, list[float]] = {}
    for _ in range(rounds):
        for name, encoder in found.items():
            rates.setdefault(f"{name}_sentences_per_cpu_s", []).append(
                per_cpu_second(lambda e=encoder: e(texts), len(texts)))
            rates.setdefault(f"{name}_analysis_cold_per_cpu_s", []).append(
                per_cpu_second(lambda e=encoder: analyse_all(e, histories), count))
    figures: dict[str, float] = {"sentences": len(texts), "candidates": count, "rounds": rounds,
                                 **{f"{k}_min_cosine": round(v, 7) for k, v in cosines.items()}}
    figures.update({k: round(statistics.median(v), 1) for k, v in rates.items()})
    for what in ("sentences_per_cpu_s", "analysis_cold_per_cpu_s"):
        for name in list(found)[1:]:
            figures[f"ratio_{name}_{what}"] = round(figures[f"{name}_{what}"] / figures[f"numpy_{what}"], 2)
    for name in ("numpy", "onnx"):
        figures[f"{name}_peak_rss_mb"] = rss_probe(name, count)
    return figures


def main(argv: list[str]) -> int:
    """Run and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--int8", action="store_true", help="also time the int8 experiment")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    figures = run(args.candidates, args.rounds, int8=args.int8)
    if args.json:
        sys.stdout.write(json.dumps(figures) + "\n")
    else:
        for key, value in figures.items():
            sys.stdout.write(f"{key:34s} {value}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
