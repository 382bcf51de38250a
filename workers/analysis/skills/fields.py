"""Fields of work for text skills: which fields an ESCO skill belongs to, which field a job is in.

A text skill read in the wrong field ("identify patients' medical records" from a legal assistant
who requested medical records) costs a recruiter's trust more than a missing one. The reviewed data
(data/skill_fields.json) puts a skill in a domain when its preferred label names the domain
("patient", "court", "laboratory") or when all its ESCO knowledge groups lie in one (K091 health,
K042 law); each domain lists the fields of work that admit it. A job's field is read with the
theme links' field keywords and title meanings (themes.field_of): what its title names, else what
its other words name. Most skills are in no domain and are open to every field. A job of no
recognised field admits the domains its own words name.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from workers.analysis.skills import themes

FIELDS_FILE = Path(__file__).resolve().parent / "data" / "skill_fields.json"


@dataclass(frozen=True, eq=False)  # hashed by identity, for the per-skill cache
class Domains:
    """The domains of the data file: admitting fields, label words, knowledge-group prefixes."""

    admit: dict[str, frozenset[str]]  # domain -> fields of work whose jobs may show it
    words: dict[str, re.Pattern[str]]  # domain -> whole-word pattern over preferred labels
    groups: tuple[tuple[str, str], ...]  # (ESCO group prefix, domain), longest prefix first


@lru_cache(maxsize=4)
def load(path: Path = FIELDS_FILE) -> Domains:
    """Read and check the domain file once per process."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    known = set(themes.load().fields)
    admit: dict[str, frozenset[str]] = {}
    words: dict[str, re.Pattern[str]] = {}
    groups: list[tuple[str, str]] = []
    for name, spec in doc["domains"].items():
        unknown = set(spec["fields"]) - known
        if unknown:
            raise ValueError(f"domain {name!r} names unknown fields {sorted(unknown)}")
        admit[name] = frozenset(spec["fields"])
        if spec["words"]:
            alts = "|".join(re.escape(w) for w in sorted(spec["words"], key=len, reverse=True))
            words[name] = re.compile(rf"\b(?:{alts})s?\b", re.IGNORECASE)
        groups += [(g, name) for g in spec["groups"]]
    groups.sort(key=lambda g: (-len(g[0]), g[0]))
    return Domains(admit, words, tuple(groups))


def _group_domain(code: str, table: Domains) -> str | None:
    """The domain of one ESCO knowledge group, by its longest listed prefix."""
    return next((name for prefix, name in table.groups if code.startswith(prefix)), None)


@lru_cache(maxsize=16_384)
def _domains(label: str, groups: tuple[str, ...], table: Domains) -> frozenset[str]:
    """The domains a skill is bound to; empty when it is open to every field."""
    named = {name for name, pat in table.words.items() if pat.search(label)}
    if named:
        return frozenset(named)
    knowledge = [g for g in groups if re.fullmatch(r"K\d{4}", g)]
    found = [_group_domain(g, table) for g in knowledge]
    if knowledge and all(found):
        return frozenset(d for d in found if d)
    return frozenset()


def skill_domains(label: str, groups: Sequence[str], table: Domains | None = None) -> frozenset[str]:
    """The domains of a skill with this preferred label and these ESCO hierarchy codes."""
    return _domains(label, tuple(groups), table or load())


@dataclass(frozen=True)
class Job:
    """What the field check needs of one job: its field, and all its words."""

    field: str  # a field of themes.load(), or themes.DEFAULT when none is recognised
    text: str


def job(entry: Mapping[str, Any]) -> Job:
    """A job's field: what its title names (keywords, else the title's meaning), else its other words.

    The title decides first: a legal assistant who requested hospital and clinic records is still in
    law, however often the description says "medical". A title that names no field ("Receptionist")
    leaves it to the keywords of the description, likes and dislikes. (Keyword counts and title
    meanings are cached per text in themes.py.)
    """
    table = themes.load()
    title = entry.get("title") or ""
    texts = [title, entry.get("description") or "",
             *(entry.get("likes") or []), *(entry.get("dislikes") or [])]
    field = themes.field_of([title], table, titles=[title])
    if field == themes.DEFAULT:
        field = themes.field_of(texts, table)
    return Job(field, "\n".join(texts))


def admits(domains: frozenset[str], where: Job, table: Domains | None = None) -> bool:
    """Whether a skill in these domains may be read from a text of this job.

    Open skills (no domain) always; otherwise the job's field must admit one of the domains, or,
    for a job of no recognised field, its own words must name one ("patrols" for a guard).
    """
    if not domains:
        return True
    table = table or load()
    if where.field != themes.DEFAULT:
        return any(where.field in table.admit[d] for d in domains)
    return any(d in table.words and table.words[d].search(where.text) for d in domains)
