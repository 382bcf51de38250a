"""The pool page's query string, read with the API's own filter schema (one set of rules for both)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from marshmallow import ValidationError, fields
from werkzeug.datastructures import MultiDict

from schemas.api import CandidateFilterSchema


@dataclass(frozen=True)
class PoolFilters:
    """The loaded filters (named as plugin.storage.pool.filtered's arguments), the page, and what was
    refused, by query-string name."""

    values: dict[str, Any]
    page: int = 1
    errors: dict[str, list[str]] = field(default_factory=dict)

    def query(self, **changes: Any) -> str:
        """The query string of these filters with `changes` (by query-string name), for links that keep
        the rest of the search: pages, removing one filter, the CSV export."""
        args = {name: self.values[attr] for attr, name in _names().items()}
        args.update(changes)
        pairs = [(k, v) for k, vs in args.items() for v in (vs if isinstance(vs, list) else [vs])
                 if v not in ("", None) and not (k == "sort" and v == "recent")]
        return urlencode(pairs)

    def without(self, name: str, value: str) -> str:
        """The query string with one value of one filter removed."""
        attr = {v: k for k, v in _names().items()}[name]
        current = self.values[attr]
        return self.query(**{name: [v for v in current if v != value] if isinstance(current, list)
                             else ""})


    def active(self, labels: dict[str, str]) -> list[tuple[str, str, str]]:
        """Each filter in force as (what, which, the query string without it): the removable chips."""
        v = self.values
        chips = [(kind, labels.get(t, t), self.without(name, t))
                 for kind, name, attr in (("Enjoys", "theme", "themes"),
                                          ("Not if dislikes", "exclude_aversion", "exclude_aversions"),
                                          ("Dislikes", "aversion", "aversions"))
                 for t in v[attr]]
        chips += [("Skill", s, self.without("skill", s)) for s in v["skills"]]
        if v["text"]:
            chips.append(("Words", v["text"], self.without("q", v["text"])))
        return chips


def _names() -> dict[str, str]:
    return {attr: f.data_key or attr for attr, f in CandidateFilterSchema().fields.items()}


def load(args: MultiDict[str, str]) -> PoolFilters:
    """Empty inputs (a blank search box) are no filter; anything the API would refuse is refused here too,
    and the page then shows the whole pool with the reason."""
    schema = CandidateFilterSchema()
    raw: dict[str, Any] = {}
    for attr, name in _names().items():
        values = [v for v in args.getlist(name) if v.strip()]
        if values:
            raw[name] = values if isinstance(schema.fields[attr], fields.List) else values[0]
    raw |= {k: v for k, v in args.items() if k not in raw and k not in _names().values() and k != "page"}
    page = max(args.get("page", 1, type=int) or 1, 1)
    try:
        return PoolFilters(values=schema.load(raw), page=page)
    except ValidationError as error:
        messages = error.messages if isinstance(error.messages, dict) else {"": error.messages}
        return PoolFilters(values=schema.load({}), page=1,
                           errors={k: [str(m) for m in (v if isinstance(v, list) else [v])]
                                   for k, v in messages.items()})
