"""The candidate pool in PostgreSQL: the /pool page (with its count and facet counts) and GET /api/candidates,
first page and the last page, against a bare GIN query on the same data in the same run.

    python bench/pool_bench.py [--candidates 100000] [--requests 50] [--postgres ADMIN_URL] [--explain]
                               [--database URL]

Fills a fresh database (the local server, PASSION_TEST_POSTGRES_URL or one pgserver starts, as the tests do)
with invented candidates and their tags (plus a second connection a tenth the size), signs a browser in, and
times each search in-process, interleaved: the page, the API, and the baseline, which is the same tag filter
written by hand as one statement on `candidates.tag_set` (`@>` / `NOT &&`, its GIN index), run through psycopg
with the same order and offset, returning ids only. Prints medians and p99 in ms and their ratios to the
baseline's. `--database` keeps the filled database for the next run (filled when it holds no "Bench"
connection, migrated to the head either way) instead of a fresh one. `--explain` prints the plans of the
issue-15 search's statements. Targets (issues 12 and 15): the
filtered page under 100 ms median and 300 ms p99 at 100,000; the two-passion, one-aversion search under 50 ms
p99 at 100,000 and 200 ms at 1,000,000; its facet counts no slower than its page of rows.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs

import psycopg
from sqlalchemy import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from plugin import create_app  # noqa: E402
from plugin.extensions import db  # noqa: E402
from plugin.storage import pool  # noqa: E402
from plugin.storage.connections import create_connection, find_by_name  # noqa: E402
from plugin.storage.crypto import hash_token, new_api_token  # noqa: E402
from plugin.storage.migrations_runner import upgrade_database  # noqa: E402
from plugin.storage.models import Candidate, CandidateTag, utcnow  # noqa: E402
from schemas.catalogue import THEME_IDS  # noqa: E402
from tests.browser import sign_in  # noqa: E402
from tests.services import fresh_database, postgres_server  # noqa: E402

ISSUE_15 = "two passions, one aversion excluded"
SEARCHES = {
    "everyone": "",
    "one theme": "theme=research",
    ISSUE_15: "theme=research&theme=writing&exclude_aversion=numbers",
    "the same, by strength": "theme=research&theme=writing&exclude_aversion=numbers&sort=strength",
    "theme and part of a skill": "theme=analysis&skill=data",
    "words": "q=clerk+acme",
}
PAGE_SIZE = 25  # the page's and the API's default
SKILLS = [f"{verb} {thing}" for verb in ("manage", "analyse", "use", "perform", "develop", "teach")
          for thing in ("data", "budgets", "legal documents", "schedules", "databases", "spreadsheets",
                        "research", "customer service", "inventory", "machinery")]
NAMES = ["Ana", "Ben", "Chen", "Dev", "Eva", "Femi", "Gus", "Hana", "Ivo", "Jun"]
EMPLOYERS = ["Acme LLP", "Northwind", "Pryce Dental", "Lakeside CPA", "Harbourfront Events"]
TITLES = ["Clerk", "Analyst", "Office Manager", "Paralegal", "Coordinator", "Developer"]
BASELINE = ("SELECT id FROM candidates WHERE connection_id = %(c)s AND tag_set @> %(held)s::varchar[] "
            "AND NOT tag_set && %(excluded)s::varchar[] ORDER BY updated_at DESC, id DESC "
            "LIMIT %(n)s OFFSET %(offset)s")


def _fill(connection_id: str, count: int, rng: random.Random) -> None:
    """Candidates with 1-3 passions, 0-2 aversions and 2-5 skills each, inserted in batches, their tag rows
    and tag set as plugin.storage.pool.publish writes them."""
    for start in range(0, count, 5000):
        rows, tags = [], []
        for n in range(start, min(start + 5000, count)):
            passions = rng.sample(THEME_IDS, rng.randint(1, 3))
            aversions = rng.sample([t for t in THEME_IDS if t not in passions], rng.randint(0, 2))
            skills = rng.sample(SKILLS, rng.randint(2, 5))
            name, title, employer = rng.choice(NAMES), rng.choice(TITLES), rng.choice(EMPLOYERS)
            tag_set = sorted([f"passion:{t}" for t in passions] + [f"aversion:{t}" for t in aversions]
                             + [f"skill:{s}" for s in skills])
            rows.append({"connection_id": connection_id, "external_id": f"b-{n}", "name": f"{name} {n}",
                         "search_text": f"{name.lower()} {n}\n{title.lower()}\n{employer.lower()}",
                         "history": {"jobs": [{"title": title, "employer": employer}]}, "history_hash": "h",
                         "history_version": 1, "status": "analyzed", "updated_at": utcnow(),
                         "tag_set": tag_set, "profile": {"passion_themes": passions, "aversions": aversions,
                                                         "summary": "Invented."}})
            tags.append((passions, aversions, skills))
        ids = db.session.scalars(db.insert(Candidate).returning(Candidate.id), rows).all()
        db.session.execute(db.insert(CandidateTag), [
            {"candidate_id": cid, "kind": kind, "value": value, "label": value,
             "strength": round(rng.uniform(0.5, 1.0), 2) if kind != "skill" else None}
            for cid, (passions, aversions, skills) in zip(ids, tags, strict=True)
            for kind, values in (("passion", passions), ("aversion", aversions), ("skill", skills))
            for value in values])
        db.session.commit()


def _vacuum() -> None:
    """What autovacuum does soon after a bulk load: statistics, and the map index-only scans need."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(db.text("VACUUM ANALYZE"))


