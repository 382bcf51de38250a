"""Canonical phrase text: the cache key, and the form every matcher reads."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from workers.analysis.lexicon import lexicon_stems, lexicon_words

_REPLACEMENTS = (
    ("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"'),
    ("\u2013", " - "), ("\u2014", " - "), ("&", " and "), ("w/o", "without"), ("w/", "with "),
)
_WORD = re.compile(r"[a-z]+")
# Worksheet shorthand spelt out, so patterns written in full words match it.
_ABBREVIATIONS = {
    "hrs": "hours", "hr": "hour", "mins": "minutes", "yrs": "years", "wk": "week", "wks": "weeks",
    "mgmt": "management", "mgr": "manager", "mgrs": "managers", "dept": "department", "depts": "departments",
    "appts": "appointments", "appt": "appointment", "mtg": "meeting", "mtgs": "meetings",
    "govt": "government", "b/c": "because", "bc": "because", "thru": "through", "w/": "with",
}
_ABBREVIATION = re.compile(r"(?<![\w/])(" + "|".join(re.escape(k) for k in _ABBREVIATIONS) + r")(?![\w/])")


def normalise_phrase(text: str) -> str:
    """Lower-case NFC text with quotes, dashes and spacing made canonical."""
    out = unicodedata.normalize("NFKC", text).lower()
    for old, new in _REPLACEMENTS:
        out = out.replace(old, new)
    out = _ABBREVIATION.sub(lambda m: _ABBREVIATIONS[m.group(1)], out)
    return " ".join(out.split())


def _edits1(word: str) -> set[str]:
    """Deletions and adjacent swaps of one letter: the typos people make most while typing fast."""
    deletes = {word[:i] + word[i + 1:] for i in range(len(word))}
    swaps = {word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(len(word) - 1)}
    return deletes | swaps


@lru_cache(maxsize=1)
def _deletion_index() -> dict[str, str]:
    """Maps each lexicon word or stem with one letter dropped or swapped back to it."""
    index: dict[str, str] = {}
    for word in sorted(lexicon_words() | lexicon_stems()):
        if len(word) >= 5:
            for variant in sorted(_edits1(word)):
                index.setdefault(variant, word)
    return index


def _known(word: str) -> bool:
    """A lexicon word, or a word that starts with a lexicon stem."""
    return word in lexicon_words() or any(word[:n] in lexicon_stems() for n in range(5, len(word) + 1))


@lru_cache(maxsize=1)
def _vocab() -> frozenset[str]:
    return lexicon_words() | lexicon_stems()


def _substitutions(word: str) -> list[str]:
    """One vowel for another (calender -> calendar, budgit -> budget): the commonest spelling slip.
    Consonant swaps are left alone: "uploading" is not a misspelt "unloading"."""
    if len(word) < 6:
        return []
    vowels = "aeiouy"
    return [word[:i] + v + word[i + 1:] for i in range(len(word)) if word[i] in vowels
            for v in vowels if v != word[i]]


def _fix(word: str) -> str | None:
    """The lexicon word or stem one typing slip away from `word`, if there is one."""
    vocab = _vocab()
    for variant in sorted(_edits1(word)) + _substitutions(word):
        if len(variant) >= 5 and variant in vocab:
            return variant
    return _deletion_index().get(word)


@lru_cache(maxsize=1)
def _dictionary() -> frozenset[str]:
    """Whole English words from the packaged MiniLM vocabulary: real words are never "repaired"."""
    from workers.analysis.static_vectors import vocabulary
    return vocabulary()


@lru_cache(maxsize=65536)
def repair_word(word: str) -> str:
    """The lexicon word a misspelt word most likely meant, or the word itself."""
    if len(word) < 5 or _known(word) or word in _dictionary():
        return word
    for cut in range(len(word), 4, -1):  # whole word first, then prefixes for stems
        fixed = _fix(word[:cut])
        if fixed is not None and (cut == len(word) or (cut >= 7 and fixed in lexicon_stems())):
            return fixed + word[cut:]
    return word


def repair_typos(text: str) -> str:
    """Replace likely misspellings of lexicon words, leaving everything else untouched."""
    return _WORD.sub(lambda m: repair_word(m.group(0)), text)
