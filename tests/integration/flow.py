"""The end-to-end scenario both deployments must pass: created, updated, unchanged, deleted."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import requests

from tests.crm_fake import CallbackReceiver
from tests.integration.stack import wait_until
from tests.webhook_sender import event, signed_delivery

RESEARCHER = {"candidate_id": "e2e-1", "jobs": [
    {"title": "Law Clerk", "employer": "Firm A", "start": "2021-01", "end": None,
     "likes": ["legal research for the partners", "tracking down case law on CanLII"],
     "dislikes": ["answering the reception phones"]},
    {"title": "Paralegal", "employer": "Firm B", "start": "2018-01", "end": "2020-12",
     "likes": ["researching precedents before hearings"],
     "dislikes": ["calling clients about unpaid invoices"]},
]}


def _with_likes(history: dict[str, Any], likes: list[str]) -> dict[str, Any]:
    jobs = [{**job, "likes": likes} for job in history["jobs"]]
    return {**history, "jobs": jobs}


class Crm:
    """The CRM's side of one connection: signed deliveries in, API reads out."""

    def __init__(self, base_url: str, connection: dict[str, str]) -> None:
        self.base_url = base_url
        self.connection = connection
        self.auth = {"Authorization": f"Bearer {connection['token']}"}

    def send(self, event_type: str, data: dict[str, Any], *, at: datetime | None = None,
             msg_id: str | None = None) -> requests.Response:
        body, headers = signed_delivery(self.connection["secret"], event(event_type, data, at=at),
                                        msg_id=msg_id)
        return self.post(body, headers)

    def post(self, body: bytes, headers: dict[str, str]) -> requests.Response:
        return requests.post(self.connection["webhook_url"], data=body, headers=headers,
                             timeout=30)

    def send_until_accepted(self, event_type: str, data: dict[str, Any], *,
                            at: datetime | None = None, attempts: int = 60) -> requests.Response:
        """Retry on 5xx and connection errors with the same delivery id, as CRMs do."""
        body, headers = signed_delivery(self.connection["secret"], event(event_type, data, at=at))
        for _ in range(attempts):
            try:
                response = self.post(body, headers)
            except requests.ConnectionError:
                time.sleep(0.5)
                continue
            if response.status_code < 500:
                return response
            time.sleep(0.5)
        raise AssertionError(f"delivery never accepted: {event_type}")

    def ids_with(self, **filters: str) -> list[str]:
        response = requests.get(f"{self.base_url}/api/candidates", params=filters,
                                headers=self.auth, timeout=10)
        response.raise_for_status()
        return [row["id"] for row in response.json()]

    def detail(self, candidate_id: str) -> requests.Response:
        return requests.get(f"{self.base_url}/api/candidates/{candidate_id}", headers=self.auth,
                            timeout=10)


def run_flow(crm: Crm, receiver: CallbackReceiver | None = None) -> None:
    """Assert the whole loop; `receiver` checks write-back when the connection has a callback."""
    created = crm.send("candidate.created", RESEARCHER)
    assert created.status_code == 202, created.text
    wait_until(lambda: crm.ids_with(theme="research") == ["e2e-1"], timeout=60,
               what="the candidate under its passion theme")
    if receiver is not None:
        # delivery is its own task: an update sent before it runs supersedes version 1 (by design,
        # tests/web/test_pipeline.py); here each version is given the time to be written back
        wait_until(lambda: len(receiver.for_candidate("e2e-1")) == 1, timeout=30,
                   what="the write-back of version 1")

    writer = _with_likes(RESEARCHER, ["drafting pleadings and memos", "writing client letters"])
    updated = crm.send("candidate.updated", writer)
    assert updated.json()["analysis_queued"] is True
    wait_until(lambda: crm.ids_with(theme="writing") == ["e2e-1"], timeout=60,
               what="the re-analysis after the likes changed")
    assert crm.ids_with(theme="research") == []

    unchanged = crm.send("candidate.updated", writer)
    assert unchanged.status_code == 202
    assert unchanged.json()["analysis_queued"] is False
    latest = crm.detail("e2e-1").json()["latest_analysis"]
    assert latest["history_version"] == 2

    if receiver is not None:
        wait_until(lambda: len(receiver.for_candidate("e2e-1")) == 2, timeout=30,
                   what="one write-back per history version")
        versions = [d["payload"]["data"]["history_version"] for d in receiver.for_candidate("e2e-1")]
        assert sorted(versions) == [1, 2]
        assert "writing" in receiver.for_candidate("e2e-1")[-1]["payload"]["data"]["passion_themes"]

    deleted = crm.send("candidate.deleted", {"candidate_id": "e2e-1"})
    assert deleted.status_code == 202
    assert crm.detail("e2e-1").status_code == 404
    assert crm.ids_with() == []
