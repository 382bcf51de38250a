"""`passion skills`: ESCO skills for sentences, one JSON object per input line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import islice
from typing import IO

import click

BATCH = 256  # sentences encoded together: fast, and memory stays flat on any input size


def _batches(lines: IO[str]) -> Iterator[list[str]]:
    texts = (line.rstrip("\n") for line in lines)
    while batch := list(islice(texts, BATCH)):
        yield batch


@click.command()
@click.option("--input", "input_file", type=click.File("r", encoding="utf-8"), default="-",
              show_default=True, help="One sentence per line.")
@click.option("--output", "output_file", type=click.File("w", encoding="utf-8"), default="-",
              show_default=True, help='One {"text", "skills"} object per input line.')
@click.option("--top", "top_k", type=click.IntRange(1, 100), default=10, show_default=True,
              help="How many skills per sentence, best first.")
@click.option("--wording", type=click.Choice(["v1.1.1", "v1.1.0"]), default="v1.1.1",
              show_default=True, help="ESCO version whose preferred labels to print (URIs are the same).")
def skills(input_file: IO[str], output_file: IO[str], top_k: int, wording: str) -> None:
    """ESCO skills for each sentence, best first, with their scores."""
    from workers.analysis.skills import extract_skills

    for batch in _batches(input_file):
        found = extract_skills([text.strip() for text in batch], top_k=top_k,
                               wording=wording)  # type: ignore[arg-type]
        for text, ranked in zip(batch, found, strict=True):
            output_file.write(json.dumps({"text": text, "skills": ranked}, ensure_ascii=False) + "\n")
    output_file.flush()
