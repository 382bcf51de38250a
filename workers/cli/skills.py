"""`passion skills`: ESCO skills for sentences, one JSON object per sentence."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import IO, Any

import click

BATCH = 256  # sentences encoded together: fast, and memory stays flat on any input size
BLANK = {"field": "text", "message": "Blank line: there is no sentence to find skills in."}


def _batches(texts: Iterable[str]) -> Iterator[list[str]]:
    texts = iter(texts)
    while batch := list(islice(texts, BATCH)):
        yield batch


def _results(batch: list[str], top_k: int, wording: str) -> Iterator[dict[str, Any]]:
    """One object per sentence; a blank one is an error object (a blank text only matches noise)."""
    from workers.analysis.skills import extract_skills

    filled = [text for text in batch if text.strip()]
    found = iter(extract_skills([text.strip() for text in filled], top_k=top_k,
                                wording=wording)) if filled else iter(())  # type: ignore[arg-type]
    for text in batch:
        yield {"text": text, "skills": next(found)} if text.strip() else {"text": text, "error": BLANK}


@click.command()
@click.argument("sentences", nargs=-1)
@click.option("--input", "input_file", type=click.File("r", encoding="utf-8"), default="-",
              show_default=True, help="One sentence per line (read when no SENTENCES are given).")
@click.option("--output", "output_file", type=click.File("w", encoding="utf-8"), default="-",
              show_default=True, help='One {"text", "skills"} object per sentence.')
@click.option("--top", "top_k", type=click.IntRange(1, 100), default=10, show_default=True,
              help="How many skills per sentence, best first.")
@click.option("--wording", type=click.Choice(["v1.1.1", "v1.1.0"]), default="v1.1.1",
              show_default=True, help="ESCO version whose preferred labels to print (URIs are the same).")
def skills(sentences: tuple[str, ...], input_file: IO[str], output_file: IO[str], top_k: int,
           wording: str) -> None:
    """ESCO skills for each sentence, best first, with their scores.

    Sentences come as arguments or one per line. A blank sentence is refused: as an argument with a usage
    error, as a line with an error object for that line (exit status 1). Details: docs/cli.md."""
    from workers.cli.install_check import require_engine

    if any(not sentence.strip() for sentence in sentences):
        raise click.BadParameter("a sentence is blank: give the text to find skills in, e.g. "
                                 'passion skills "legal research on case law"', param_hint="SENTENCES")
    require_engine()
    texts = sentences or (line.rstrip("\n") for line in input_file)
    written = blank = 0
    for batch in _batches(texts):
        for result in _results(batch, top_k, wording):
            written += 1
            blank += "error" in result
            output_file.write(json.dumps(result, ensure_ascii=False) + "\n")
    output_file.flush()
    if not written:
        raise click.ClickException("no sentence in the input: give sentences as arguments, or one per "
                                   "line on stdin or with --input FILE")
    sys.exit(1 if blank else 0)
