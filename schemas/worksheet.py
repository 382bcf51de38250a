"""The likes-and-dislikes convention for CRMs that have no such fields (docs/connectors.md).

A long-text candidate field holds the candidate's worksheet as plain text: a header line per job
(`# <title> at <employer>`, `# <employer>` or `# <title>`), then one phrase per line, `+` for what they
liked and `-` for what they disliked. Anything else (blank lines, notes, sections naming no known job)
is ignored, so a recruiter's stray edit costs that line only.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field


def match_key(text: str | None) -> str:
    """Header and job names compared case-, spacing- and Unicode-form-insensitively."""
    return " ".join(unicodedata.normalize("NFC", text or "").casefold().split())


@dataclass
class Section:
    heading: str
    likes: list[str] = field(default_factory=list)
    dislikes: list[str] = field(default_factory=list)


def parse_worksheet(text: str | None) -> list[Section]:
    """The sections of a worksheet in order; an empty or missing worksheet has none."""
    sections: list[Section] = []
    for raw in (text or "").splitlines():
        line = raw.strip()
        if line.startswith("#"):
            sections.append(Section(match_key(line.lstrip("#"))))
        elif sections and line[:1] in ("+", "-") and line[1:].strip():
            target = sections[-1].likes if line[0] == "+" else sections[-1].dislikes
            target.append(" ".join(line[1:].split()))
    return sections


def assign_sections(sections: list[Section], jobs: list[tuple[str, str | None]]
                    ) -> list[tuple[list[str], list[str]]]:
    """(likes, dislikes) per job, given each job's (title, employer), most recent first.

    Headings are matched as "<title> at <employer>" first (every section), then as the employer, then as
    the title; each goes to the most recent matching job that has no section yet, so the same phrase is
    never counted for two jobs (the engine looks for themes that recur across jobs)."""
    result: list[tuple[list[str], list[str]]] = [([], []) for _ in jobs]
    taken: set[int] = set()
    placed: set[int] = set()
    keys = [(match_key(f"{title} at {employer}") if employer else "", match_key(employer),
             match_key(title)) for title, employer in jobs]
    for rank in range(3):
        for n, section in enumerate(sections):
            if n in placed:
                continue
            found = next((j for j, key in enumerate(keys)
                          if j not in taken and key[rank] and key[rank] == section.heading), None)
            if found is not None:
                taken.add(found)
                placed.add(n)
                result[found] = (section.likes, section.dislikes)
    return result
