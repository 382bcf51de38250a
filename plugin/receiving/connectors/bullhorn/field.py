"""The write-back: the shared vocabulary (plugin/receiving/connectors/vocabulary.py) as one value in the
candidate's custom text field that an admin labelled for us (`customText1-40`, 100 characters, filterable;
or `customTextBlock1-10`, unbounded), set with `POST entity/Candidate/{id}` (Bullhorn's update). The slot
is ours alone, so setting it touches nothing a recruiter wrote; it is read first and not sent when it
already holds the value."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from plugin.receiving.connectors.base import CrmAccount, CrmError
from plugin.receiving.connectors.bullhorn.api import BullhornClient

FIELD = re.compile(r"customText(?:[1-9]|[1-3][0-9]|40)|customTextBlock(?:[1-9]|10)")
SHORT_TEXT_CHARS = 100  # customText1-40: String 100 (BH-docs entityref/_candidate.md)
SEPARATOR = "; "


@dataclass(frozen=True)
class FieldPlan:
    """What one write-back sets on the candidate."""

    account: CrmAccount
    candidate_id: str
    field: str
    value: str


def field_of(account: CrmAccount) -> str:
    """The connection's field; CrmError when it is not a custom text slot."""
    name = account.credentials.get("field", "")
    if not FIELD.fullmatch(name):
        raise CrmError("the Bullhorn field must be customText1-40 or customTextBlock1-10",
                       retryable=False)
    return name


def value_of(values: list[str], field: str) -> str:
    """The values joined; in a 100-character customText slot, the ones that fit whole, in order."""
    if field.startswith("customTextBlock"):
        return SEPARATOR.join(values)
    kept: list[str] = []
    for value in values:
        if len(SEPARATOR.join([*kept, value])) <= SHORT_TEXT_CHARS:
            kept.append(value)
    return SEPARATOR.join(kept)


def plan_for(account: CrmAccount, candidate_id: str, values: list[str],
             written: dict[str, Any] | None) -> FieldPlan | None:
    """None when the value equals what the last write-back put in the same field. The field is checked
    when sent (`apply`), where a refusal dead-letters the write-back."""
    name = account.credentials.get("field", "")
    value = value_of(values, name)
    previous = written or {}
    if previous.get("field") == name and previous.get("value") == value:
        return None
    return FieldPlan(account, candidate_id, name, value)


def apply(client: BullhornClient, plan: FieldPlan) -> bool:
    """Set the field; False when the candidate already holds the value (nothing sent)."""
    field_of(plan.account)
    current = client.candidate(plan.candidate_id, plan.field).get(plan.field)
    if (current or "") == plan.value:
        return False
    client.send("POST", f"/entity/Candidate/{plan.candidate_id}", {plan.field: plan.value})
    return True
