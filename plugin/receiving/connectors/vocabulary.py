"""The closed, namespaced vocabulary every vendor connector writes back (a Greenhouse field's options,
Lever's tags), so that a CRM's list of values never sprawls: `passion:<theme>` and `avoid:<theme>` for
each theme of the catalogue, and `worksheet:awaiting` while the candidate has no worksheet (themes cannot
be read from titles alone)."""

from __future__ import annotations

from typing import Any

from schemas.catalogue import THEME_IDS
from schemas.crm_history import has_worksheet

AWAITING = "worksheet:awaiting"
VOCABULARY: tuple[str, ...] = (*(f"passion:{t}" for t in THEME_IDS), *(f"avoid:{t}" for t in THEME_IDS),
                               AWAITING)


def values_for(history: dict[str, Any], result: dict[str, Any]) -> list[str]:
    """The values for an analysis, in vocabulary order."""
    chosen = {f"passion:{item['theme']}" for item in result.get("passions", [])}
    chosen |= {f"avoid:{item['theme']}" for item in result.get("aversions", [])}
    if not has_worksheet(history):
        chosen.add(AWAITING)
    return [value for value in VOCABULARY if value in chosen]
