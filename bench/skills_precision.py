#!/usr/bin/env python3
"""Calibrate and check the floors that decide which text skills an analysis keeps (validation only).

usage: bench/skills_precision.py [--json]

On the TECH and HOUSE validation splits (../shared/data/skill-benchmark; never the test splits),
every annotated sentence is ranked as `passion skills` ranks it. Printed:

1. the curve: for score floors 0.80-1.30, the precision of the kept top-1 and top-2 predictions and
   the recall of the gold (sentence, skill) pairs. Strict = the predicted skill is a gold skill of
   the sentence; near = or its label's MiniLM cosine with a gold label is >= 0.7 (a lenient view:
   "perform business analysis" for gold "business analysis"). Sentences whose spans all have no
   ESCO label count too: anything kept there is wrong;
2. the floors this implies: FLOOR_ONE is the lowest floor (0.05 steps) at which strict top-2
   precision reaches ONE_LEVEL, FLOOR_MANY the lowest at which it reaches MANY_LEVEL; the script
   checks that workers/analysis/skills/tag.py uses them;
3. the analysis rule itself (tag._text_entries) on each sentence read as a one-text history: a
   description sentence of a job whose field is software for TECH (sentences of software job ads)
   and whatever themes.field_of finds in the sentence for HOUSE (mostly none); and what the field
   check alone removed from the top-2 predictions at MIN_SCORE or more (the candidates a text can
   support), and how many of those were gold.
"""

from __future__ import annotations

import argparse
import csv
import functools
import json
import sys
from collections import OrderedDict
from typing import Any

import skills_common as common

from workers.analysis.skills import extract, fields, tag, themes
from workers.analysis.skills import index as skill_index

ONE_LEVEL = 0.6  # strict precision of top-2 predictions a skill from one text must reach
MANY_LEVEL = 0.4  # the same for each text when two or more different texts give the skill
NEAR = 0.7
FLOORS = [round(0.8 + 0.05 * k, 2) for k in range(11)]
SKIP = {"LABEL NOT PRESENT", "UNDERSPECIFIED", ""}


def sentences(path: str) -> OrderedDict[str, set[str]]:
    """Every annotated sentence with its gold labels (normalised), empty when none has a label."""
    norm = common.scorer().norm
    out: OrderedDict[str, set[str]] = OrderedDict()
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            label = (row.get("label") or "").strip()
            gold = out.setdefault(row["sentence"].strip(), set())
            if label not in SKIP:
                gold.add(norm(label))
    return out


class Judge:
    """Strict and near correctness of a predicted skill index against a sentence's gold labels."""

    def __init__(self, idx: skill_index.SkillIndex) -> None:
        """Index the v1.1.0 wording (what the sets use) and the label vectors."""
        norm = common.scorer().norm
        self.idx = idx
        self.names = [norm(v) for v in idx.v110]
        self.by_name: dict[str, int] = {}
        for i, name in enumerate(self.names):
            self.by_name.setdefault(name, i)
        assert idx.vectors is not None
        self.vecs = idx.vectors[idx.sem_starts]

    def strict(self, i: int, gold: set[str]) -> bool:
        """The prediction is a gold skill."""
        return self.names[i] in gold

    def near(self, i: int, gold: set[str]) -> bool:
        """Gold, or a label close in meaning to a gold label."""
        ids = [self.by_name[g] for g in gold if g in self.by_name]
        return self.strict(i, gold) or any(float(self.vecs[i] @ self.vecs[j]) >= NEAR for j in ids)


def score(kept: list[tuple[int, set[str]]], judge: Judge, n_gold: int) -> dict[str, Any]:
    """Kept count, strict and near precision, strict recall of the gold pairs."""
    strict = sum(judge.strict(i, g) for i, g in kept)
    near = sum(judge.near(i, g) for i, g in kept)
    return {"kept": len(kept), "precision": round(strict / max(1, len(kept)), 3),
            "near_precision": round(near / max(1, len(kept)), 3),
            "recall": round(strict / max(1, n_gold), 3)}


def _same(job: fields.Job, _: int) -> fields.Job:
    """The one job of a one-text history, whatever its index."""
    return job


Rows = list[tuple[str, set[str], list[tuple[int, float]]]]
Kept = list[tuple[int, set[str]]]


