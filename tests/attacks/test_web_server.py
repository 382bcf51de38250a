"""Issue 13, findings 2 and 12 (access log): the web server as `passion run|serve` and compose start it
(real gunicorn with plugin.cli.gunicorn_conf), attacked over real sockets.

Two clients sending their headers slowly froze sync workers (/healthz took 30 s); the access log recorded
query strings (a token sent as `?access_token=`) and candidate ids in paths.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from plugin.cli.gunicorn_worker import HEADER_SECONDS
from plugin.cli.services import _web_argv, _web_env
from tests.attacks.slow_clients import HeaderDripper, open_request, read_status
from tests.integration.stack import base_env, create_connection, free_port, passion, processes, wait_until
from tests.webhook_sender import event, history, signed_delivery

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Served:
    base_url: str
    log: Path
    connection: dict[str, str]


@pytest.fixture
def served(tmp_path: Path, redis_url: str) -> Iterator[Served]:
    """gunicorn with the argv and environment `passion serve` uses (2 workers), on SQLite."""
    port = free_port()
    env = base_env(tmp_path, BROKER_URL=redis_url, SECRET_KEY="attacks",
                   PUBLIC_URL=f"http://127.0.0.1:{port}")
    passion(env, "db-upgrade")
    connection = create_connection(env)
    with processes([_web_argv("127.0.0.1", port, 2)], _web_env(env), tmp_path, env["PASSION_PUBLIC_URL"]):
        yield Served(env["PASSION_PUBLIC_URL"], tmp_path / "process-0.log", connection)


def test_slow_header_clients_neither_freeze_the_server_nor_hold_it(served: Served) -> None:
    with HeaderDripper(served.base_url, 8, interval=0.5) as drippers:
        wait_until(lambda: drippers.connected == 8, timeout=10, what="the slow clients to connect")
        time.sleep(1.5)  # past gunicorn's wait for a first byte: each dripper now holds a thread
        # a bound, not a speed target: sync workers held by the drippers did not answer for 30 s
        for _ in range(5):
            assert requests.get(f"{served.base_url}/healthz", timeout=5).status_code == 200
        wait_until(lambda: drippers.cut == 8, timeout=HEADER_SECONDS + 10,
                   what="the header deadline to close the slow clients")


def test_a_stalled_body_is_cut_and_others_are_served(served: Served) -> None:
    connection = served.connection
    body, headers = signed_delivery(connection["secret"], event("candidate.created", history("s-1", ["x"])))
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    sock = open_request(served.base_url, (
        f"POST /webhooks/{connection['id']} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n"
        f"{head}\r\n").encode() + body[:10])
    try:
        assert requests.get(f"{served.base_url}/healthz", timeout=5).status_code == 200
        assert read_status(sock) == 408  # after the body's idle limit
    finally:
        sock.close()


def test_the_access_log_has_no_query_strings_nor_candidate_ids(served: Served) -> None:
    token = served.connection["token"]
    email_id = "ada.quill@example.org"
    body, headers = signed_delivery(served.connection["secret"],
                                    event("candidate.created", history(email_id, ["legal research"])))
    assert requests.post(f"{served.base_url}/webhooks/{served.connection['id']}", data=body,
                         headers=headers, timeout=10).status_code == 202
    auth = {"Authorization": f"Bearer {token}"}
    assert requests.get(f"{served.base_url}/api/candidates/{email_id}?access_token=tok-LEAK",
                        headers=auth, timeout=10).status_code in (200, 422)
    requests.get(f"{served.base_url}/api/candidates?skill=Ada+Quill", headers=auth, timeout=10)
    requests.get(f"{served.base_url}/pool/{email_id}?theme=research", timeout=10)
    requests.get(f"{served.base_url}/no-such-page?access_token=tok-LEAK", timeout=10)
    wait_until(lambda: served.log.read_text().count("/no-such-page") == 1, timeout=10,
               what="the access log lines")
    log = served.log.read_text()
    for leak in ("tok-LEAK", "access_token", email_id, "Ada", "theme=research", token):
        assert leak not in log, leak
    assert '"GET /api/candidates/<path:external_id> HTTP/1.1" ' in log
    assert '"GET /pool/<path:external_id> HTTP/1.1" 302' in log
