"""A hostile tenant's CRM drips its answers to write-backs, with a real worker pool of two on
PostgreSQL: the other tenant's candidates are still analysed and written back promptly.

Before the fix each dripping call held a pool process until the 60 s soft time limit (both processes,
with two such candidates), the failure was not counted, and the sweeper queued it again.
"""

from __future__ import annotations

import time

import pytest

from tests.attacks.hostile_crm import dripping_crm
from tests.attacks.probes import transaction_held
from tests.integration.flow import Crm
from tests.integration.stack import create_connection, wait_until
from tests.webhook_sender import history

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _delivered(stack, prefix: str) -> int:
    rows = stack.sql("SELECT count(*) AS n FROM analyses a JOIN candidates c ON a.candidate_id = c.id "
                     "WHERE a.delivery_status = 'delivered' AND c.external_id LIKE :p", p=f"{prefix}-%")
    return int(rows[0].n)


def test_a_dripping_crm_does_not_starve_another_tenant(stack):
    with dripping_crm(every=0.5, for_seconds=600) as drip:
        hostile = Crm(stack.base_url, create_connection(stack.env, "--callback-url", drip.url))
        stack.start_worker()
        for n in range(2):
            data = history(f"slow-{n}", ["legal research"])
            assert hostile.send("candidate.created", data).status_code == 202
        wait_until(lambda: drip.in_flight, timeout=60, what="a write-back inside the drip")
        assert not transaction_held(stack.database_url)  # nothing "idle in transaction" meanwhile
        started = time.monotonic()
        for n in range(8):
            data = history(f"fast-{n}", ["legal research", "drafting memos"])
            assert stack.crm.send("candidate.created", data).status_code == 202
        wait_until(lambda: _delivered(stack, "fast") == 8, timeout=45,
                   what="the other tenant's write-backs while the drip goes on")
        waited = time.monotonic() - started
        calls = drip.requests
        most_at_once = drip.most_in_flight
    attempts = stack.sql("SELECT sum(a.delivery_attempts) AS n, max(a.delivery_status) AS s FROM analyses a"
                         " JOIN candidates c ON a.candidate_id = c.id WHERE c.external_id LIKE 'slow-%'")[0]
    assert most_at_once == 1  # one write-back in flight per CRM
    assert attempts.n >= calls and attempts.s == "pending"  # every cut call counted, retried later
    print(f"other tenant's 8 write-backs done {waited:.1f} s after the drip began; drip calls={calls}")
