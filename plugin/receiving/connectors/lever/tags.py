"""The write-back: tags in the shared vocabulary (plugin/receiving/connectors/vocabulary.py) on every
opportunity of the contact, through Lever's additive `addTags` and `removeTags`, so that a recruiter's own
tags are never read, rewritten or lost. Only tags that our last write-back put there are ever removed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from plugin.receiving.connectors.api_client import NotFound
from plugin.receiving.connectors.base import CrmAccount
from plugin.receiving.connectors.lever.api import LeverClient, opportunity_path

ADD_PATH = "/v1/opportunities/{id}/addTags"
REMOVE_PATH = "/v1/opportunities/{id}/removeTags"


@dataclass(frozen=True)
class TagPlan:
    """What one write-back does on each opportunity of the contact."""

    account: CrmAccount
    contact_id: str
    tags: list[str]  # the analysis's tags: added to every opportunity (again, harmlessly, where present)
    stale: list[str]  # written by us before and no longer meant: removed


def plan_for(account: CrmAccount, contact_id: str, tags: list[str],
             written: dict[str, Any] | None) -> TagPlan | None:
    """None when the tags equal what the last write-back put there (`candidates.crm_written`)."""
    previous = [str(tag) for tag in (written or {}).get("tags", [])]
    if tags == previous:
        return None
    return TagPlan(account, contact_id, tags, [tag for tag in previous if tag not in tags])


def apply(client: LeverClient, plan: TagPlan) -> int:
    """Remove the stale tags, then add the current ones, on each opportunity; the count tagged. An
    opportunity deleted since it was listed is passed over; NotFound when the contact has none."""
    found = [row["id"] for row in client.opportunities(plan.contact_id)]
    if not found:
        raise NotFound("Lever lists no opportunity for the contact")
    tagged = 0
    for opportunity_id in found:
        try:
            if plan.stale:
                client.send("POST", opportunity_path(REMOVE_PATH, opportunity_id), {"tags": plan.stale})
            if plan.tags:
                client.send("POST", opportunity_path(ADD_PATH, opportunity_id), {"tags": plan.tags})
        except NotFound:
            continue
        tagged += 1
    return tagged
