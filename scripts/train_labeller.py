"""Train the learned phrase labeller from the labelled corpus; writes its weights and model card.

usage: python scripts/train_labeller.py [--corpus DIR] [--out DIR] [--c-grid C ...] [--folds K]

The corpus is every `*.tsv` under scripts/data/theme_corpus/ (list, text, labels, occupation, style; the
file name is the writer). Two models share the features of workers/analysis/features.py:
- themes: multinomial logistic regression over "none" and the 20 theme ids (a phrase with two labels is
  a row per label), so "about nothing in the catalogue" competes with every theme;
- polarity: binary logistic regression, "does the wording turn the list round" ("not having to ...").
At inference the rule cascade's labels weigh on the theme probabilities (learned.with_evidence).
The prior's weight, the decision thresholds and the regularisation are chosen on out-of-fold predictions
with the writers split into K groups, each group held out in turn (the closest thing to "people we never
read" the corpus has); the final model is then fit on everything. Deterministic: lbfgs, no random state,
rows in a fixed order. The frozen evaluation sets (bench/data/themes/frozen/) are never read here.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from workers.analysis import features  # noqa: E402
from workers.analysis.catalogue import THEME_IDS  # noqa: E402
from workers.analysis.learned import (  # noqa: E402
    CLASSES,
    WEIGHTS_FILE,
    choose_labels,
    rule_confidences,
    with_evidence,
)
from workers.analysis.tagger import label_phrases  # noqa: E402

CORPUS = ROOT / "scripts" / "data" / "theme_corpus"
C_DEFAULT = 5.0
FOLDS = 4  # each held-out group is a quarter of the writers: four fits instead of one per writer
TAU_GRID = tuple(round(x, 2) for x in np.arange(0.20, 0.61, 0.025))
SECOND_GRID = (0.25, 0.3, 0.35, 0.4, 0.5, 1.01)
PRIOR_GRID = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0)  # weight of the rule cascade's reading (learned.with_evidence)


@dataclass(frozen=True)
class Row:
    text: str
    list: str
    labels: tuple[tuple[str, int], ...]
    writer: str


def parse_labels(field: str) -> tuple[tuple[str, int], ...]:
    out = []
    for part in filter(None, (p.strip() for p in field.replace(",", ";").split(";"))):
        theme, sign = part.rsplit(":", 1)
        if theme not in THEME_IDS or sign not in ("+1", "-1"):
            raise ValueError(f"bad label {part!r}")
        out.append((theme, 1 if sign == "+1" else -1))
    return tuple(sorted(set(out)))[:2]


def load_corpus(folder: Path) -> list[Row]:
    rows, seen = [], set()
    for path in sorted(folder.glob("*.tsv")):
        writer = path.stem.split("_")[0]
        with path.open(encoding="utf-8") as handle:
            for record in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                if not record or record[0].startswith("#") or len(record) < 3:
                    continue
                list_name, text, labels = record[0].strip(), record[1].strip(), record[2]
                if list_name not in ("likes", "dislikes") or not text:
                    continue
                key = (features.normalised([text])[0], list_name)
                if key in seen:
                    continue
                seen.add(key)
                rows.append(Row(text, list_name, parse_labels(labels), writer))
    return rows


def theme_targets(rows: list[Row]) -> tuple[list[int], list[int]]:
    """(row index, class index) pairs: one per label, one "none" (class 0) for an unlabelled row."""
    index, target = [], []
    for i, row in enumerate(rows):
        for theme, _ in row.labels or (("none", 0),):
            index.append(i)
            target.append(CLASSES.index(theme))
    return index, target


def fit_themes(x: sparse.csr_matrix, rows: list[Row], c: float) -> LogisticRegression:
    index, target = theme_targets(rows)
    model = LogisticRegression(C=c, max_iter=300, tol=1e-4)
    model.fit(x[index], target)
    return model


def flip_targets(rows: list[Row]) -> tuple[list[int], list[int]]:
    index, target = [], []
    for i, row in enumerate(rows):
        if row.labels:
            default = 1 if row.list == "likes" else -1
            index.append(i)
            target.append(int(row.labels[0][1] != default))
    return index, target


def fit_flip(x: sparse.csr_matrix, rows: list[Row]) -> LogisticRegression:
    index, target = flip_targets(rows)
    model = LogisticRegression(C=10.0, max_iter=400, tol=1e-4, class_weight="balanced")
    model.fit(x[index], target)
    return model


def probabilities(model: LogisticRegression, x: sparse.csr_matrix) -> np.ndarray:
    """Class probabilities in CLASSES order (every class occurs in training)."""
    proba = model.predict_proba(x)
    out = np.zeros((x.shape[0], len(CLASSES)), dtype=np.float64)
    out[:, model.classes_] = proba
    return out


def phrase_f1(rows: list[Row], predicted: list[tuple[tuple[str, int], ...]]) -> float:
    tp = fp = fn = 0
    for row, pred in zip(rows, predicted, strict=True):
        gold, got = set(row.labels), set(pred)
        tp, fp, fn = tp + len(gold & got), fp + len(got - gold), fn + len(gold - got)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def decide(rows: list[Row], proba: np.ndarray, flip: np.ndarray, tau: float,
           second: float) -> list[tuple[tuple[str, int], ...]]:
    out = []
    for row, p, f in zip(rows, proba, flip, strict=True):
        out.append(tuple((lab.theme, lab.polarity)
                         for lab in choose_labels(p, float(f), row.list, tau=tau, second=second)))
    return out


def writer_folds(rows: list[Row], k: int) -> list[np.ndarray]:
    """K held-out masks, each a group of whole writers (dealt round-robin in name order)."""
    writers = sorted({row.writer for row in rows})
    groups = [set(writers[i::k]) for i in range(min(k, len(writers)))]
    return [np.array([r.writer in group for r in rows]) for group in groups]


def choose_decision(rows: list[Row], proba: np.ndarray, flip: np.ndarray,
                    rule: np.ndarray) -> dict[str, float]:
    """The rule prior's weight and the two thresholds with the best phrase F1 on these predictions."""
    best = {"f1": -1.0}
    for prior in PRIOR_GRID:
        updated = with_evidence(proba, rule, prior)
        for tau in TAU_GRID:
            for second in SECOND_GRID:
                f1 = phrase_f1(rows, decide(rows, updated, flip, tau, second))
                if f1 > best["f1"]:
                    best = {"f1": round(f1, 4), "rule_prior": prior, "tau": tau, "second": second}
    return best


