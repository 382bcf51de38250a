"""Which way a mention points: the list it sits in, turned round by negation, lack, escape or sarcasm."""

from __future__ import annotations

import re

from workers.analysis.cues import (
    BOUNDARY,
    COMPLAINT,
    CONTRAST,
    FLIP_AFTER,
    FLIP_BEFORE,
    NOT_A_FLIP,
    PRAISE,
    SARCASM,
    STRONG_FLIP,
    WISH,
)
from workers.analysis.lexicon import Mention

_MAX_SCOPE_WORDS = 7
_WORD_START = re.compile(r"\S+")
_ABSENCE = re.compile(r"without|no|never|not|less|fewer|nothing|none|\w+n't")


def is_sarcastic(text: str) -> bool:
    """True when a phrase reads as irony ("oh, the endless photocopying")."""
    return bool(SARCASM.search(text))


def _clause_before(text: str, start: int) -> tuple[str, int]:
    """The text between the last clause boundary and the mention, and where its last few words begin."""
    head = text[:start]
    cut = 0
    for m in BOUNDARY.finditer(head):
        cut = m.end()
    clause = head[cut:]
    words = [m.start() for m in _WORD_START.finditer(clause)]
    return clause, words[-_MAX_SCOPE_WORDS] if len(words) > _MAX_SCOPE_WORDS else 0


def _clause_after(text: str, end: int) -> str:
    """The text from the mention to the next clause boundary."""
    tail = text[end:]
    stop = BOUNDARY.search(tail)
    return tail[:stop.start()] if stop else tail


def _cues_before(clause: str, window: int, mention_text: str) -> bool:
    """True when a negation within a few words, or a wish anywhere in the clause, governs the mention.
    Intensifiers ("never stopped", "no two days", "I'd miss") are read over the whole clause and skipped,
    and a wish for an absence is no flip ("what I'd have given for a week without [a panic]")."""
    combined = clause.rstrip() + " " + mention_text
    harmless = [m.span() for m in NOT_A_FLIP.finditer(combined)]
    cues = [m for m in FLIP_BEFORE.finditer(clause) if m.start() >= window
            and not any(lo <= m.start() < hi for lo, hi in harmless)]
    wish = WISH.search(clause)
    if wish is None:
        return bool(cues)
    return not any(_ABSENCE.fullmatch(m.group()) for m in cues if m.start() >= wish.end())


def is_flipped(text: str, mention: Mention) -> bool:
    """True when a flip word governs the mention: "not having to [cold-call]", "[drafting] went to others"."""
    if FLIP_AFTER.search(_clause_after(text, mention.end)):
        return True
    clause, window = _clause_before(text, mention.start)
    return bool(clause.strip()) and _cues_before(clause, window, text[mention.start:mention.end])


def verdict_sign(text: str) -> int:
    """+1 or -1 when the phrase passes its own verdict (and has no "but" to split it), else 0."""
    if CONTRAST.search(text):
        return 0
    praise, complaint = bool(PRAISE.search(text)), bool(COMPLAINT.search(text))
    return 1 if praise and not complaint else -1 if complaint and not praise else 0


def _list_sign(text: str, list_name: str) -> int:
    """The list's sign, unless the phrase's own verdict says the opposite."""
    verdict = verdict_sign(text)
    return verdict if verdict else (1 if list_name == "likes" else -1)


def has_flip_cue(text: str) -> bool:
    """True when a plain negator governs the phrase; without a word span, only unambiguous ones count."""
    harmless = [m.span() for m in NOT_A_FLIP.finditer(text)]
    return any(not any(lo <= cue.start() < hi for lo, hi in harmless) for cue in STRONG_FLIP.finditer(text))


def semantic_polarity(text: str, sign: int, list_name: str) -> int:
    """Polarity for a theme found by similarity, where no word span anchors the flip cues."""
    out = _list_sign(text, list_name) * sign
    if has_flip_cue(text):
        out = -out
    if list_name == "likes" and is_sarcastic(text):
        out = -abs(out)
    return out


def polarity_of(text: str, mention: Mention, list_name: str) -> int:
    """+1 when the phrase shows the person enjoys the theme, -1 when it shows they don't."""
    sign = _list_sign(text, list_name)
    if mention.inverted:
        sign = -sign
    if is_flipped(text, mention):
        sign = -sign
    if list_name == "likes" and is_sarcastic(text):
        sign = -abs(sign)
    return sign
