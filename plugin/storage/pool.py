"""The built-in candidate pool: each candidate's profile and filterable tags, and the queries over them."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, func, or_, select, update

from plugin.extensions import db
from plugin.storage import worksheets
from plugin.storage.models import Analysis, Candidate, CandidateStatus, CandidateTag, utcnow
from schemas.history import is_plausible_id, normalize_id

log = logging.getLogger(__name__)

_TAG_KINDS = (("passion", "passions"), ("aversion", "aversions"), ("mixed", "mixed"))


def profile_fields(candidate: Candidate, analysis: Analysis) -> dict[str, Any]:
    """The structured candidate fields of an analysis: the pool's profile and what CRMs store (the
    `data` of candidate.analyzed, documented by schemas.webhooks.AnalyzedFieldsSchema; a test checks
    that a real write-back matches it, so change both together)."""
    result = analysis.result
    return {
        "candidate_id": candidate.external_id,
        "history_version": analysis.history_version,
        "history_hash": analysis.history_hash,
        "analysis_version": analysis.engine_version,
        "passion_themes": [item["theme"] for item in result["passions"]],
        "aversions": [item["theme"] for item in result["aversions"]],
        "mixed_themes": [item["theme"] for item in result["mixed"]],
        "skills": [{"id": s["id"], "label": s["label"]} for s in result["skills"]],
        "summary": result["summary"],
        "candidate_corrections": worksheets.corrections_as_fields(candidate.id),
    }


def publish(candidate: Candidate, analysis: Analysis) -> bool:
    """Replace the candidate's profile and filterable tags, unless a newer history arrived meanwhile."""
    claimed = db.session.execute(
        update(Candidate)
        .where(Candidate.id == candidate.id, Candidate.history_version == analysis.history_version)
        .values(status=CandidateStatus.ANALYZED, profile=profile_fields(candidate, analysis),
                updated_at=utcnow())
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        log.info("analysis superseded candidate=%s version=%s", candidate.id, analysis.history_version)
        return False
    db.session.execute(db.delete(CandidateTag).where(CandidateTag.candidate_id == candidate.id))
    db.session.add_all(_tags(candidate.id, analysis.result))
    return True


def _tags(candidate_id: int, result: dict[str, Any]) -> list[CandidateTag]:
    tags = [CandidateTag(candidate_id=candidate_id, kind=kind, value=item["theme"], label=item["label"])
            for kind, key in _TAG_KINDS for item in result[key]]
    tags += [CandidateTag(candidate_id=candidate_id, kind="skill", value=skill["id"][:255],
                          label=skill["label"][:255]) for skill in result["skills"]]
    return tags


def _with_tag(kind: str, values: Iterable[str]) -> list:
    return [Candidate.id.in_(select(CandidateTag.candidate_id).where(
        CandidateTag.kind == kind, CandidateTag.value == value)) for value in values]


def _with_skill(values: Iterable[str]) -> list:
    return [Candidate.id.in_(select(CandidateTag.candidate_id).where(
        CandidateTag.kind == "skill",
        or_(CandidateTag.value == value, func.lower(CandidateTag.label) == value.lower())))
        for value in values]


def filtered(connection_id: str, *, themes: Iterable[str] = (), aversions: Iterable[str] = (),
             skills: Iterable[str] = ()) -> Select:
    """Candidates of one connection that match every filter, most recently updated first."""
    conditions = [Candidate.connection_id == connection_id, *_with_tag("passion", themes),
                  *_with_tag("aversion", aversions), *_with_skill(skills)]
    return select(Candidate).where(*conditions).order_by(Candidate.updated_at.desc(),
                                                         Candidate.id.desc())


def page(query: Select, *, page: int, page_size: int) -> tuple[list[Candidate], int]:
    """One page of a query and the total count."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    offset = (page - 1) * page_size
    if offset >= total:  # past the end; an offset past 64 bits would also overflow the database
        return [], total
    rows = db.session.scalars(query.limit(page_size).offset(offset)).all()
    return list(rows), total


def passion_counts(connection_id: str) -> dict[str, int]:
    """How many of the connection's candidates have each passion theme."""
    rows = db.session.execute(
        select(CandidateTag.value, func.count()).join(Candidate)
        .where(Candidate.connection_id == connection_id, CandidateTag.kind == "passion")
        .group_by(CandidateTag.value))
    return {value: count for value, count in rows}


def get_candidate(connection_id: str, external_id: str, *, lock: bool = False) -> Candidate | None:
    """One candidate of the connection (row-locked for an update with `lock`); an id the schemas refuse
    was never stored, so it is not looked up (NUL breaks PostgreSQL); ids are stored in NFC, so either
    spelling of a name finds it."""
    external_id = normalize_id(external_id)
    if not is_plausible_id(external_id):
        return None
    query = select(Candidate).where(Candidate.connection_id == connection_id,
                                    Candidate.external_id == external_id)
    return db.session.scalar(query.with_for_update() if lock else query)
