"""How far careful readers agree with the corpus writers and with each other, on the writers' own rows.

usage: python scripts/label_agreement.py

Reads the corpus (scripts/data/theme_corpus/, the writers' labels) and the second reading of it
(scripts/data/theme_annotations/second_reading.tsv: four annotators who saw only the text, the catalogue
and the labelling guide beside it; 200 rows were read by all four). Prints phrase F1 over (theme,
polarity) pairs between each writer and the annotators, between annotators on the shared rows, and the
most frequent disagreements. Training does not read the second reading (docs/quality.md says why).
"""

from __future__ import annotations

import csv
import itertools
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from train_labeller import parse_labels  # noqa: E402

CORPUS = ROOT / "scripts" / "data" / "theme_corpus"
READING = ROOT / "scripts" / "data" / "theme_annotations" / "second_reading.tsv"
Labels = tuple[tuple[str, int], ...]


def writer_labels() -> dict[str, Labels]:
    """Each writer row's labels by id `file:line` (line counted from 0, comments included)."""
    out = {}
    for path in sorted(CORPUS.glob("w*_*.tsv")):
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle):
                fields = line.rstrip("\n").split("\t")
                if len(fields) >= 3 and not fields[0].startswith("#"):
                    out[f"{path.stem}:{number}"] = parse_labels(fields[2])
    return out


def second_reading() -> dict[str, dict[str, Labels]]:
    out: dict[str, dict[str, Labels]] = defaultdict(dict)
    with READING.open(encoding="utf-8") as handle:
        for row_id, annotator, labels in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            out[row_id][annotator] = parse_labels(labels)
    return out


def f1(pairs: list[tuple[Labels, Labels]]) -> float:
    tp = fp = fn = 0
    for gold, other in pairs:
        tp += len(set(gold) & set(other))
        fp += len(set(other) - set(gold))
        fn += len(set(gold) - set(other))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def main() -> None:
    writers, reading = writer_labels(), second_reading()
    by_writer: dict[str, list[tuple[Labels, Labels]]] = defaultdict(list)
    for row_id, readers in reading.items():
        for labels in readers.values():
            by_writer[row_id.split("_")[0]].append((writers[row_id], labels))
    every = [pair for pairs in by_writer.values() for pair in pairs]
    print(f"writer vs annotator, {len(every)} readings: F1 {f1(every):.3f}")
    for writer, pairs in sorted(by_writer.items(), key=lambda item: int(item[0][1:])):
        print(f"  {writer}: {len(pairs)} readings, F1 {f1(pairs):.3f}")
    shared = {row_id: readers for row_id, readers in reading.items() if len(readers) > 1}
    annotators = sorted({a for readers in shared.values() for a in readers})
    pair_f1 = []
    for a, b in itertools.combinations(annotators, 2):
        pairs = [(r[a], r[b]) for r in shared.values() if a in r and b in r]
        pair_f1.append(f1(pairs))
        print(f"annotators {a} vs {b}, {len(pairs)} shared rows: F1 {pair_f1[-1]:.3f}")
    if pair_f1:
        print(f"annotator vs annotator, mean of pairs: F1 {sum(pair_f1) / len(pair_f1):.3f}")
    disagreements: Counter[tuple[str, str]] = Counter()
    for gold, other in every:
        gold_themes, other_themes = {t for t, _ in gold}, {t for t, _ in other}
        for theme in gold_themes - other_themes:
            disagreements[(theme, "/".join(sorted(other_themes - gold_themes)) or "none")] += 1
    print("most frequent: writer's theme -> annotator's")
    for (theme, instead), count in disagreements.most_common(12):
        print(f"  {theme} -> {instead}: {count}")


if __name__ == "__main__":
    main()
