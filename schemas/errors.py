"""Turn marshmallow's nested error dicts into field paths a CRM developer can read ("data.jobs[2].start")."""

from __future__ import annotations

from typing import Any


def flatten_errors(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Map each failing field path to its messages."""
    if isinstance(messages, dict):
        flat: dict[str, list[str]] = {}
        for key, value in messages.items():
            if isinstance(key, int):
                path = f"{prefix}[{key}]"
            elif key == "_schema":
                path = prefix or "body"
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            for field, texts in flatten_errors(value, path).items():
                flat.setdefault(field, []).extend(texts)
        return flat
    if isinstance(messages, list) and all(isinstance(item, str) for item in messages):
        return {prefix or "body": list(messages)}
    if isinstance(messages, list):
        return flatten_errors(dict(enumerate(messages)), prefix)
    return {prefix or "body": [str(messages)]}


def describe_errors(flat: dict[str, list[str]]) -> str:
    """One line for the error response's message, naming every failing field."""
    return "Invalid field(s): " + ", ".join(sorted(flat))
