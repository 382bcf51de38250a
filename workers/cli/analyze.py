"""`passion analyze`: the engine over a JSON Lines file, the same code path the worker runs."""

from __future__ import annotations

import json
import sys
from typing import IO, Any

import click
from marshmallow import ValidationError

from schemas.errors import flatten_errors
from schemas.history import CandidateHistorySchema


def analyze_line(line: str) -> tuple[dict[str, Any], bool]:
    """One output object for one input line, and whether the line was valid."""
    from schemas.analysis import dump_analysis
    from workers.analysis import analyze_history

    try:
        record = json.loads(line)
    except ValueError:
        return {"candidate_id": None, "error": {"field": "body", "message": "Not valid JSON."}}, False
    if isinstance(record, dict) and isinstance(record.get("candidate"), dict):
        record = record["candidate"]
    candidate_id = record.get("candidate_id") if isinstance(record, dict) else None
    try:
        history = CandidateHistorySchema().load(record if isinstance(record, dict) else {})
    except ValidationError as exc:
        field, messages = sorted(flatten_errors(exc.messages).items())[0]
        error = {"field": field, "message": " ".join(messages)}
        return {"candidate_id": candidate_id if isinstance(candidate_id, str) else None,
                "error": error}, False
    return dump_analysis(analyze_history(history)), True


@click.command()
@click.option("--input", "input_file", type=click.File("r", encoding="utf-8"), default="-",
              show_default=True, help="JSON Lines of candidate histories.")
@click.option("--output", "output_file", type=click.File("w", encoding="utf-8"), default="-",
              show_default=True, help="Where to write one analysis per input line.")
def analyze(input_file: IO[str], output_file: IO[str]) -> None:
    """Analyse candidate histories (JSON Lines) with the engine.

    One analysis per input line, in order; a line that is not a valid history gives an error object
    naming the field, and the exit status is then 1. Blank lines are skipped; an input with no history
    at all is refused. The contract: docs/cli.md."""
    from workers.cli.install_check import require_engine

    require_engine()
    failed, seen = False, 0
    for line in input_file:
        if not line.strip():
            continue
        seen += 1
        result, ok = analyze_line(line)
        failed = failed or not ok
        output_file.write(json.dumps(result, ensure_ascii=False) + "\n")
    output_file.flush()
    if not seen:
        raise click.ClickException("no candidate history in the input: give one JSON object per line "
                                   "(on stdin or with --input FILE; docs/cli.md)")
    sys.exit(1 if failed else 0)
