"""Shared pieces of the skill benchmark scripts: where the sets are and how they are scored."""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("PASSION_SHARED_DIR", ROOT.parent / "shared"))
VALIDATION = SHARED / "data/skill-benchmark"
TEST = ROOT / "bench/data/skill-benchmark"
SCORER = SHARED / "eval/score_skills.py"
SETS = {"validation": {"tech": VALIDATION / "tech_validation_annotations.csv",
                       "house": VALIDATION / "house_validation_annotations.csv"},
        "test": {"tech": TEST / "tech_test_annotations.csv",
                 "house": TEST / "house_test_annotations.csv",
                 "techwolf": TEST / "techwolf_test_annotations.csv"}}


def scorer() -> ModuleType:
    """The shared scorer module (../shared/eval/score_skills.py), imported by path."""
    spec = importlib.util.spec_from_file_location("score_skills", SCORER)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def gold(path: Path) -> dict[str, set[str]]:
    """Sentence -> normalised gold labels, exactly as the scorer reads them."""
    return dict(scorer().load_gold(str(path)))


def metrics(ranked: Sequence[Sequence[str]], golds: Sequence[set[str]]) -> dict[str, float]:
    """RP@5, RP@10 and MRR in percent, the scorer's formulas, for in-process tuning."""
    rp5 = [len(g & set(r[:5])) / min(5, len(g)) for r, g in zip(ranked, golds, strict=True)]
    rp10 = [len(g & set(r[:10])) / min(10, len(g)) for r, g in zip(ranked, golds, strict=True)]
    mrr = [next((1 / (i + 1) for i, lab in enumerate(r) if lab in g), 0.0)
           for r, g in zip(ranked, golds, strict=True)]
    return {"rp@5": 100 * float(np.mean(rp5)), "rp@10": 100 * float(np.mean(rp10)),
            "mrr": 100 * float(np.mean(mrr))}
