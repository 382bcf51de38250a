"""Loads the curated theme lexicon and finds theme mentions in a normalised phrase."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from workers.analysis.catalogue import THEMES_BY_ID

_GAP = r"(?:\s+|(?<=\s))(?:\S+\s+){0,3}?"  # the space may already be eaten by "(a |the )?"
_ONLY = {"L>": "likes", "D>": "dislikes"}
_TOKEN = re.compile(r"[a-z0-9'&]+")
NONE = "none"  # pseudo-theme: topics outside the catalogue
# pseudo-theme: set phrases that contain a theme's word without its activity ("estate planning", "a number
# of"); they claim their words, so the shorter theme pattern inside them does not match, and name no topic.
NEUTRAL = "neutral"


@dataclass(frozen=True)
class Entry:
    """One compiled lexicon pattern."""

    theme: str
    regex: re.Pattern[str]
    inverted: bool
    weak: bool
    source: str
    only_list: str | None = None
    keys: tuple[str, ...] = ()  # the text must contain one of these for the pattern to match at all


@dataclass(frozen=True)
class Mention:
    """A theme mention found in a phrase: where it is and which way its words point."""

    theme: str
    start: int
    end: int
    inverted: bool
    weak: bool


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Turn the lexicon's small pattern language (see the data file's header) into a regex."""
    text = pattern.strip()
    if text.endswith(" .."):
        text = text[:-3]
    text = text.replace(" .. ", "\x00")
    if ".." in text:
        raise ValueError(f"a gap '..' needs a space on each side: {pattern!r}")
    text = re.sub(r"(?<=\w)-(?=[\w?])", "\x01", text)
    text = text.replace("*", r"\w*").replace(" ?", r"\s*").replace(" ", r"\s+")
    text = text.replace("\x00", _GAP).replace("\x01", r"[\s\-]?")
    return re.compile(r"(?<![\w'])(?:" + text + r")(?!\w)")


def _closing_paren(body: str) -> int:
    """Index of the parenthesis that closes the one at position 0."""
    depth = 0
    for pos, ch in enumerate(body):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0:
            return pos
    raise ValueError(f"unbalanced parentheses in lexicon pattern {body!r}")


def _split_alternatives(group: str) -> list[str]:
    """Top-level `|` alternatives of a group's inside."""
    parts, depth, start = [], 0, 0
    for pos, ch in enumerate(group):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == "|" and depth == 0:
            parts.append(group[start:pos])
            start = pos + 1
    return parts + [group[start:]]


def _first_words(body: str) -> set[str] | None:
    """Literal starts the pattern can begin with, or None when one of them cannot be told."""
    if body.startswith("("):
        close = _closing_paren(body)
        keys: set[str] = set()
        for alt in _split_alternatives(body[1:close]):
            found = _first_words(alt)
            if found is None:
                return None
            keys |= found
        if body[close + 1:close + 2] in ("?", "*"):  # optional: the words after it may come first
            rest = _first_words(body[close + 2:].lstrip(" ?"))
            return None if rest is None else keys | rest
        return keys
    head = re.match(r"[a-z0-9'&]+", body.lower())
    if head is None:
        return None
    key = head.group(0)
    if body[len(key):len(key) + 1] == "?":  # "colou?r": the last letter is optional
        key = key[:-1]
    return {key} if len(key) >= 2 else None


def prefilter_keys(body: str) -> tuple[str, ...]:
    """Literal starts of the pattern: a cheap substring test that rules most patterns out."""
    keys = _first_words(body)
    return tuple(sorted(keys)) if keys else ()


def parse_lexicon(text: str) -> list[Entry]:
    """Parse the lexicon file: `[theme]` headers, one pattern a line, `!`/`~` prefixes."""
    entries: list[Entry] = []
    theme = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            theme = line[1:-1]
            if theme not in THEMES_BY_ID and theme not in (NONE, NEUTRAL):
                raise ValueError(f"lexicon names unknown theme {theme!r}")
            continue
        only_list = _ONLY.get(line[:2])
        line = line[2:] if only_list else line
        weak = line.startswith("~")
        line = line[1:] if weak else line
        inverted = line.startswith("!")
        body = line[1:] if inverted else line
        entries.append(Entry(theme, compile_pattern(body), inverted, weak, body, only_list,
                             prefilter_keys(body)))
    return entries


@lru_cache(maxsize=1)
def load_lexicon() -> tuple[Entry, ...]:
    """The packaged lexicon, parsed once per process."""
    data = resources.files("workers.analysis").joinpath("data/themes/lexicon.txt")
    return tuple(parse_lexicon(data.read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def _key_index() -> tuple[dict[str, tuple[int, ...]], tuple[int, ...]]:
    """Prefilter key -> entry positions, and the entries that have no key and always run."""
    index: dict[str, list[int]] = {}
    always = []
    for pos, entry in enumerate(load_lexicon()):
        if not entry.keys:
            always.append(pos)
        for key in entry.keys:
            index.setdefault(key, []).append(pos)
    return {k: tuple(v) for k, v in index.items()}, tuple(always)


def candidate_entries(text: str) -> list[Entry]:
    """Entries whose first word could start at some word of the text, in lexicon order."""
    index, always = _key_index()
    found = set(always)
    for word in _TOKEN.findall(text):
        for end in range(2, len(word) + 1):
            hit = index.get(word[:end])
            if hit:
                found.update(hit)
    entries = load_lexicon()
    return [entries[pos] for pos in sorted(found)]


def find_mentions(text: str, list_name: str | None = None) -> list[Mention]:
    """Every lexicon hit in the text, longest first so overlaps resolve to the most specific."""
    hits = [
        Mention(e.theme, m.start(), m.end(), e.inverted, e.weak)
        for e in candidate_entries(text)
        if e.only_list is None or e.only_list == list_name
        for m in e.regex.finditer(text)
        if m.end() > m.start()
    ]
    hits.sort(key=lambda h: (-(h.end - h.start), h.start, h.theme, h.inverted))
    return hits


@lru_cache(maxsize=1)
def lexicon_words() -> frozenset[str]:
    """Literal words of the lexicon, used as the vocabulary for typo repair."""
    words: set[str] = set()
    for entry in load_lexicon():
        words.update(re.findall(r"(?<![a-z\\])[a-z]{4,}(?![a-z*])", entry.source))
    return frozenset(words)


@lru_cache(maxsize=1)
def lexicon_stems() -> frozenset[str]:
    """Word stems the lexicon matches with any ending (`research*` gives `research`)."""
    stems: set[str] = set()
    for entry in load_lexicon():
        stems.update(re.findall(r"(?<![a-z\\])([a-z]{5,})\*", entry.source))
    return frozenset(stems)
