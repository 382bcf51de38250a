"""The pool's query path (plugin/storage/pool.py on the tag set) against a reference computed in Python, on
both databases: filters, exclusions, facet counts, page boundaries, and the tag set kept in step with the
tag rows on every analysis and erasure."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from dataclasses import dataclass

import pytest

from plugin.extensions import db
from plugin.storage import pool
from plugin.storage.models import Analysis, Candidate, CandidateTag
from schemas.catalogue import THEME_IDS
from tests.conftest import ingest_and_analyze
from tests.webhook_sender import event, history, signed_delivery

SKILLS = [("http://data.europa.eu/esco/skill/s1", "Python (computer programming)"),
          ("http://data.europa.eu/esco/skill/s2", "manage budgets"),
          ("http://data.europa.eu/esco/skill/s3", "conduct legal research")]
_ENGINES = itertools.count()  # each test analysis by its own engine version: a new row every time


@dataclass
class Made:
    id: int
    passions: set[str]
    aversions: set[str]
    skills: set[str]


def _result(passions, aversions, skills, rng: random.Random) -> dict:
    def themed(themes):
        return [{"theme": t, "label": t, "strength": round(rng.uniform(0.1, 1), 3)} for t in themes]
    return {"passions": themed(passions), "aversions": themed(aversions), "mixed": [],
            "skills": [{"id": uri, "label": label} for uri, label in SKILLS if uri in skills],
            "summary": ""}


def _publish(candidate: Candidate, result: dict, *, version: int | None = None) -> bool:
    analysis = Analysis(candidate_id=candidate.id, history_hash="h", engine_version=f"e{next(_ENGINES)}",
                        history_version=candidate.history_version if version is None else version,
                        result=result)
    db.session.add(analysis)
    db.session.flush()
    published = pool.publish(candidate, analysis)
    db.session.commit()
    return published


def _make_pool(connection_id: str, count: int, seed: int) -> list[Made]:
    rng = random.Random(seed)
    made = []
    for n in range(count):
        passions = set(rng.sample(THEME_IDS[:6], rng.randint(0, 3)))
        aversions = set(rng.sample([t for t in THEME_IDS[:6] if t not in passions], rng.randint(0, 2)))
        skills = {uri for uri, _ in SKILLS if rng.random() < 0.4}
        candidate = Candidate(connection_id=connection_id, external_id=f"r-{seed}-{n}", history={"jobs": []},
                              history_hash="h", status="queued")
        db.session.add(candidate)
        db.session.flush()
        assert _publish(candidate, _result(passions, aversions, skills, rng))
        made.append(Made(candidate.id, passions, aversions, skills))
    return made


def _all_ids(query) -> list[int]:
    return [c.id for c in db.session.scalars(query)]


@pytest.fixture
def random_pool(app, connection):
    from plugin.storage.connections import create_connection

    with app.app_context():
        other = create_connection(provider="standard", name="Other")
        made = _make_pool(connection.id, 40, seed=1)
        _make_pool(other.id, 10, seed=2)  # never found through the first connection
    return connection, made


FILTERS = [
    {},
    {"themes": [THEME_IDS[0]]},
    {"themes": [THEME_IDS[0], THEME_IDS[1]]},
    {"themes": [THEME_IDS[1]], "exclude_aversions": [THEME_IDS[2]]},
    {"themes": [THEME_IDS[0], THEME_IDS[3]], "exclude_aversions": [THEME_IDS[1], THEME_IDS[4]]},
    {"aversions": [THEME_IDS[2]], "exclude_aversions": [THEME_IDS[5]]},
    {"themes": [THEME_IDS[2]], "skills": [SKILLS[0][0]]},  # an exact URI
    {"skills": ["BUDGET"]},  # part of a label, any case
    {"themes": [THEME_IDS[0]], "aversions": [THEME_IDS[0]]},  # a passion and an aversion are kept apart
]


def _matches(made: Made, f: dict) -> bool:
    labels = {label.lower() for uri, label in SKILLS if uri in made.skills}
    return (set(f.get("themes", [])) <= made.passions and set(f.get("aversions", [])) <= made.aversions
            and not set(f.get("exclude_aversions", [])) & made.aversions
            and all(s in made.skills or any(s.lower() in label for label in labels)
                    for s in f.get("skills", [])))


@pytest.mark.parametrize("f", FILTERS)
def test_filters_and_facets_match_a_reference(app, random_pool, f):
    connection, made = random_pool
    expected = {m.id for m in made if _matches(m, f)}
    with app.app_context():
        query = pool.filtered(connection.id, **f)
        found = _all_ids(query)
        counted = pool.facets(query)
    assert sorted(found) == sorted(expected)
    assert counted.total == len(expected)
    passions = Counter(t for m in made if m.id in expected for t in m.passions)
    assert counted.passions == dict(passions)


def test_pages_cover_the_result_once_in_the_recent_order(app, random_pool):
    connection, _made = random_pool
    with app.app_context():
        query = pool.filtered(connection.id)
        ordered = [c.id for c in sorted(db.session.scalars(query),
                                        key=lambda c: (c.updated_at, c.id), reverse=True)]
        pages, total = [], pool.count(query)
        for number in range(1, 9):
            rows, counted = pool.page(query, page=number, page_size=7)
            assert counted == total
            pages.append([c.id for c in rows])
    assert [i for page in pages for i in page] == ordered
    assert [len(p) for p in pages] == [7, 7, 7, 7, 7, 5, 0, 0]


def _tag_set(app, candidate_id: int) -> tuple[list[str], list[str]]:
    """The candidate's tag set, and the same built from its tag rows."""
    with app.app_context():
        stored = db.session.get(Candidate, candidate_id).tag_set
        rows = db.session.query(CandidateTag.kind, CandidateTag.value).filter_by(candidate_id=candidate_id)
        return sorted(stored), sorted(f"{kind}:{value}" for kind, value in rows)


