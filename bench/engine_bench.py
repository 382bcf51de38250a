"""Benchmark of the theme engine alone: one process, one core, generated 4-job x 7-phrase histories.

usage: python bench/engine_bench.py [--candidates N] [--json] [--with-skills]

Reports model load time, candidates/s cold (empty phrase cache) and on re-analysis after one phrase
changed, peak RSS, and the same figures for a naive baseline (embed every phrase, nearest prototype,
no cache) measured in the same run, with the engine/baseline ratios. The theme engine is timed with
the skills step switched off; --with-skills also times the whole analyze_history, ESCO
skill tagging included: with_skills_cold_per_s (empty phrase and skill caches) and
with_skills_reanalysis_per_s (every history again with one like reworded, caches warm), then
with_skills_unchanged_per_s (the reworded histories once more: every text seen before), also per
CPU-second (steadier than wall time on a shared machine), with how many texts the skills step
ranked afresh (computed) or took from its cache (reused) in each pass.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "RAYON_NUM_THREADS"):
    os.environ[_var] = "1"  # one core, set before numpy loads

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

VERBS = ["drafting", "reviewing", "tracking down", "organising", "checking", "handling", "preparing",
         "sorting out", "chasing", "updating", "explaining", "fixing", "planning", "filing", "writing"]
OBJECTS = ["affidavits", "case law", "client calls", "the court calendar", "trust ledgers", "motion records",
           "invoices", "discovery binders", "Clio matters", "the e-filing portal", "closing documents",
           "title searches", "new hires", "the team's deadlines", "intake interviews", "settlement offers",
           "spreadsheets", "the reception phones", "courthouse runs", "marketing posts"]
TAILS = ["", "for the partners", "every Friday", "on big files", "under pressure", "with the team",
         "before trial", "all day", "at month end", "for three lawyers", "on my own", "in Relativity"]
OTHER = ["the pay", "parking downtown", "the commute", "free coffee", "my boss's moods", "the benefits",
         "a view of the lake", "office dogs", "the old carpet", "long lunch breaks", "the holiday party"]
PARAPHRASE = ["people wanting answers right now", "stacks of paper everywhere", "a quiet corner to think",
              "getting folks what they were owed", "making the numbers line up", "a different fire daily",
              "being trusted with the big matters", "walking new people through the basics"]


def make_phrase(rng: random.Random, serial: int) -> str:
    """A like/dislike in the style of a worksheet, made unique by a serial number in most cases."""
    roll = rng.random()
    if roll < 0.12:
        return f"{rng.choice(OTHER)} #{serial}"
    if roll < 0.25:
        return f"{rng.choice(PARAPHRASE)} ({serial})"
    words = (rng.choice(VERBS), rng.choice(OBJECTS), rng.choice(TAILS))
    return " ".join(x for x in words if x) + f" {serial}"


def make_histories(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """Typical histories: 4 jobs, 4 likes and 3 dislikes each."""
    rng = random.Random(seed)
    serial = 0
    out = []
    for c in range(count):
        jobs = []
        for j in range(4):
            phrases = []
            for _ in range(7):
                serial += 1
                phrases.append(make_phrase(rng, serial))
            jobs.append({"title": f"Job {j}", "employer": "Firm", "start": f"20{10 + j}-01",
                         "end": f"20{10 + j}-12", "description": "", "likes": phrases[:4],
                         "dislikes": phrases[4:]})
        out.append({"candidate_id": f"bench-{c}", "jobs": jobs})
    return out


def one_edit(history: dict[str, Any], serial: int) -> dict[str, Any]:
    """The same history with one like reworded."""
    edited = json.loads(json.dumps(history))
    edited["jobs"][1]["likes"][2] = f"drafting letters for the partners, edit {serial}"
    return edited


def rate(fn: Any, items: list[Any]) -> float:
    """Items per second for fn over items."""
    start = time.perf_counter()
    for item in items:
        fn(item)
    return len(items) / (time.perf_counter() - start)


def naive_baseline() -> Any:
    """Embed every phrase with MiniLM, take the nearest prototype's theme; no lexicon, no cache."""
    import numpy as np

    from workers.analysis.embeddings import encode
    from workers.analysis.semantic import load_prototypes

    protos = load_prototypes()
    assert protos is not None, "the baseline needs the MiniLM model package"

    def analyze(history: dict[str, Any]) -> list[str]:
        texts = [t for job in history["jobs"] for lst in ("likes", "dislikes") for t in job[lst]]
        best = np.argmax(encode(texts) @ protos.vectors.T, axis=1)
        return [protos.themes[i] for i in best]
    return analyze


