"""Build the neighbour bank the learned labeller votes with (workers/analysis/neighbours.py).

usage: python scripts/build_neighbours.py [--corpus DIR] [--dim 96] [--k 15] [--weight 3.0] [--min-words 8]

Encodes every corpus phrase (the rows scripts/train_labeller.py trains on, same order and deduplication)
with the engine's MiniLM encoder, finds the corpus's principal axes on every fourth vector (numpy's SVD:
deterministic), projects all of them onto the first --dim axes and stores them in int8 with a scale per
row, with each phrase's label classes. K, the vote's weight and the shortest phrase voted on were chosen
on the dev signals (docs/quality.md); the frozen evaluation sets are never read here.
Takes about 5 CPU-minutes.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from train_labeller import CORPUS, load_corpus  # noqa: E402

from workers.analysis import embeddings  # noqa: E402
from workers.analysis.learned import CLASSES  # noqa: E402
from workers.analysis.neighbours import BANK_FILE, NO_LABEL, project, quantise  # noqa: E402


def label_classes(rows: list) -> np.ndarray:  # type: ignore[type-arg]
    """(phrases, 2) class indexes: "none" for an unlabelled phrase, NO_LABEL for an unused slot."""
    out = np.full((len(rows), 2), NO_LABEL, dtype=np.int8)
    for i, row in enumerate(rows):
        themes = [CLASSES.index(theme) for theme, _ in row.labels] or [0]
        out[i, :len(themes)] = themes[:2]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--out", type=Path, default=BANK_FILE)
    parser.add_argument("--dim", type=int, default=96)
    parser.add_argument("--k", type=int, default=15)
    parser.add_argument("--weight", type=float, default=3.0)
    parser.add_argument("--min-words", type=int, default=8, help="shorter phrases get no vote")
    parser.add_argument("--vectors", type=Path, help="reuse vectors saved by an earlier run (.npy)")
    args = parser.parse_args()
    started = time.perf_counter()
    rows = load_corpus(args.corpus)
    if args.vectors and args.vectors.exists():
        vectors = np.load(args.vectors)
    else:
        vectors = embeddings.encode([row.text for row in rows], batch_size=128)
        if args.vectors:
            np.save(args.vectors, vectors)
    if vectors.shape[0] != len(rows):
        raise SystemExit("the saved vectors are for another corpus")
    mean = vectors.mean(axis=0)
    _, _, axes = np.linalg.svd(vectors[::4] - mean, full_matrices=False)
    axes = axes[:args.dim]
    codes, scale = quantise(project(vectors, mean, axes))
    np.savez_compressed(args.out, mean=mean.astype(np.float32), axes=axes.astype(np.float32), codes=codes,
                        scale=scale, classes=label_classes(rows), k=np.int32(args.k),
                        weight=np.float32(args.weight), min_words=np.int32(args.min_words))
    print(f"{len(rows)} phrases, {args.dim} axes, {args.out.stat().st_size / 1e6:.1f} MB, "
          f"{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