def test_a_re_analysis_replaces_the_tag_set_and_a_superseded_one_leaves_it(app, random_pool):
    connection, made = random_pool
    target = made[0].id
    rng = random.Random(5)
    with app.app_context():
        candidate = db.session.get(Candidate, target)
        assert _publish(candidate, _result({"writing"}, {"numbers"}, {SKILLS[1][0]}, rng))
    stored, from_rows = _tag_set(app, target)
    assert stored == from_rows == ["aversion:numbers", "passion:writing", f"skill:{SKILLS[1][0]}"]
    with app.app_context():
        candidate = db.session.get(Candidate, target)
        assert not _publish(candidate, _result({"research"}, set(), set(), rng),
                            version=candidate.history_version - 1)
        found = _all_ids(pool.filtered(connection.id, themes=["writing"], aversions=["numbers"]))
    assert target in found
    assert _tag_set(app, target)[0] == stored


def test_the_pipeline_keeps_the_tag_set_in_step_and_erasure_takes_it(app, client, connection):
    ingest_and_analyze(app, client, connection, history(
        "c-1", ["legal research on CanLII", "drafting memos"],
        ["digging through case law", "writing reports"],
        dislikes=["answering the phones", "cold calling clients"]))
    with app.app_context():
        candidate_id = db.session.query(Candidate.id).filter_by(external_id="c-1").scalar()
    stored, from_rows = _tag_set(app, candidate_id)
    assert stored == from_rows and any(t.startswith("passion:") for t in stored)
    theme = next(t.split(":", 1)[1] for t in stored if t.startswith("passion:"))
    with app.app_context():
        assert pool.facets(pool.filtered(connection.id, themes=[theme])).total == 1
    body, headers = signed_delivery(connection.secret, event("candidate.deleted", {"candidate_id": "c-1"}))
    assert client.post(f"/webhooks/{connection.id}", data=body, headers=headers).status_code == 202
    with app.app_context():
        counted = pool.facets(pool.filtered(connection.id, themes=[theme]))
        assert (counted.total, counted.passions) == (0, {})
        assert pool.passion_counts(connection.id) == {}
