"""The frozen evaluation sets stay frozen: a patched set would make every later figure meaningless."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

FROZEN = Path(__file__).resolve().parents[2] / "bench" / "data" / "themes" / "frozen"


def test_every_frozen_file_matches_its_recorded_digest() -> None:
    manifest = json.loads((FROZEN / "MANIFEST.json").read_text(encoding="utf-8"))
    present = {p.name for p in FROZEN.iterdir() if p.suffix in (".jsonl", ".tsv")}
    assert present == set(manifest)
    for name, digest in manifest.items():
        assert hashlib.sha256((FROZEN / name).read_bytes()).hexdigest() == digest, name


def test_every_phrase_has_one_gold_entry() -> None:
    for path in FROZEN.glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            slots = sorted((j, name, i) for j, job in enumerate(row["candidate"]["jobs"])
                           for name in ("likes", "dislikes") for i in range(len(job[name])))
            gold = sorted((p["job"], p["list"], p["index"]) for p in row["gold"]["phrases"])
            assert gold == slots, (path.name, row["candidate"]["candidate_id"])


def _phrases(path: Path) -> set[str]:
    out = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        for job in json.loads(line)["candidate"]["jobs"]:
            out.update(" ".join(t.lower().split()) for t in job["likes"] + job["dislikes"])
    return out


def test_no_evaluation_phrase_is_in_the_training_corpus() -> None:
    """Even a short one ("parking") would be scored as recalled rather than read."""
    root = FROZEN.parents[1]
    held = set().union(*(_phrases(p) for p in [*FROZEN.glob("*.jsonl"), *(root / "dev").glob("*.jsonl")]))
    corpus = FROZEN.parents[3] / "scripts" / "data" / "theme_corpus"
    found = [(path.name, cols[1]) for path in sorted(corpus.glob("*.tsv"))
             for cols in (line.split("\t") for line in path.read_text(encoding="utf-8").splitlines())
             if len(cols) > 1 and " ".join(cols[1].lower().split()) in held]
    assert held and found == []