def cross_validate(rows: list[Row], x_theme: sparse.csr_matrix, x_flip: sparse.csr_matrix,
                   rule: np.ndarray, grid: tuple[float, ...], k: int) -> dict[str, object]:
    """Out-of-fold probabilities for each C with whole writers held out; the best (C, rule prior, tau,
    second) by phrase F1, and each writer's F1 at that choice."""
    writers = sorted({row.writer for row in rows})
    folds = writer_folds(rows, k)
    best: dict[str, object] = {"f1": -1.0}
    flip = np.zeros(len(rows))
    for test in folds:
        train_rows = [r for r, t in zip(rows, test, strict=True) if not t]
        flip_model = fit_flip(x_flip[~test], train_rows)
        flip[test] = flip_model.predict_proba(x_flip[test])[:, 1]
    best_proba = np.zeros((len(rows), len(CLASSES)))
    for c in grid:
        proba = np.zeros((len(rows), len(CLASSES)))
        for test in folds:
            train_rows = [r for r, t in zip(rows, test, strict=True) if not t]
            proba[test] = probabilities(fit_themes(x_theme[~test], train_rows, c), x_theme[test])
        decision = choose_decision(rows, proba, flip, rule)
        if decision["f1"] > float(best["f1"]):  # type: ignore[arg-type]
            best, best_proba = {**decision, "C": c}, with_evidence(proba, rule, decision["rule_prior"])
        print(f"  C={c}: best so far {best}", flush=True)
    per_writer = {}
    for writer in writers:
        test = np.array([r.writer == writer for r in rows])
        test_rows = [r for r, t in zip(rows, test, strict=True) if t]
        chosen = decide(test_rows, best_proba[test], flip[test], float(best["tau"]),  # type: ignore[arg-type]
                        float(best["second"]))  # type: ignore[arg-type]
        per_writer[writer] = round(phrase_f1(test_rows, chosen), 4)
    best["per_writer_f1"] = per_writer
    return best