def measure(analyze: Any, histories: list[dict[str, Any]],
            edits: list[dict[str, Any]]) -> tuple[float, float]:
    """(cold, re-analysis) candidates/s: empty phrase and skill caches, then every history with one edit."""
    clear_caches()
    return rate(analyze, histories), rate(analyze, edits)


def clear_caches() -> None:
    """Empty the theme engine's phrase cache and the skills step's text caches."""
    from workers.analysis.skills import clear_cache as clear_skills_cache
    from workers.analysis.tagger import clear_cache
    clear_cache()
    clear_skills_cache()


def measure_with_skills(analyze: Any, histories: list[dict[str, Any]],
                        edits: list[dict[str, Any]]) -> dict[str, float]:
    """The whole analyze_history as measure() times it, and how many texts the skills step ranked
    (computed) or took from its cache (reused) in each pass. The ESCO index, its word index, the theme
    links and the encoder are loaded first, and that load is reported on its own."""
    from workers.analysis.embeddings import encode
    from workers.analysis.skills import index, tag, themes
    start = time.perf_counter()
    assert index.get().lexical is not None
    themes.load()
    encode(["load the encoder"])
    figures: dict[str, float] = {"with_skills_load_s": round(time.perf_counter() - start, 2)}
    cache = tag._RANK_CACHE
    clear_caches()
    for name, items in (("cold", histories), ("reanalysis", edits), ("unchanged", edits)):
        hits, misses, cpu = cache.hits, cache.misses, time.process_time()
        figures[f"with_skills_{name}_per_s"] = round(rate(analyze, items), 1)
        figures[f"with_skills_{name}_per_cpu_s"] = round(len(items) / (time.process_time() - cpu), 1)
        figures[f"with_skills_{name}_texts_computed"] = cache.misses - misses
        figures[f"with_skills_{name}_texts_reused"] = cache.hits - hits
    return figures


def themes_only(analyze: Any) -> Any:
    """analyze_history with the skills step switched off: the theme engine alone."""
    from workers.analysis import engine

    def run_without_skills(history: dict[str, Any]) -> Any:
        saved = engine._skill_tagger
        engine._skill_tagger = lambda: None  # type: ignore[assignment]
        try:
            return analyze(history)
        finally:
            engine._skill_tagger = saved
    return run_without_skills


def run(count: int, *, with_skills: bool) -> dict[str, float]:
    """All figures for one run."""
    histories = make_histories(count)
    edits = [one_edit(h, i) for i, h in enumerate(histories)]
    start = time.perf_counter()
    from workers.analysis import analyze_history
    from workers.analysis.lexicon import load_lexicon
    from workers.analysis.semantic import load_prototypes
    load_lexicon()
    load_prototypes()
    load_s = time.perf_counter() - start
    cold, reanalysis = measure(themes_only(analyze_history), histories, edits)
    engine_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # before the baseline loads
    base_cold, base_re = measure(naive_baseline(), histories, edits)
    figures = {"candidates": count, "load_s": round(load_s, 2), "cold_per_s": round(cold, 1),
               "reanalysis_per_s": round(reanalysis, 1), "baseline_cold_per_s": round(base_cold, 1),
               "baseline_reanalysis_per_s": round(base_re, 1),
               "cold_vs_baseline": round(cold / base_cold, 1),
               "reanalysis_vs_baseline": round(reanalysis / base_re, 1),
               "engine_peak_rss_mb": round(engine_rss, 1)}
    if with_skills:
        figures.update(measure_with_skills(analyze_history, histories, edits))
    figures["run_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return figures


def main(argv: list[str]) -> int:
    """Run and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=300)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--with-skills", action="store_true",
                        help="also time the full analyze_history, skills step included")
    args = parser.parse_args(argv)
    figures = run(args.candidates, with_skills=args.with_skills)
    if args.json:
        sys.stdout.write(json.dumps(figures) + "\n")
    else:
        for key, value in figures.items():
            sys.stdout.write(f"{key:38s} {value}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
