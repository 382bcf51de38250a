"""The Lever connector: webhooks in (ids only), the contact's parsed resumes read in the worker, tags on
every opportunity of the contact out (docs/connectors.md, "Lever")."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from marshmallow import ValidationError

from plugin.receiving.connectors.api_client import write_back_errors
from plugin.receiving.connectors.base import (
    CrmAccount,
    CrmError,
    InboundEvent,
    WriteBack,
)
from plugin.receiving.connectors.lever import inbound, tags
from plugin.receiving.connectors.lever.api import OPPORTUNITIES_PATH, LeverClient
from plugin.receiving.connectors.vocabulary import values_for
from plugin.storage.models import Analysis, Candidate, Connection
from schemas import lever
from schemas.crm_history import build_history


class LeverConnector:
    provider = "lever"

    # --- inbound ---------------------------------------------------------------------------------

    def verify(self, connection: Connection, headers: Mapping[str, str], body: bytes,
               config: Mapping[str, Any]) -> str:
        return inbound.verify(connection.signing_secrets(config["SECRET_KEY"]), body,
                              tolerance=float(config["LEVER_WEBHOOK_TOLERANCE_SECONDS"]))

    def load_event(self, payload: Any) -> InboundEvent | None:
        return inbound.load_event(payload)

    # --- pull (worker only) ----------------------------------------------------------------------

    def fetch_history(self, account: CrmAccount, external_id: str, config: Mapping[str, Any]
                      ) -> dict[str, Any] | None:
        """The contact's positions from the parsed resumes of all its opportunities, each job once;
        None when Lever lists no opportunity for the contact. No likes or dislikes: the candidate's
        worksheet supplies them."""
        client = LeverClient(account, config)
        found = client.opportunities(external_id)
        if not found:
            return None
        resumes = client.resumes([row["id"] for row in found])
        try:
            return build_history(external_id, lever.employments(resumes), None)
        except ValidationError as exc:
            raise CrmError(f"Lever history refused: {sorted(exc.messages)}", retryable=False) from exc

    def changed_since(self, account: CrmAccount, since: datetime, config: Mapping[str, Any]
                      ) -> Iterator[str]:
        """The contacts of the opportunities updated at or after `since` (epoch ms)."""
        start = int(since.astimezone(UTC).timestamp() * 1000)
        for page in LeverClient(account, config).pages(OPPORTUNITIES_PATH, {"updated_at_start": start}):
            for row in page:
                contact = row.get("contact") if isinstance(row, dict) else None
                if isinstance(contact, str) and contact:
                    yield contact

    # --- write-back ------------------------------------------------------------------------------

    def prepare_write_back(self, connection: Connection, candidate: Candidate, analysis: Analysis,
                           config: Mapping[str, Any]) -> WriteBack | None:
        """The tags to set; None when they equal what the last write-back put there."""
        values = values_for(candidate.history, analysis.result)
        account = CrmAccount(connection.id, connection.provider,
                             connection.credentials(config["SECRET_KEY"]))
        plan = tags.plan_for(account, candidate.external_id, values, candidate.crm_written)
        if plan is None:
            return None
        url = f"{str(config['LEVER_API_URL']).rstrip('/')}{OPPORTUNITIES_PATH}"
        return WriteBack(url, b"", {}, plan=plan, written={"tags": values})

    def send_write_back(self, write_back: WriteBack, config: Mapping[str, Any]) -> None:
        plan: tags.TagPlan = write_back.plan
        with write_back_errors(gone="contact gone"):
            tags.apply(LeverClient(plan.account, config), plan)
