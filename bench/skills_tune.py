#!/usr/bin/env python3
"""Choose the skill ranker's feature weights on the validation splits only (never the test splits).

usage: bench/skills_tune.py [--top N]
Grid-searches workers.analysis.skills.extract.Weights, scoring the mean RP@5 over TECH and HOUSE
validation (MRR breaks ties), and prints the best settings; copy the winner into extract.WEIGHTS.
"""

from __future__ import annotations

import argparse
import itertools
import sys

import skills_common as common

from workers.analysis import embeddings
from workers.analysis.skills import extract
from workers.analysis.skills import index as skill_index

GRID = {"sem": [1.0],
        "lex": [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0, 1.2],
        "lex_full": [0.0, 0.05, 0.1, 0.2, 0.3]}


def main(argv: list[str] | None = None) -> int:
    """Compute features once per set, then score every grid point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--top", type=int, default=10)
    args = ap.parse_args(argv)
    idx = skill_index.get()
    norm = common.scorer().norm
    v110 = [norm(v) for v in idx.v110]
    sets = []
    for path in common.SETS["validation"].values():
        gold = common.gold(path)
        texts = list(gold)
        sets.append((extract.features(idx, texts, embeddings.encode(texts)), [gold[t] for t in texts]))
    results = []
    for combo in itertools.product(*GRID.values()):
        w = extract.Weights(**dict(zip(GRID, combo, strict=True)))
        per_set = []
        for feats, golds in sets:
            ranked = [[v110[j] for j in extract.top(row, 10)] for row in feats.score(w)]
            per_set.append(common.metrics(ranked, golds))
        key = sum(m["rp@5"] + 0.1 * m["mrr"] for m in per_set) / len(per_set)
        results.append((key, w, per_set))
    results.sort(key=lambda r: -r[0])
    for key, w, per_set in results[:args.top]:
        cells = "  ".join(f"{m['rp@5']:.1f}/{m['rp@10']:.1f}/{m['mrr']:.1f}" for m in per_set)
        sys.stdout.write(f"{key:6.2f}  {w}  tech,house RP5/RP10/MRR: {cells}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
