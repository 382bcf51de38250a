"""Benchmark of the theme engine alone: one process, one core, generated 4-job x 7-phrase histories.

usage: python bench/engine_bench.py [--candidates N] [--json] [--with-skills]

The learned labeller against the rule cascade (the engine before it), measured in the same run, each
per CPU-second on one core (BLAS threads set to 1): load time; themes alone (skills step off) cold (empty
phrase cache), after one like reworded in every history, and the same histories unchanged; peak RSS.
--with-skills also times the whole analysis cold with each labeller (every cache empty) and reports
with_skills_cpu_learned_vs_rules: the CPU of a cold analysis with the learned labeller over the rules'
(1.20 would mean 20 % more).
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


def labeller(name: str) -> Any:
    """The learned labeller, or the rule cascade (the engine before it, the baseline)."""
    if name == "rules":
        from workers.analysis.tagger import RuleLabeller
        return RuleLabeller()
    from workers.analysis.learned import LearnedLabeller
    return LearnedLabeller()


def clear_caches() -> None:
    """Empty both labellers' phrase caches and the skills step's text caches."""
    from workers.analysis import learned, tagger
    from workers.analysis.skills import clear_cache as clear_skills_cache
    tagger.clear_cache()
    learned.clear_cache()
    clear_skills_cache()


def cpu_rate(fn: Any, items: list[Any]) -> float:
    """Items per CPU-second (steadier than wall time on a shared machine)."""
    start = time.process_time()
    for item in items:
        fn(item)
    return len(items) / (time.process_time() - start)


def themes_figures(name: str, histories: list[dict[str, Any]],
                   edits: list[dict[str, Any]]) -> dict[str, float]:
    """Themes alone (skills off): load, cold, re-analysis after one edit, unchanged, per CPU-second."""
    from workers.analysis import analyze_history
    chosen = labeller(name)
    start = time.perf_counter()
    chosen.label([("load the model", "likes")])
    load_s = time.perf_counter() - start

    def analyze(history: dict[str, Any]) -> Any:
        return analyze_history(history, labeller=chosen, with_skills=False)
    clear_caches()
    return {f"{name}_load_s": round(load_s, 2), f"{name}_cold_per_s": round(cpu_rate(analyze, histories), 1),
            f"{name}_reanalysis_per_s": round(cpu_rate(analyze, edits), 1),
            f"{name}_unchanged_per_s": round(cpu_rate(analyze, edits), 1)}


def skills_figures(name: str, histories: list[dict[str, Any]]) -> dict[str, float]:
    """The whole analysis, skills included, cold (every cache empty), per CPU-second."""
    from workers.analysis import analyze_history
    from workers.analysis.embeddings import encode
    from workers.analysis.skills import index, themes
    chosen = labeller(name)
    assert index.get().lexical is not None
    themes.load()
    encode(["load the encoder"])
    clear_caches()
    return {f"{name}_with_skills_cold_per_s": round(
        cpu_rate(lambda h: analyze_history(h, labeller=chosen), histories), 1)}


def run(count: int, *, with_skills: bool) -> dict[str, float]:
    """All figures for one run: the learned labeller against the rule cascade, interleaved."""
    histories = make_histories(count)
    edits = [one_edit(h, i) for i, h in enumerate(histories)]
    figures: dict[str, float] = {"candidates": count}
    for name in ("rules", "learned"):
        figures.update(themes_figures(name, histories, edits))
    figures["learned_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    if with_skills:
        for name in ("rules", "learned"):
            figures.update(skills_figures(name, histories))
        figures["with_skills_cpu_learned_vs_rules"] = round(
            figures["rules_with_skills_cold_per_s"] / figures["learned_with_skills_cold_per_s"], 3)
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
