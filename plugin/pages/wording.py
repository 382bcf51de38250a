"""What the profile page says about an analysis, its write-back and the passion profile, in words.

Kept out of the templates so each sentence is chosen by plain code a unit test can read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from plugin.storage.models import (
    Analysis,
    AuditAction,
    AuditActor,
    AuditEntry,
    Candidate,
    CandidateStatus,
    Connection,
    DeliveryStatus,
    as_utc,
)


@dataclass(frozen=True)
class State:
    """A sentence and its kind (ok, waiting, failed or none), which only picks a colour."""

    kind: str
    words: str


def when(moment: datetime | None) -> str:
    return as_utc(moment).strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "an unknown time"


def analysis_state(candidate: Candidate) -> State:
    """Where the candidate's current history is on its way to an analysis (running is not tracked
    apart from waiting: a worker's start is not recorded)."""
    status = candidate.status
    if status == CandidateStatus.QUEUED:
        return State("waiting", f"Waiting for analysis since {when(candidate.queued_at)}: the result "
                                "appears here once a worker has run it.")
    if status == CandidateStatus.ENQUEUE_FAILED:
        return State("waiting", "Waiting for analysis: the task queue was unavailable when it was "
                                "requested, so it is queued again automatically within a few minutes.")
    if status == CandidateStatus.FAILED:
        return State("failed", f"Analysis failed: the analyser stopped with an error on history version "
                               f"{candidate.history_version}. Re-analyse to try again; if it fails "
                               "again, tell your administrator.")
    analysis = candidate.latest_analysis
    if analysis is None:
        return State("ok", "Analysed.")
    done = f"Analysed {when(analysis.created_at)}."
    if candidate.queued_at and as_utc(candidate.queued_at) > as_utc(analysis.created_at):
        done += (f" Checked again at {when(candidate.queued_at)}: the analyser has not changed since, "
                 "so that result stands.")
    return State("ok", done)


def write_back_state(connection: Connection, analysis: Analysis) -> State:
    """Whether the CRM got this analysis, and if not, why not."""
    if connection.provider == "standard" and not connection.callback_url:
        return State("none", "No write-back configured: this connection has no callback URL, so the "
                             "result stays in this workspace and the API.")
    status, error = analysis.delivery_status, analysis.last_error
    if status == DeliveryStatus.DELIVERED:
        return State("ok", f"Written back to the CRM at {when(analysis.delivered_at)}.")
    if status == DeliveryStatus.SUPERSEDED:
        return State("none", "Not written back: a newer history arrived before it went out, and that "
                             "one is written back instead.")
    if status == DeliveryStatus.DEAD:
        return State("failed", f"Write-back failed for good ({error or 'the CRM refused it'}) after "
                               f"{analysis.delivery_attempts} attempts. An administrator can send it "
                               "again with `passion replay`.")
    if analysis.delivery_attempts == 0:
        return State("waiting", "Write-back pending: waiting for a worker to send it to the CRM.")
    retry = f"; next attempt after {when(analysis.retry_at)}" if analysis.retry_at else ""
    return State("waiting", f"Write-back pending: attempt {analysis.delivery_attempts} failed "
                            f"({error or 'no reason recorded'}){retry}.")


@dataclass(frozen=True)
class ThemeRow:
    """One theme of the passion profile: one cell per job, most recent first ("liked", "disliked" or
    "" when the job said nothing of it), and the same in words."""

    label: str
    feeling: str  # liked, disliked or mixed
    cells: list[str]
    words: str


def _jobs(count: int, total: int) -> str:
    return f"{count} of {total} job{'' if total == 1 else 's'}"


def passion_profile(result: dict[str, Any], job_count: int) -> list[ThemeRow]:
    """Passions, then mixed themes, then aversions, each the most widespread first."""
    def row(item: dict[str, Any], liked: list[int], disliked: list[int]) -> ThemeRow:
        cells = ["liked" if j in liked else "disliked" if j in disliked else "" for j in range(job_count)]
        parts = ([f"liked in {_jobs(len(liked), job_count)}"] if liked else []) + (
            [f"disliked in {_jobs(len(disliked), job_count)}"] if disliked else [])
        feeling = "mixed" if liked and disliked else "liked" if liked else "disliked"
        return ThemeRow(item["label"], feeling, cells, ", ".join(parts))

    def widest(rows: list[ThemeRow]) -> list[ThemeRow]:
        return sorted(rows, key=lambda r: -sum(1 for c in r.cells if c))

    return (widest([row(i, i["jobs"], []) for i in result.get("passions", [])])
            + widest([row(i, i["liked_in"], i["disliked_in"]) for i in result.get("mixed", [])])
            + widest([row(i, [], i["jobs"]) for i in result.get("aversions", [])]))


def phrase_themes(result: dict[str, Any], labels: dict[str, str]) -> dict[tuple[int, str, int], list[str]]:
    """The theme labels the analysis read in each phrase, by (job, list, index): the evidence by job."""
    found: dict[tuple[int, str, int], list[str]] = {}
    for phrase in result.get("phrases", []):
        names = [labels.get(label["theme"], label["theme"]) for label in phrase["labels"]]
        if names:
            found[(phrase["job"], phrase["list"], phrase["index"])] = names
    return found


_WHO = {AuditActor.ADMINISTRATOR: "An administrator (signed in with the API token)",
        AuditActor.CRM: "The CRM (through the API)", AuditActor.WORKER: "The analyser (a worker)",
        AuditActor.CANDIDATE: "The candidate, through their worksheet"}
_WHAT = {AuditAction.ANALYSIS_STORED: "Analysis stored", AuditAction.WRITE_BACK_DELIVERED:
         "Written back to the CRM", AuditAction.WRITE_BACK_FAILED: "Write-back failed for good",
         AuditAction.CORRECTION_SAVED: "Correction saved", AuditAction.CORRECTION_REMOVED:
         "Correction removed", AuditAction.REANALYSIS_REQUESTED: "Re-analysis requested"}


def audit_who(entry: AuditEntry, viewer_id: int | None) -> str:
    """Who acted, by account id for a recruiter ("you" for the one reading)."""
    if entry.actor == AuditActor.RECRUITER:
        you = " (you)" if entry.recruiter_id == viewer_id else ""
        return f"Recruiter account {entry.recruiter_id}{you}"
    return _WHO.get(AuditActor(entry.actor), entry.actor)


def audit_what(entry: AuditEntry) -> str:
    what = _WHAT.get(AuditAction(entry.action), entry.action)
    return f"{what}: {entry.detail}" if entry.detail else what
