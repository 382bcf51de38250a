"""tag_skills called with the plain dicts the skill tests are written in, its typed output as dicts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

from workers.analysis.result import Label, Phrase, RecurringTheme
from workers.analysis.skills import tag_skills


def tag(history: Mapping[str, Any], phrases: Sequence[Mapping[str, Any]],
        passions: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    typed_phrases = [Phrase(p["job"], p["list"], p["index"], p["text"],
                            tuple(Label(**lab) for lab in p["labels"])) for p in phrases]
    typed_passions = [RecurringTheme(p["theme"], p.get("label", p["theme"]), list(p["jobs"]),
                                     p.get("strength", 0.0), []) for p in passions]
    return [asdict(skill) for skill in tag_skills(history, typed_phrases, typed_passions)]
