"""The Workable connector: webhooks in (read as ids only), the candidate's `experience_entries` read from
SPI v3 in the worker, tags out by read, merge and replace (docs/connectors.md, "Workable")."""

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
from plugin.receiving.connectors.vocabulary import values_for
from plugin.receiving.connectors.workable import inbound, tags
from plugin.receiving.connectors.workable.api import TAGS_PATH, WorkableClient, api_url, candidate_path
from plugin.storage.models import Analysis, Candidate, Connection
from schemas import workable
from schemas.crm_history import build_history


class WorkableConnector:
    provider = "workable"
    accepted_status = 200  # Workable treats any other answer as an error and sends the event again

    # --- inbound ---------------------------------------------------------------------------------

    def verify(self, connection: Connection, headers: Mapping[str, str], body: bytes,
               config: Mapping[str, Any]) -> str:
        return inbound.verify(connection.signing_secrets(config["SECRET_KEY"]), headers, body)

    def load_event(self, payload: Any) -> InboundEvent | None:
        return inbound.load_event(payload)

    # --- pull (worker only) ----------------------------------------------------------------------

    def fetch_history(self, account: CrmAccount, external_id: str, config: Mapping[str, Any]
                      ) -> dict[str, Any] | None:
        """The candidate's experience entries; None when Workable has no such candidate. No likes or
        dislikes: the candidate's worksheet supplies them."""
        try:
            found = workable.candidate_of(WorkableClient(account, config).candidate(external_id))
        except NotFound:
            return None
        if found is None:
            return None
        try:
            return build_history(external_id, workable.employments(found.get("experience_entries")), None)
        except ValidationError as exc:
            raise CrmError(f"Workable history refused: {sorted(exc.messages)}", retryable=False) from exc

    def changed_since(self, account: CrmAccount, since: datetime, config: Mapping[str, Any]
                      ) -> Iterator[str]:
        """The candidates updated at or after `since` (`updated_after`, ISO 8601 in UTC)."""
        stamp = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        for page in WorkableClient(account, config).candidate_pages({"updated_after": stamp}):
            for row in page:
                candidate_id = row.get("id") if isinstance(row, dict) else None
                if isinstance(candidate_id, str) and candidate_id:
                    yield candidate_id

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
        url = api_url(config, account.credentials.get("subdomain", "")) + candidate_path(
            TAGS_PATH, candidate.external_id)
        return WriteBack(url, b"", {}, plan=plan, written={"tags": values})

    def send_write_back(self, write_back: WriteBack, config: Mapping[str, Any]) -> None:
        plan: tags.TagPlan = write_back.plan
        with write_back_errors(gone="candidate gone"):
            tags.apply(WorkableClient(plan.account, config), plan)
