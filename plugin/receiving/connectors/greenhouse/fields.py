"""The write-back: one multi_select candidate field whose options are the shared vocabulary
(plugin/receiving/connectors/vocabulary.py). The field and all its options are created on first use and
their ids kept; an option the catalogue gained later is added then.
"""

from __future__ import annotations

from typing import Any

from plugin.receiving.connectors.greenhouse.harvest import HarvestClient
from plugin.receiving.connectors.vocabulary import VOCABULARY, values_for

__all__ = ["VOCABULARY", "ensure_field", "patch_body", "values_for"]

FIELD_NAME = "Passion Tagger"

# Harvest v3 routes for custom fields and candidate writes (docs/connectors.md: unconfirmed in the
# vendor's docs; v1's documented shapes, under /v3). One place to change when they are confirmed.
FIELDS_PATH = "/v3/custom_fields"
OPTIONS_PATH = "/v3/custom_field/{id}/custom_field_options"
CANDIDATE_PATH = "/v3/candidates/{id}"


def _field_state(field: dict[str, Any]) -> dict[str, Any]:
    options = {o["name"]: o["id"] for o in field.get("custom_field_options") or []
               if isinstance(o, dict) and o.get("name") in VOCABULARY}
    return {"field_id": field["id"], "name_key": field.get("name_key"), "options": options}


def _find(client: HarvestClient) -> dict[str, Any] | None:
    for page in client.pages(FIELDS_PATH, {"field_type": "candidate", "per_page": 100}):
        for field in page:
            if isinstance(field, dict) and field.get("name") == FIELD_NAME:
                return field
    return None


def ensure_field(client: HarvestClient, state: dict[str, Any], needed: list[str]) -> dict[str, Any]:
    """The field's state with an id for every needed value: found, created, or given its new options."""
    if state.get("field_id") and all(v in state.get("options", {}) for v in needed):
        return state
    field = _find(client)
    if field is None:
        options = [{"name": name, "priority": n, "external_id": name}
                   for n, name in enumerate(VOCABULARY)]
        client.send("POST", FIELDS_PATH, {"name": FIELD_NAME, "field_type": "candidate",
                                          "value_type": "multi_select", "private": False,
                                          "custom_field_options": options})
        field = _find(client)  # read back: the create answer's shape is not documented for v3
        if field is None:
            raise LookupError("the field was created but is not listed")
    state = _field_state(field)
    missing = [name for name in VOCABULARY if name not in state["options"]]
    if missing:  # a duplicate name is ignored by Greenhouse, so a retry here is harmless
        client.send("POST", OPTIONS_PATH.format(id=state["field_id"]),
                    {"options": [{"name": name, "priority": VOCABULARY.index(name),
                                  "external_id": name} for name in missing]})
        found = _find(client)
        state = _field_state(found) if found is not None else state
    return state


def patch_body(state: dict[str, Any], values: list[str]) -> dict[str, Any]:
    """The candidate PATCH: option ids, or the documented `delete_value: "true"` to clear the field."""
    if not values:
        return {"custom_fields": [{"id": state["field_id"], "delete_value": "true"}]}
    ids = [state["options"][value] for value in values]
    key = {"name_key": state["name_key"]} if state.get("name_key") else {"id": state["field_id"]}
    return {"custom_fields": [{**key, "value": ids}]}
