"""The built-in candidate pool: each candidate's profile and filterable tags, and the queries over them."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, func, or_, select, update

from plugin.extensions import db
from plugin.storage import worksheets
from plugin.storage.models import (
    Analysis,
    Candidate,
    CandidateStatus,
    CandidateTag,
    DeliveryStatus,
    utcnow,
)
from plugin.storage.tag_sets import holds_all, holds_any, tag, tags
from schemas.catalogue import THEME_IDS
from schemas.history import is_plausible_id, normalize_id

log = logging.getLogger(__name__)

_TAG_KINDS = (("passion", "passions"), ("aversion", "aversions"), ("mixed", "mixed"))
SHOWN_FIELDS = ("name", "crm_url")  # of the canonical history: shown to recruiters, never analysed
MAX_SEARCH_WORDS = 8
MAX_SKILL_SUGGESTIONS = 500


@dataclass(frozen=True)
class Shown:
    """What the pages show of a candidate beside the analysis: their name, CRM link and search text."""

    name: str | None
    crm_url: str | None
    search_text: str


def split_history(history: Mapping[str, Any]) -> tuple[dict[str, Any], Shown]:
    """The history to store and analyse (jobs only) and what is shown beside it."""
    stored = {k: v for k, v in history.items() if k not in SHOWN_FIELDS}
    name = history.get("name") or None
    parts = [name or ""] + [job.get(key) or "" for job in history.get("jobs", [])
                            for key in ("title", "employer")]
    return stored, Shown(name=name, crm_url=history.get("crm_url") or None,
                         search_text="\n".join(p.lower() for p in parts if p))


def show_as(candidate: Candidate, shown: Shown) -> None:
    candidate.name, candidate.crm_url, candidate.search_text = shown.name, shown.crm_url, shown.search_text


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
    """Replace the candidate's profile and filterable tags (their rows and the tag set, in step), unless a
    newer history arrived meanwhile."""
    rows = _tags(candidate.id, analysis.result)
    claimed = db.session.execute(
        update(Candidate)
        .where(Candidate.id == candidate.id, Candidate.history_version == analysis.history_version)
        .values(status=CandidateStatus.ANALYZED, profile=profile_fields(candidate, analysis),
                tag_set=sorted({tag(row.kind, row.value) for row in rows}), updated_at=utcnow())
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        log.info("analysis superseded candidate=%s version=%s", candidate.id, analysis.history_version)
        return False
    db.session.execute(db.delete(CandidateTag).where(CandidateTag.candidate_id == candidate.id))
    db.session.add_all(rows)
    return True


def _tags(candidate_id: int, result: dict[str, Any]) -> list[CandidateTag]:
    tags = [CandidateTag(candidate_id=candidate_id, kind=kind, value=item["theme"], label=item["label"],
                         strength=item.get("strength"))
            for kind, key in _TAG_KINDS for item in result[key]]
    tags += [CandidateTag(candidate_id=candidate_id, kind="skill", value=skill["id"][:255],
                          label=skill["label"][:255]) for skill in result["skills"]]
    return tags


class Sort(StrEnum):
    """How the pool is ordered: the latest changed first, or the strongest passions first."""

    RECENT = "recent"
    STRENGTH = "strength"


def _tag_filters(*, held: list[str], excluded: list[str]) -> list:
    """One test each on the tag set (GIN-indexed on PostgreSQL) instead of a semi-join per tag."""
    return ([holds_all(Candidate.tag_set, held)] if held else []) + \
        ([~holds_any(Candidate.tag_set, excluded)] if excluded else [])


def _like_part(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, its own % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _with_skill(values: Iterable[str]) -> list:
    """An ESCO URI exactly, or any part of a skill's label in any case ("python" finds "Python (computer
    programming)"): read from the tag rows, since a part of a label is no element of the tag set."""
    return [Candidate.id.in_(select(CandidateTag.candidate_id).where(
        CandidateTag.kind == "skill",
        or_(CandidateTag.value == value,
            func.lower(CandidateTag.label).like(_like_part(value.lower()), escape="\\"))))
        for value in values]


def _with_words(text: str) -> list:
    """Every word of `text` somewhere in the name, a job title or an employer."""
    return [Candidate.search_text.like(_like_part(word), escape="\\")
            for word in text.lower().split()[:MAX_SEARCH_WORDS]]


