"""The write-back: tags in the shared vocabulary (plugin/receiving/connectors/vocabulary.py) on the
candidate. Workable's `PUT …/tags` replaces the whole list, so the list is read, merged (a recruiter's own
tags kept as they are, only tags our last write-back put there removed) and written back, after a second
read has found the candidate's `updated_at` unchanged since the first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from plugin.receiving.connectors.api_client import NotFound
from plugin.receiving.connectors.base import CrmAccount, CrmError
from plugin.receiving.connectors.workable.api import TAGS_PATH, WorkableClient, candidate_path
from schemas.workable import candidate_of

MERGE_TRIES = 3  # reads that found the candidate changed under us before the write is left to a retry


@dataclass(frozen=True)
class TagPlan:
    """What one write-back does on the candidate."""

    account: CrmAccount
    candidate_id: str
    tags: list[str]  # the analysis's tags
    stale: list[str]  # written by us before and no longer meant: removed


def plan_for(account: CrmAccount, candidate_id: str, tags: list[str],
             written: dict[str, Any] | None) -> TagPlan | None:
    """None when the tags equal what the last write-back put there (`candidates.crm_written`)."""
    previous = [str(tag) for tag in (written or {}).get("tags", [])]
    if tags == previous:
        return None
    return TagPlan(account, candidate_id, tags, [tag for tag in previous if tag not in tags])


def merged(current: list[str], plan: TagPlan) -> list[str]:
    """The candidate's tags with our stale ones gone and ours present once; Workable may have lowercased
    a tag, so ours are compared without case."""
    stale = {tag.casefold() for tag in plan.stale}
    kept = [tag for tag in current if tag.casefold() not in stale]
    present = {tag.casefold() for tag in kept}
    return kept + [tag for tag in plan.tags if tag.casefold() not in present]


def _read(client: WorkableClient, candidate_id: str) -> tuple[list[str], Any]:
    """The candidate's tags and its `updated_at`; NotFound when Workable has no such candidate."""
    found = candidate_of(client.candidate(candidate_id))
    if found is None:
        raise NotFound("Workable answered no candidate")
    tags = found.get("tags")
    return [str(tag) for tag in tags if isinstance(tag, str)] if isinstance(tags, list) else [], \
        found.get("updated_at")


def apply(client: WorkableClient, plan: TagPlan) -> bool:
    """Write the merged tags; False when the candidate already has them (nothing sent). CrmError
    (retryable) when the candidate changed between each pair of reads."""
    current, updated_at = _read(client, plan.candidate_id)
    for _ in range(MERGE_TRIES):
        wanted = merged(current, plan)
        if wanted == current:
            return False
        again, updated_again = _read(client, plan.candidate_id)
        if updated_again == updated_at:
            client.send("PUT", candidate_path(TAGS_PATH, plan.candidate_id), {"tags": wanted})
            return True
        current, updated_at = again, updated_again  # changed while we merged: merge what it is now
    raise CrmError("Workable candidate kept changing while its tags were merged", retry_after=10.0)
