"""Hypothesis strategies for the hardening tests: valid histories and events, and ways to break them."""

from __future__ import annotations

import copy
import re
from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from schemas import history as limits
from schemas.webhooks import DELETE_EVENTS, HISTORY_EVENTS

# what a hostile or careless sender puts in text: controls, surrogates, markup, quotes, right-to-left marks
SPECIAL_CHARS = ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x85", "\ud800",
                 "\udfff", "\ufeff", "\u202e", "\u2028", "\ufffd", "\U0001f600", "\t", "\n", "\r"]
MARKUP = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "\"'><svg/onload=alert(1)>",
          "{{7*7}}", "${jndi:ldap://x}", "'; DROP TABLE candidates; --", "&lt;b&gt;", "javascript:alert(1)"]

_clean_char = st.characters(exclude_categories=("Cs", "Cc")) | st.sampled_from("\t\n\r")
nasty_text = st.text(st.characters() | st.sampled_from(SPECIAL_CHARS), max_size=40) | st.sampled_from(MARKUP)


def clean_text(min_size: int, max_size: int) -> st.SearchStrategy[str]:
    """Text the schemas accept: no controls other than tab, newline and carriage return."""
    return st.text(_clean_char, min_size=min_size, max_size=max_size) | st.sampled_from(
        [m for m in MARKUP if min_size <= len(m) <= max_size])


def clean_ids(max_size: int) -> st.SearchStrategy[str]:
    """CRM ids the schemas accept: any text without control characters, "/" and markup included."""
    printable = st.characters(exclude_categories=("Cs", "Cc"))
    return st.text(printable, min_size=1, max_size=max_size).filter(limits.is_plausible_id) | st.sampled_from(
        ["people/42", "<b>1</b>", "a b", "...", "a..b", "%2F", "?x=1#y"])


year_month = st.builds(lambda y, m: f"{y:04d}-{m:02d}", st.integers(1900, 2099), st.integers(1, 12))


@st.composite
def jobs(draw: st.DrawFn) -> dict[str, Any]:
    """One valid job; optional fields left out at random, dates in order."""
    job: dict[str, Any] = {"title": draw(clean_text(1, 60))}
    dates = sorted(draw(st.lists(year_month, min_size=0, max_size=2)))
    if dates:
        job["start"] = dates[0]
    if len(dates) == 2:
        job["end"] = dates[1]
    if draw(st.booleans()):
        job["employer"] = draw(st.none() | clean_text(0, 60))
    if draw(st.booleans()):
        job["description"] = draw(clean_text(0, 200))
    for key in ("likes", "dislikes"):
        if draw(st.booleans()):
            job[key] = draw(st.lists(clean_text(1, 80), max_size=limits.MAX_PHRASES_PER_LIST))
    return job


histories = st.fixed_dictionaries({"candidate_id": clean_ids(limits.MAX_ID_CHARS),
                                   "jobs": st.lists(jobs(), max_size=6)})

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | nasty_text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(nasty_text, children, max_size=4),
    max_leaves=12)

# any instant Python can write, at any offset: the UTC equivalent may fall outside years 1 to 9999
any_timestamp = st.builds(
    lambda moment, minutes: moment.replace(tzinfo=timezone(timedelta(minutes=minutes))).isoformat(),
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59)),
    st.integers(-(24 * 60 - 1), 24 * 60 - 1))

# values aimed at the limits: just past each bound, wrong types, bad dates, controls
bad_values = st.one_of(
    any_timestamp,
    json_values,
    nasty_text,
    st.sampled_from(["", "x" * 129, "x" * 201, "x" * 501, "x" * 5001, "2021-13", "1899-12", "2100-01",
                     "2021-5", "2021-05\n", "20\uff12\uff11-05", "2021-05-01", "0000-00"]),
    st.lists(st.just("x"), min_size=11, max_size=40),
    st.integers(-(2**70), 2**70),
)

Path = tuple[str | int, ...]


def paths(value: Any, prefix: Path = ()) -> list[Path]:
    """Every position in a JSON document, the root excluded."""
    found: list[Path] = []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, child in items:
        found.append((*prefix, key))
        found.extend(paths(child, (*prefix, key)))
    return found


def replaced(document: Any, path: Path, new: Any) -> Any:
    """A copy of the document with the value at path replaced."""
    result = copy.deepcopy(document)
    parent = result
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = new
    return result


def removed(document: Any, path: Path) -> Any:
    """A copy of the document without the key (or list item) at path."""
    result = copy.deepcopy(document)
    parent = result
    for key in path[:-1]:
        parent = parent[key]
    del parent[path[-1]]
    return result


def dotted(path: Path) -> str:
    """("data", "jobs", 0, "title") -> "data.jobs[0].title", the receiver's way of naming fields."""
    text = ""
    for key in path:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else str(key))
    return text


@st.composite
def mutated(draw: st.DrawFn, document: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The document with one position replaced by a bad value, removed, or a list overfilled."""
    path = draw(st.sampled_from(paths(document)))
    action = draw(st.sampled_from(["replace", "replace", "remove"]))
    if action == "remove":
        return removed(document, path), dotted(path)
    return replaced(document, path, draw(bad_values)), dotted(path)


history_events = st.builds(lambda t, d: {"type": t, "timestamp": "2026-11-25T10:00:00Z", "data": d},
                           st.sampled_from(HISTORY_EVENTS), histories)
delete_events = st.builds(lambda d: {"type": DELETE_EVENTS[0], "data": {"candidate_id": d}},
                          clean_ids(limits.MAX_ID_CHARS))
events = history_events | delete_events


FIELD_PATH = re.compile(
    r"(body|type|timestamp|data(\.candidate_id|\.jobs(\[\d+\](\.(title|employer|start|end|description"
    r"|likes|dislikes)(\[\d+\])?)?)?)?)")
