"""The Greenhouse connector: webhooks in, Harvest v3 reads in the worker, a multi_select field out."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from marshmallow import ValidationError

from plugin.receiving.connectors.api_client import write_back_errors
from plugin.receiving.connectors.base import (
    CrmAccount,
    CrmError,
    InboundEvent,
    WriteBack,
    WriteBackError,
)
from plugin.receiving.connectors.greenhouse import fields, inbound
from plugin.receiving.connectors.greenhouse.harvest import HarvestClient
from plugin.storage import crm_state
from plugin.storage.models import Analysis, Candidate, Connection
from schemas import greenhouse as gh
from schemas.crm_history import Employment, build_history

# the long-text candidate field holding the likes-and-dislikes worksheet (its immutable name_key)
WORKSHEET_FIELD = "passion_worksheet"
CANDIDATES_PATH = "/v3/candidates"
EMPLOYMENTS_PATH = "/v3/candidate_employments"  # inferred from the reference's slug (unconfirmed)
PAGE_SIZE = 100


@dataclass(frozen=True)
class _Plan:
    account: CrmAccount
    external_id: str
    values: list[str]
    field_state: dict[str, Any]


class GreenhouseConnector:
    provider = "greenhouse"

    # --- inbound ---------------------------------------------------------------------------------

    def verify(self, connection: Connection, headers: Mapping[str, str], body: bytes,
               config: Mapping[str, Any]) -> str:
        return inbound.verify(connection.signing_secrets(config["SECRET_KEY"]), headers, body)

    def load_event(self, payload: Any) -> InboundEvent | None:
        return inbound.load_event(payload, worksheet_field=WORKSHEET_FIELD)

    # --- pull (worker only) ----------------------------------------------------------------------

    def fetch_history(self, account: CrmAccount, external_id: str, config: Mapping[str, Any]
                      ) -> dict[str, Any] | None:
        client = HarvestClient(account, config)
        found = client.get(CANDIDATES_PATH, {"ids": external_id})
        if not isinstance(found, list) or not found or not isinstance(found[0], dict):
            return None
        employments = [Employment(row.get("title"), row.get("company_name"),
                                     gh.month_from_api(row.get("start_date")),
                                     gh.month_from_api(row.get("end_date")))
                       for page in client.pages(EMPLOYMENTS_PATH, {"candidate_ids": external_id,
                                                                   "per_page": PAGE_SIZE})
                       for row in page if isinstance(row, dict)]
        text = gh.worksheet_text(found[0].get("custom_fields"), WORKSHEET_FIELD)
        try:
            return build_history(external_id, employments, text)
        except ValidationError as exc:
            raise CrmError(f"Greenhouse history refused: {sorted(exc.messages)}", retryable=False) from exc

    def changed_since(self, account: CrmAccount, since: datetime, config: Mapping[str, Any]
                      ) -> Iterator[str]:
        stamp = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        client = HarvestClient(account, config)
        for page in client.pages(CANDIDATES_PATH, {"updated_at": f"gte|{stamp}", "per_page": PAGE_SIZE}):
            for row in page:
                if isinstance(row, dict) and row.get("id") is not None:
                    yield str(row["id"])

    # --- write-back ------------------------------------------------------------------------------

    def prepare_write_back(self, connection: Connection, candidate: Candidate, analysis: Analysis,
                           config: Mapping[str, Any]) -> WriteBack | None:
        """The field's new values; None when they equal what the last write-back put there."""
        values = fields.values_for(candidate.history, analysis.result)
        if values == list((candidate.crm_written or {}).get("values", [])):
            return None
        account = CrmAccount(connection.id, connection.provider,
                             connection.credentials(config["SECRET_KEY"]))
        state = crm_state.crm_objects(connection.id).get("field", {})
        url = f"{config['GREENHOUSE_API_URL'].rstrip('/')}{fields.CANDIDATE_PATH}".format(
            id=candidate.external_id)
        return WriteBack(url, b"", {}, plan=_Plan(account, candidate.external_id, values, state),
                         written={"values": values})

    def send_write_back(self, write_back: WriteBack, config: Mapping[str, Any]) -> None:
        plan: _Plan = write_back.plan
        client = HarvestClient(plan.account, config)
        try:
            with write_back_errors(gone="candidate gone"):
                state = fields.ensure_field(client, plan.field_state, plan.values)
                if state != plan.field_state:
                    crm_state.save_crm_objects(plan.account.connection_id, {"field": state})
                client.send("PATCH", fields.CANDIDATE_PATH.format(id=plan.external_id),
                            fields.patch_body(state, plan.values))
        except LookupError as exc:
            raise WriteBackError(f"Greenhouse field: {exc}") from exc
