"""The seam between the engine and whatever reads a like or dislike: phrases in, labels out.

A labeller takes (text, list) pairs, list being "likes" or "dislikes", and returns for each at most two
Labels (theme, polarity, confidence); an empty tuple means the phrase is about nothing in the catalogue.
Its `version` names the labeller and digests what decides its output (data, weights), so a stored
analysis says exactly which labeller made it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from workers.analysis.result import Label

Item = tuple[str, str]  # (phrase text, "likes" | "dislikes")


class PhraseLabeller(Protocol):
    """Anything that labels phrases: the learned model, the rule cascade, a test double."""

    @property
    def version(self) -> str:
        """Changes whenever the labeller's output can change; part of the analysis version."""
        ...

    def label(self, items: Sequence[Item]) -> list[tuple[Label, ...]]:
        """One tuple of labels per item, in order."""
        ...