def _strength(themes: Iterable[str]) -> Any:
    """The summed strength of the candidate's passions (only the requested ones, when some are)."""
    wanted = list(themes)
    return (select(func.coalesce(func.sum(CandidateTag.strength), 0.0))
            .where(CandidateTag.candidate_id == Candidate.id, CandidateTag.kind == "passion",
                   *([CandidateTag.value.in_(wanted)] if wanted else []))
            .correlate(Candidate).scalar_subquery())


def filtered(connection_id: str, *, themes: Iterable[str] = (), aversions: Iterable[str] = (),
             exclude_aversions: Iterable[str] = (), skills: Iterable[str] = (), text: str = "",
             sort: str = Sort.RECENT) -> Select:
    """Candidates of one connection that match every filter: the one query behind the pages, the CSV
    export and the API. `aversions` must all be held, `exclude_aversions` none."""
    themes = list(themes)
    conditions = [Candidate.connection_id == connection_id,
                  *_tag_filters(held=tags("passion", themes) + tags("aversion", aversions),
                                excluded=tags("aversion", exclude_aversions)),
                  *_with_skill(skills), *_with_words(text)]
    order = [Candidate.updated_at.desc(), Candidate.id.desc()]
    if sort == Sort.STRENGTH:
        order.insert(0, _strength(themes).desc())
    return select(Candidate).where(*conditions).order_by(*order)


def count(query: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


def page(query: Select, *, page: int, page_size: int,
         total: int | None = None) -> tuple[list[Candidate], int]:
    """One page of a query and the total count (counted here unless the caller already knows it)."""
    total = count(query) if total is None else total
    offset = (page - 1) * page_size
    if offset >= total:  # past the end; an offset past 64 bits would also overflow the database
        return [], total
    rows = db.session.scalars(query.limit(page_size).offset(offset)).all()
    return list(rows), total


@dataclass(frozen=True)
class Facets:
    """How many candidates a pool query finds, and how many of them hold each passion of the catalogue:
    beside a theme on the pool page, how many of the current result would remain with it added."""

    total: int
    passions: dict[str, int]


def facets(query: Select) -> Facets:
    """The count and every theme's count in one pass over the filtered candidates (one statement, each
    row's tag set tested once per theme; `query` is a `filtered` one)."""
    row = db.session.execute(facets_statement(query)).one()
    return Facets(total=row[0], passions={theme: n for theme, n in zip(THEME_IDS, row[1:], strict=True)
                                          if n})


def facets_statement(query: Select) -> Select:
    counts = [func.count()] + [func.count().filter(holds_all(Candidate.tag_set, [tag("passion", theme)]))
                               for theme in THEME_IDS]
    return query.order_by(None).with_only_columns(*counts)


def passion_counts(connection_id: str) -> dict[str, int]:
    """How many of the connection's candidates hold each passion (GET /api/themes): counted from the tag
    rows, which for the whole pool reads less than every candidate's tag set (docs/performance.md, "Pool")."""
    rows = db.session.execute(
        select(CandidateTag.value, func.count()).join(Candidate)
        .where(Candidate.connection_id == connection_id, CandidateTag.kind == "passion")
        .group_by(CandidateTag.value))
    return {value: count for value, count in rows}


def dead_write_backs(candidate_ids: Iterable[int]) -> set[int]:
    """Which of these candidates' latest analysis the CRM refused for good: a marker in the pool's list,
    read in one query of two columns instead of each candidate's analyses with their results."""
    latest: dict[int, str] = {}
    for candidate_id, status in db.session.execute(
            select(Analysis.candidate_id, Analysis.delivery_status)
            .where(Analysis.candidate_id.in_(list(candidate_ids))).order_by(Analysis.id)):
        latest[candidate_id] = status
    return {candidate_id for candidate_id, status in latest.items() if status == DeliveryStatus.DEAD}


def skill_labels(connection_id: str, *, limit: int = MAX_SKILL_SUGGESTIONS) -> list[str]:
    """The skill labels present in the connection's pool, for suggestions as a recruiter types."""
    return list(db.session.scalars(
        select(CandidateTag.label).join(Candidate)
        .where(Candidate.connection_id == connection_id, CandidateTag.kind == "skill")
        .group_by(CandidateTag.label).order_by(CandidateTag.label).limit(limit)))


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