def _timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def _get(client, url: str) -> Callable[[], object]:
    def call() -> object:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response
    return call


def _bare(conn: psycopg.Connection, params: dict) -> Callable[[], object]:
    return lambda: conn.execute(BASELINE, params).fetchall()


def _params(connection_id: str, search: str, page: int) -> dict:
    args = parse_qs(search)
    return {"c": connection_id, "n": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE,
            "held": [f"passion:{t}" for t in args.get("theme", [])],
            "excluded": [f"aversion:{t}" for t in args.get("exclude_aversion", [])]}


def _last_page(connection_id: str, search: str) -> int:
    values = {"themes": [], "exclude_aversions": [], "skills": [], "text": "", "sort": "recent"}
    for key, vals in parse_qs(search).items():
        name = {"theme": "themes", "exclude_aversion": "exclude_aversions", "skill": "skills"}.get(key)
        if name:
            values[name] = vals
        else:
            values["text" if key == "q" else key] = vals[0]
    return max(1, -(-pool.count(pool.filtered(connection_id, **values)) // PAGE_SIZE))


def _measure(cases: dict[str, Callable[[], object]], requests: int) -> dict[str, list[float]]:
    """Every case once per round, in turn, so that the machine's load falls on all of them alike."""
    for call in cases.values():
        call()  # warm
    spent: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(requests):
        for name, call in cases.items():
            spent[name].append(_timed(call))
    return {name: sorted(values) for name, values in spent.items()}


def _p99(values: list[float]) -> float:
    return values[min(len(values) - 1, int(len(values) * 0.99))]


def _report(search: str, spent: dict[str, list[float]]) -> None:
    for which in ("first", "last"):
        base = spent[f"bare {which}"]
        for what in ("page", "api"):
            times = spent[f"{what} {which}"]
            median, base_median = statistics.median(times), statistics.median(base)
            print(f"{search:38} {what:4} {which:5} {median:8.1f} {_p99(times):8.1f} {base_median:8.1f} "
                  f"{_p99(base):8.1f} {median / base_median:7.1f}x {_p99(times) / _p99(base):6.1f}x")


def _statements(app, connection_id: str, requests: int) -> None:
    """The issue-15 search's two statements on the page: the count with facet counts, and the rows."""
    with app.app_context():
        query = pool.filtered(connection_id, themes=["research", "writing"], exclude_aversions=["numbers"])
        total = pool.facets(query).total
        spent = _measure({"facets": lambda: pool.facets(query),
                          "rows": lambda: pool.page(query, page=1, page_size=PAGE_SIZE, total=total)},
                         requests)
        db.session.remove()
    facets, rows = spent["facets"], spent["rows"]
    print(f"statements of '{ISSUE_15}' (ms): count with facets median {statistics.median(facets):.1f} "
          f"p99 {_p99(facets):.1f}; page of rows median {statistics.median(rows):.1f} p99 {_p99(rows):.1f}")


def _explain(app, conn: psycopg.Connection, connection_id: str) -> None:
    """The plans of the issue-15 search's two statements, as the app sends them, and of the baseline."""
    with app.app_context():
        query = pool.filtered(connection_id, themes=["research", "writing"], exclude_aversions=["numbers"])
        for title, statement in (("page of rows", query.limit(PAGE_SIZE)),
                                 ("count with facet counts", pool.facets_statement(query))):
            compiled = statement.compile(db.engine)
            plan = db.session.connection().exec_driver_sql(
                "EXPLAIN (ANALYZE, BUFFERS) " + str(compiled), compiled.params)
            print(f"-- {title}\n" + "\n".join(r[0] for r in plan))
        db.session.remove()
    print("-- bare baseline\n" + "\n".join(r[0] for r in conn.execute(
        "EXPLAIN (ANALYZE, BUFFERS) " + BASELINE, _params(connection_id, SEARCHES[ISSUE_15], 1))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--postgres", default=None, help="an admin URL (default: as the tests find one)")
    parser.add_argument("--explain", action="store_true", help="print the issue-15 search's plans")
    parser.add_argument("--database", default=None, help="a database URL to fill once and reuse")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.database:
            _bench(args, args.database, Path(tmp))
        elif args.postgres:
            _run(args, args.postgres, Path(tmp))
        else:
            with postgres_server(Path(tmp)) as admin:
                _run(args, admin, Path(tmp))


def _run(args: argparse.Namespace, admin_url: str, tmp: Path) -> None:
    with fresh_database(admin_url) as url:
        _bench(args, url, tmp)


def _connection(candidates: int) -> tuple[str, str]:
    """The bench's connection id and a new API token, filled (with another a tenth its size) the first
    time."""
    found = find_by_name("Bench", "standard")
    if found is not None:
        print(f"reusing {pool.count(pool.filtered(found.id))} candidates")
        token = new_api_token()
        found.token_hash = hash_token(token)
        db.session.commit()
        return found.id, token
    issued = create_connection(provider="standard", name="Bench")
    other = create_connection(provider="standard", name="Other")
    started = time.perf_counter()
    _fill(issued.id, candidates, random.Random(7))
    _fill(other.id, candidates // 10, random.Random(8))
    _vacuum()
    print(f"filled {candidates} + {candidates // 10} candidates in {time.perf_counter() - started:.0f} s")
    return issued.id, issued.token


def _bench(args: argparse.Namespace, url: str, tmp: Path) -> None:
    app = create_app({"DATA_DIR": str(tmp), "SQLALCHEMY_DATABASE_URI": url, "BROKER_URL": "memory://",
                      "SECRET_KEY": "bench", "TESTING": True})
    with app.app_context():
        upgrade_database()
        connection_id, token = _connection(args.candidates)
        last = {name: _last_page(connection_id, search) for name, search in SEARCHES.items()}
        db.session.remove()
    client = app.test_client()
    assert sign_in(client, token).status_code == 302
    api = app.test_client()
    api.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as conn:
        print(f"{'search':38} {'':4} {'page':5} {'median':>8} {'p99':>8} {'bare med':>8} {'bare p99':>8} "
              f"{'ratio':>8} {'p99 r':>7}   (ms; last page: the result's deepest)")
        for name, search in SEARCHES.items():
            cases: dict[str, Callable[[], object]] = {}
            for which, number in (("first", 1), ("last", last[name])):
                paged = "&".join(p for p in (search, f"page={number}") if p)
                cases[f"page {which}"] = _get(client, f"/pool?{paged if number > 1 else search}")
                cases[f"api {which}"] = _get(api, f"/api/candidates?{paged}")
                cases[f"bare {which}"] = _bare(conn, _params(connection_id, search, number))
            _report(name, _measure(cases, args.requests))
        _statements(app, connection_id, args.requests)
        if args.explain:
            _explain(app, conn, connection_id)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
