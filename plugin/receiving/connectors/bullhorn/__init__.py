"""The Bullhorn connector: no push webhooks (the event subscription is polled: poll.py), the candidate's
CandidateWorkHistory rows read from the REST API in the worker, and the themes written to the candidate's
custom text field that an admin labelled for them (docs/connectors.md, "Bullhorn")."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from marshmallow import ValidationError

from plugin.receiving.connectors.api_client import NotFound, write_back_errors
from plugin.receiving.connectors.base import (
    CrmAccount,
    CrmError,
    InboundEvent,
    WriteBack,
)
from plugin.receiving.connectors.bullhorn import field
from plugin.receiving.connectors.bullhorn.api import BullhornClient
from plugin.receiving.connectors.signing import SignatureError
from plugin.receiving.connectors.vocabulary import values_for
from plugin.storage.models import Analysis, Candidate, Connection
from schemas import bullhorn
from schemas.crm_history import build_history


def candidate_id_of(external_id: str) -> str | None:
    """Bullhorn's ids are numbers: anything else names no candidate (and never reaches a URL)."""
    return external_id if external_id.isascii() and external_id.isdigit() else None


class BullhornConnector:
    provider = "bullhorn"

    # --- inbound: none (Bullhorn pushes nothing; its event subscription is polled) ---------------

    def verify(self, connection: Connection, headers: Mapping[str, str], body: bytes,
               config: Mapping[str, Any]) -> str:
        raise SignatureError("Bullhorn sends no webhooks: its events are polled")

    def load_event(self, payload: Any) -> InboundEvent | None:
        return None

    # --- pull (worker only) ----------------------------------------------------------------------

    def fetch_history(self, account: CrmAccount, external_id: str, config: Mapping[str, Any]
                      ) -> dict[str, Any] | None:
        """The candidate's work history; None when Bullhorn has no such (or a deleted) candidate."""
        candidate_id = candidate_id_of(external_id)
        if candidate_id is None:
            return None
        client = BullhornClient(account, config)
        try:
            if client.candidate(candidate_id, "id,isDeleted").get("isDeleted") is True:
                return None
            rows = client.work_history(candidate_id)
        except NotFound:
            return None
        try:
            return build_history(candidate_id, bullhorn.employments(rows), None)
        except ValidationError as exc:
            raise CrmError(f"Bullhorn history refused: {sorted(exc.messages)}", retryable=False) from exc

    def changed_since(self, account: CrmAccount, since: datetime, config: Mapping[str, Any]
                      ) -> Iterator[str]:
        """The candidates modified at or after `since` (`dateLastModified`, epoch ms)."""
        stamp = int(since.astimezone(UTC).timestamp() * 1000)
        params = {"where": f"dateLastModified>={stamp}", "fields": "id", "orderBy": "id"}
        for page in BullhornClient(account, config).query_pages("Candidate", params):
            for row in page:
                candidate_id = row.get("id") if isinstance(row, dict) else None
                if isinstance(candidate_id, int) and not isinstance(candidate_id, bool):
                    yield str(candidate_id)

    # --- write-back ------------------------------------------------------------------------------

    def prepare_write_back(self, connection: Connection, candidate: Candidate, analysis: Analysis,
                           config: Mapping[str, Any]) -> WriteBack | None:
        """The field's new value; None when it equals what the last write-back put there."""
        account = CrmAccount(connection.id, connection.provider,
                             connection.credentials(config["SECRET_KEY"]))
        candidate_id = candidate_id_of(candidate.external_id)
        if candidate_id is None:
            return None
        plan = field.plan_for(account, candidate_id, values_for(candidate.history, analysis.result),
                              candidate.crm_written)
        if plan is None:
            return None
        return WriteBack(f"bullhorn:Candidate/{candidate_id}", b"", {}, plan=plan,
                         written={"field": plan.field, "value": plan.value})

    def send_write_back(self, write_back: WriteBack, config: Mapping[str, Any]) -> None:
        plan: field.FieldPlan = write_back.plan
        with write_back_errors(gone="candidate gone"):
            field.apply(BullhornClient(plan.account, config), plan)
