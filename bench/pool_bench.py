"""The pool page with facet counts over 100,000 candidates in PostgreSQL: how fast it answers.

    python bench/pool_bench.py [--candidates 100000] [--requests 100] [--postgres ADMIN_URL]

Fills a fresh database (the local server, PASSION_TEST_POSTGRES_URL or one pgserver starts, as the tests do)
with invented candidates and their tags, signs a browser in, and times GET /pool in-process for a few typical
searches: every answer renders the page with its count, facet counts, skill suggestions and one page of rows.
Prints the median and p99 per search. The target: under 100 ms at the median and 300 ms at p99.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from plugin import create_app  # noqa: E402
from plugin.extensions import db  # noqa: E402
from plugin.storage.connections import create_connection  # noqa: E402
from plugin.storage.migrations_runner import upgrade_database  # noqa: E402
from plugin.storage.models import Candidate, CandidateTag, utcnow  # noqa: E402
from schemas.catalogue import THEME_IDS  # noqa: E402
from tests.browser import sign_in  # noqa: E402
from tests.services import fresh_database, postgres_server  # noqa: E402

SEARCHES = {
    "everyone": "/pool",
    "one theme": "/pool?theme=research",
    "two themes, an exclusion, by strength": "/pool?theme=research&theme=writing&exclude_aversion=numbers"
                                             "&sort=strength",
    "theme and part of a skill": "/pool?theme=analysis&skill=data",
    "words": "/pool?q=clerk+acme",
}
SKILLS = [f"{verb} {thing}" for verb in ("manage", "analyse", "use", "perform", "develop", "teach")
          for thing in ("data", "budgets", "legal documents", "schedules", "databases", "spreadsheets",
                        "research", "customer service", "inventory", "machinery")]
NAMES = ["Ana", "Ben", "Chen", "Dev", "Eva", "Femi", "Gus", "Hana", "Ivo", "Jun"]
EMPLOYERS = ["Acme LLP", "Northwind", "Pryce Dental", "Lakeside CPA", "Harbourfront Events"]
TITLES = ["Clerk", "Analyst", "Office Manager", "Paralegal", "Coordinator", "Developer"]


def _fill(connection_id: str, count: int, rng: random.Random) -> None:
    """Candidates with 1-3 passions, 0-2 aversions and 2-5 skills each, inserted in batches."""
    for start in range(0, count, 5000):
        rows, tags = [], []
        for n in range(start, min(start + 5000, count)):
            passions = rng.sample(THEME_IDS, rng.randint(1, 3))
            aversions = rng.sample([t for t in THEME_IDS if t not in passions], rng.randint(0, 2))
            skills = rng.sample(SKILLS, rng.randint(2, 5))
            name, title, employer = rng.choice(NAMES), rng.choice(TITLES), rng.choice(EMPLOYERS)
            rows.append({"connection_id": connection_id, "external_id": f"b-{n}", "name": f"{name} {n}",
                         "search_text": f"{name.lower()} {n}\n{title.lower()}\n{employer.lower()}",
                         "history": {"jobs": [{"title": title, "employer": employer}]}, "history_hash": "h",
                         "history_version": 1, "status": "analyzed", "updated_at": utcnow(),
                         "profile": {"passion_themes": passions, "aversions": aversions,
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
    db.session.commit()


def _vacuum() -> None:
    """What autovacuum does soon after a bulk load: statistics, and the map index-only scans need."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(db.text("VACUUM ANALYZE"))


def _time(client, url: str, requests: int) -> list[float]:
    client.get(url)  # warm
    spent = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        spent.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return sorted(spent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--postgres", default=None, help="an admin URL (default: as the tests find one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.postgres:
            _run(args, args.postgres, Path(tmp))
        else:
            with postgres_server(Path(tmp)) as admin:
                _run(args, admin, Path(tmp))


def _run(args: argparse.Namespace, admin_url: str, tmp: Path) -> None:
    with fresh_database(admin_url) as url:
        app = create_app({"DATA_DIR": str(tmp), "SQLALCHEMY_DATABASE_URI": url, "BROKER_URL": "memory://",
                          "SECRET_KEY": "bench", "TESTING": True})
        with app.app_context():
            upgrade_database()
            issued = create_connection(provider="standard", name="Bench")
            other = create_connection(provider="standard", name="Other")
            started = time.perf_counter()
            _fill(issued.id, args.candidates, random.Random(7))
            _fill(other.id, args.candidates // 10, random.Random(8))
            _vacuum()
            print(f"filled {args.candidates} + {args.candidates // 10} candidates in "
                  f"{time.perf_counter() - started:.0f} s")
        client = app.test_client()
        assert sign_in(client, issued.token).status_code == 302
        print(f"{'search':42} {'median ms':>10} {'p99 ms':>8}")
        for name, search in SEARCHES.items():
            spent = _time(client, search, args.requests)
            p99 = spent[min(len(spent) - 1, int(len(spent) * 0.99))]
            print(f"{name:42} {statistics.median(spent):10.1f} {p99:8.1f}")
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
