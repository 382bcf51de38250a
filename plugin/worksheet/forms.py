"""The worksheet form to jobs and back: one block of fields per job, likes and dislikes one per line,
validated with the same schema (and limits) as every inbound history, errors keyed by form field."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from marshmallow import ValidationError

from schemas.candidate_worksheet import WorksheetSchema
from schemas.errors import flatten_errors
from schemas.history import MAX_JOBS

JOB_FIELDS = ("title", "employer", "start", "end", "likes", "dislikes", "description")
_LIST_FIELDS = ("likes", "dislikes")
_OPTIONAL = ("employer", "start", "end")
NO_TITLE = "Give this job a title: what you did there, e.g. \"Law clerk\"."
_NAME = re.compile(r"jobs-([0-9]{1,3})-([a-z]+)")
_ERROR_PATH = re.compile(r"jobs\[([0-9]+)\]\.([a-z]+)")


@dataclass
class Parsed:
    """Jobs as the schema loaded them (None on errors) and what the form showed, to render it again."""

    jobs: list[dict[str, Any]] | None
    shown: list[dict[str, Any]] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)


def _blocks(form: Mapping[str, str]) -> list[dict[str, str]]:
    """The job blocks in form order, at most MAX_JOBS + 1 (one more than allowed is reported, not kept)."""
    found: dict[int, dict[str, str]] = {}
    for name, value in form.items():
        match = _NAME.fullmatch(name)
        if match and match.group(2) in JOB_FIELDS and int(match.group(1)) <= MAX_JOBS:
            found.setdefault(int(match.group(1)), {})[match.group(2)] = value
    return [found[i] for i in sorted(found)]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


def _job(block: Mapping[str, str]) -> dict[str, Any]:
    job: dict[str, Any] = {name: block.get(name, "").strip() or None for name in ("title", *_OPTIONAL)}
    job["title"] = job["title"] or ""
    for name in _LIST_FIELDS:
        job[name] = _lines(block.get(name, ""))
    job["description"] = block.get("description", "").strip()  # the CRM's, carried through unchanged
    return job


def _blank(job: Mapping[str, Any]) -> bool:
    return not any(job.get(name) for name in JOB_FIELDS)


def parse(form: Mapping[str, str]) -> Parsed:
    """The non-blank job blocks, loaded; nothing is kept when any field is wrong."""
    shown = [job for job in (_job(block) for block in _blocks(form)) if not _blank(job)]
    try:
        loaded = WorksheetSchema().load({"jobs": shown})
    except ValidationError as exc:
        errors = field_errors(exc.messages)
        for index, job in enumerate(shown):  # said in the candidate's terms, not the schema's
            if not job["title"]:
                errors[f"jobs-{index}-title"] = [NO_TITLE]
        return Parsed(None, shown, errors)
    return Parsed(loaded["jobs"], shown)


def field_errors(messages: Any) -> dict[str, list[str]]:
    """Schema errors keyed by the form field they belong to ("jobs-0-likes"); the rest under "jobs"."""
    keyed: dict[str, list[str]] = {}
    for path, texts in flatten_errors(messages).items():
        match = _ERROR_PATH.match(path)
        key = f"jobs-{match.group(1)}-{match.group(2)}" if match else "jobs"
        if match and path != match.group(0):  # a single line of a list: say which one
            texts = [f"Line {int(path[match.end() + 1:-1]) + 1}: {t}" for t in texts]
        keyed.setdefault(key, []).extend(texts)
    return keyed


def as_form(jobs: list[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Stored jobs as the form's field values."""
    return [{"title": job.get("title") or "", "employer": job.get("employer") or "",
             "start": job.get("start") or "", "end": job.get("end") or "",
             "likes": "\n".join(job.get("likes") or []), "dislikes": "\n".join(job.get("dislikes") or []),
             "description": job.get("description") or ""}
            for job in jobs]
