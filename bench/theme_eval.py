"""Scores a phrase labeller on the frozen evaluation sets (and any other set in the eval format).

usage: python bench/theme_eval.py [--labeller learned|rules] [--set FILE ...] [--json]

Without --set, every frozen set in bench/data/themes/frozen/ (MANIFEST.json lists them with their
digests). Figures as the shared scorer defines them: phrase precision/recall/F1 over (theme, polarity)
pairs, none_accuracy (off-catalogue phrases left unlabelled), and F1 of the passion, aversion and mixed
sets with gold sets re-derived from the gold phrase labels by the recurring rule. Themes only: the skills
step is switched off.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from workers.analysis.engine import analyze_history  # noqa: E402
from workers.analysis.labelling import PhraseLabeller  # noqa: E402
from workers.analysis.recurring import classify  # noqa: E402

FROZEN = ROOT / "bench" / "data" / "themes" / "frozen"


class Counts:
    def __init__(self) -> None:
        self.tp = self.fp = self.fn = 0

    def add(self, predicted: set, gold: set) -> None:  # type: ignore[type-arg]
        self.tp += len(predicted & gold)
        self.fp += len(predicted - gold)
        self.fn += len(gold - predicted)

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def gold_sets(phrases: list[dict], n_jobs: int) -> dict[str, set[str]]:
    liked, disliked = defaultdict(set), defaultdict(set)
    for phrase in phrases:
        for lab in phrase["labels"]:
            (liked if lab["polarity"] > 0 else disliked)[lab["theme"]].add(phrase["job"])
    out: dict[str, set[str]] = {"passion": set(), "aversion": set(), "mixed": set()}
    for theme in set(liked) | set(disliked):
        kind = classify(len(liked[theme]), len(disliked[theme]), n_jobs)
        if kind:
            out[kind].add(theme)
    return out


def score(path: Path, labeller: PhraseLabeller) -> dict[str, object]:
    rows = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    phrase, sets = Counts(), {k: Counts() for k in ("passion", "aversion", "mixed")}
    none_ok = none_n = 0
    started = time.perf_counter()
    for row in rows:
        candidate, gold = row["candidate"], row["gold"]
        result = analyze_history(candidate, labeller=labeller, with_skills=False)
        predicted = {(p.job, p.list, p.index): {(lab.theme, lab.polarity) for lab in p.labels}
                     for p in result.phrases}
        for g in gold["phrases"]:
            gl = {(lab["theme"], 1 if lab["polarity"] > 0 else -1) for lab in g["labels"]}
            pl = predicted.get((g["job"], g["list"], g["index"]), set())
            phrase.add(pl, gl)
            if not gl:
                none_n += 1
                none_ok += not pl
        expected = gold_sets(gold["phrases"], len(candidate["jobs"]))
        sets["passion"].add({t.theme for t in result.passions}, expected["passion"])
        sets["aversion"].add({t.theme for t in result.aversions}, expected["aversion"])
        sets["mixed"].add({t.theme for t in result.mixed}, expected["mixed"])
    p, r, f = phrase.prf()
    return {"set": path.stem, "candidates": len(rows),
            "phrases": sum(len(row["gold"]["phrases"]) for row in rows),
            "phrase_f1": round(f, 3), "precision": round(p, 3), "recall": round(r, 3),
            "none_accuracy": round(none_ok / none_n, 3) if none_n else None,
            "passion_f1": round(sets["passion"].prf()[2], 3),
            "aversion_f1": round(sets["aversion"].prf()[2], 3),
            "mixed_f1": round(sets["mixed"].prf()[2], 3),
            "seconds": round(time.perf_counter() - started, 2)}


def make_labeller(name: str) -> PhraseLabeller:
    if name == "rules":
        from workers.analysis.tagger import RuleLabeller

        return RuleLabeller()
    from workers.analysis.learned import LearnedLabeller

    return LearnedLabeller()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labeller", choices=("learned", "rules"), default="learned")
    parser.add_argument("--set", dest="sets", type=Path, action="append")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    labeller = make_labeller(args.labeller)
    paths = args.sets or sorted(FROZEN.glob("*.jsonl"))
    print(f"labeller {labeller.version}")
    for path in paths:
        figures = score(path, labeller)
        if args.json:
            print(json.dumps(figures))
        else:
            print("  ".join(f"{k}={v}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