def apply_rule(idx: skill_index.SkillIndex, judge: Judge, sets: dict[str, Rows]) -> dict[str, Any]:
    """tag._text_entries on each sentence as a one-text history, and the field check's own effect."""
    table = themes.load()
    results: dict[str, tuple[Rows, Kept, Kept, Kept]] = {}
    for name, rows in sets.items():
        kept: Kept = []
        cleared: Kept = []
        dropped: Kept = []
        for text, gold, row in rows:
            job = fields.Job("software" if name == "tech" else themes.field_of([text], table), text)
            unit = [(text, {"job": 0, "list": "description", "index": 0})]
            for entry in tag._text_entries(idx, unit, functools.partial(_same, job), [""]):
                i = idx.find(entry["id"])
                assert i is not None
                kept.append((i, gold))
            for i, s in row:
                if s >= tag.MIN_SCORE:
                    cleared.append((i, gold))
                    if not fields.admits(fields.skill_domains(idx.labels[i], idx.groups[i]), job):
                        dropped.append((i, gold))
        results[name] = (rows, kept, cleared, dropped)
    parts = list(results.values())
    results["pooled"] = ([x for p in parts for x in p[0]], [x for p in parts for x in p[1]],
                         [x for p in parts for x in p[2]], [x for p in parts for x in p[3]])
    out: dict[str, Any] = {}
    for name, (rows, kept, cleared, dropped) in results.items():
        gold_n = sum(len(g) for _, g, _ in rows)
        out[name] = {"sentences": len(rows), "gold_pairs": gold_n,
                     "sentences_with_a_correct_skill": len({id(g) for i, g in kept if judge.strict(i, g)}),
                     **score(kept, judge, gold_n),
                     "field_check": {"support_candidates": len(cleared), "removed": len(dropped),
                                     "removed_gold": sum(judge.strict(i, g) for i, g in dropped)}}
    return out


def main(argv: list[str] | None = None) -> int:
    """Print the curve, the implied floors and the rule's precision and recall."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="one JSON object instead of tables")
    args = ap.parse_args(argv)
    idx = skill_index.get()
    judge = Judge(idx)
    sets: dict[str, Rows] = {}
    for name, path in common.SETS["validation"].items():
        annotated = sentences(str(path))
        ranked = extract.rank(idx, list(annotated), top_k=2)
        sets[name] = [(t, annotated[t], row) for t, row in zip(annotated, ranked, strict=True)]
    pooled = [x for rows in sets.values() for x in rows]
    n_gold = sum(len(g) for _, g, _ in pooled)

    curve = []
    for floor in FLOORS:
        point: dict[str, Any] = {"floor": floor}
        for k in (1, 2):
            top = [(i, g) for _, g, row in pooled for i, s in row[:k] if s >= floor]
            point[f"top{k}"] = score(top, judge, n_gold)
        curve.append(point)
    first = {level: next((p["floor"] for p in curve if p["top2"]["precision"] >= level), None)
             for level in (ONE_LEVEL, MANY_LEVEL)}
    floors = {"FLOOR_ONE": first[ONE_LEVEL], "FLOOR_MANY": first[MANY_LEVEL],
              "in_tag.py": {"FLOOR_ONE": tag.FLOOR_ONE, "FLOOR_MANY": tag.FLOOR_MANY},
              "match": first[ONE_LEVEL] == tag.FLOOR_ONE and first[MANY_LEVEL] == tag.FLOOR_MANY}

    rule = apply_rule(idx, judge, sets)

    if args.json:
        sys.stdout.write(json.dumps({"curve": curve, "floors": floors, "rule": rule}) + "\n")
        return 0
    sys.stdout.write(f"validation: {len(pooled)} sentences, {n_gold} gold (sentence, skill) pairs\n")
    sys.stdout.write("floor  top-1 kept/strict/near/recall     top-2 kept/strict/near/recall\n")
    for p in curve:
        cells = ["{kept:4d} {precision:.3f} {near_precision:.3f} {recall:.3f}".format(**p[f"top{k}"])
                 for k in (1, 2)]
        sys.stdout.write(f"{p['floor']:.2f}   {cells[0]}        {cells[1]}\n")
    sys.stdout.write(f"floors: {json.dumps(floors)}\n")
    for name, r in rule.items():
        sys.stdout.write(f"rule on {name}: {json.dumps(r)}\n")
    return 0 if floors["match"] else 1


if __name__ == "__main__":
    sys.exit(main())