def sparse_rows(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows of a (features x classes) weight matrix that hold any weight, and those rows."""
    used = np.flatnonzero(np.abs(matrix).max(axis=1) > 1e-6)
    return used.astype(np.int32), matrix[used].astype(np.float16)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--out", type=Path, default=WEIGHTS_FILE.parent)
    parser.add_argument("--c-grid", type=float, nargs="+", default=[C_DEFAULT],
                        help="inverse regularisation strengths to choose from (default: %(default)s)")
    parser.add_argument("--folds", type=int, default=FOLDS,
                        help="groups of writers held out in turn (default: %(default)s)")
    args = parser.parse_args()
    started = time.perf_counter()
    rows = load_corpus(args.corpus)
    texts = features.normalised([r.text for r in rows])
    lists = [r.list for r in rows]
    print(f"{len(rows)} phrases from {len({r.writer for r in rows})} writers; "
          f"{sum(not r.labels for r in rows)} unlabelled", flush=True)
    x_theme = features.theme_features(texts).astype(np.float64)  # lbfgs would cast it every iteration
    x_flip = features.polarity_features(texts, lists)
    rule = rule_confidences(label_phrases([(r.text, r.list) for r in rows]))
    chosen = cross_validate(rows, x_theme, x_flip, rule, tuple(args.c_grid), args.folds)
    chosen["folds"] = args.folds
    print("chosen:", json.dumps(chosen), flush=True)
    theme_model = fit_themes(x_theme, rows, float(chosen["C"]))  # type: ignore[arg-type]
    flip_model = fit_flip(x_flip, rows)
    theme_rows, theme_weights = sparse_rows(theme_model.coef_.T)
    flip_rows, flip_weights = sparse_rows(flip_model.coef_.T)
    args.out.mkdir(parents=True, exist_ok=True)
    weights = args.out / WEIGHTS_FILE.name
    np.savez_compressed(
        weights, classes=np.array(CLASSES), theme_rows=theme_rows, theme_weights=theme_weights,
        theme_bias=theme_model.intercept_.astype(np.float32), flip_rows=flip_rows,
        flip_weights=flip_weights, flip_bias=flip_model.intercept_.astype(np.float32),
        tau=np.float32(chosen["tau"]), second=np.float32(chosen["second"]),
        rule_prior=np.float32(chosen["rule_prior"]))
    corpus_digest = hashlib.sha256()
    for path in sorted(args.corpus.glob("*.tsv")):
        corpus_digest.update(path.read_bytes())
    card = {"phrases": len(rows), "unlabelled": sum(not r.labels for r in rows),
            "writers": dict(sorted(Counter(r.writer for r in rows).items())),
            "labels": dict(sorted(Counter(t for r in rows for t, _ in r.labels).items())),
            "writer_held_out": chosen, "corpus_sha256": corpus_digest.hexdigest(),
            "weights_sha256": hashlib.sha256(weights.read_bytes()).hexdigest(),
            "train_seconds": round(time.perf_counter() - started, 1)}
    (args.out / "labeller_card.json").write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(card, indent=2))


if __name__ == "__main__":
    main()
