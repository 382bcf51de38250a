"""Runs the engine over an evaluation file and writes predictions for score_themes.py."""

from __future__ import annotations

import json
import sys

from workers.analysis import analyze_history


def main(argv: list[str]) -> int:
    """usage: engine_dev_predict.py GOLD.jsonl PRED.jsonl"""
    with open(argv[1], encoding="utf-8") as src, open(argv[2], "w", encoding="utf-8") as dst:
        for line in src:
            if line.strip():
                row = json.loads(line)
                dst.write(json.dumps(analyze_history(row.get("candidate", row))) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
