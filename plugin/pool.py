"""Queries over one connection's candidate pool: filtering by theme, aversion and skill."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Select, func, or_, select

from plugin.extensions import db
from plugin.models import Candidate, CandidateTag
from schemas.history import is_plausible_id


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
    was never stored, so it is not looked up (NUL breaks PostgreSQL)."""
    if not is_plausible_id(external_id):
        return None
    query = select(Candidate).where(Candidate.connection_id == connection_id,
                                    Candidate.external_id == external_id)
    return db.session.scalar(query.with_for_update() if lock else query)
