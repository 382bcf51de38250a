"""A stable hash of a normalised history: equal histories hash equal whatever the key order or spacing."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Mapping
from typing import Any


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    return " ".join(unicodedata.normalize("NFC", text).split())


def normalise_history(history: Mapping[str, Any]) -> dict[str, Any]:
    """Keep only the fields the analysis reads, with whitespace and Unicode form made canonical."""
    jobs = []
    for job in history.get("jobs", []):
        jobs.append({
            "title": _clean(job.get("title")),
            "employer": _clean(job.get("employer")),
            "start": job.get("start"),
            "end": job.get("end"),
            "description": _clean(job.get("description")) or "",
            "likes": [_clean(p) for p in job.get("likes", [])],
            "dislikes": [_clean(p) for p in job.get("dislikes", [])],
        })
    return {"jobs": jobs}


def history_hash(history: Mapping[str, Any]) -> str:
    """SHA-256 over the canonical JSON of the normalised history (the candidate id is not part of it)."""
    canonical = json.dumps(normalise_history(history), sort_keys=True, ensure_ascii=False,
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
