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
    # phone typing: text-speak and clipped words too short for typo repair to recover
    "w": "with", "n": "and", "b4": "before", "gr8": "great", "str8": "straight", "evry1": "everyone",
    "every1": "everyone", "any1": "anyone", "no1": "no one", "sum1": "someone", "some1": "someone",
    "2day": "today", "gd": "good", "cld": "could", "wld": "would", "shld": "should", "luv": "love",
    "enuf": "enough", "tho": "though", "cuz": "because", "coz": "because", "ppl": "people",
    "cust": "customer", "custs": "customers", "convo": "conversation", "convos": "conversations",
    "sched": "schedule", "acct": "account", "accts": "accounts", "msg": "message", "msgs": "messages",
    "tix": "tickets", "db": "database", "ltr": "letter", "ltrs": "letters", "abt": "about", "yr": "year",
    "ofc": "office", "rly": "really", "smth": "something", "sth": "something", "nite": "night",
    "paperwk": "paperwork", "ppwk": "paperwork", "wat": "what", "wot": "what", "thx": "thanks",
    # contractions typed without the apostrophe, which the negation and wish cues read
    "wouldve": "would've", "couldve": "could've", "shouldve": "should've", "wasnt": "wasn't",
    "werent": "weren't", "didnt": "didn't", "doesnt": "doesn't", "dont": "don't", "isnt": "isn't",
    "arent": "aren't", "cant": "can't", "couldnt": "couldn't", "wouldnt": "wouldn't",
    "shouldnt": "shouldn't", "havent": "haven't", "hadnt": "hadn't", "im": "i'm", "ive": "i've",
    "outta": "out of", "gotta": "got to", "wanna": "want to", "gonna": "going to",
}
_ABBREVIATION = re.compile(r"(?<![\w/])(" + "|".join(re.escape(k) for k in _ABBREVIATIONS) + r")(?![\w/])")


# "a real diff" is a difference; "diff every day" is different.
_DIFF = re.compile(r"(?<![\w/])(?:(a|real|big|huge|the|any|some|no) )?diff(?![\w/])")
# A digit standing for a word between two words: "2 sell" (to), "4 the kids" (for). Not a count of things
# ("2 sites") nor a number after a label ("tier 2", "ward 4").
_DIGIT_WORD = re.compile(r"(?<=[a-z] )([24])(?= [a-z]+(?<!s)\b)")
_NUMBERED = frozenset((
    "tier", "level", "step", "grade", "phase", "stage", "room", "line", "page", "floor", "table", "year",
    "week", "day", "hour", "class", "ward", "bay", "gate", "platform", "number", "no", "top", "part",
    "round", "season", "chapter", "section", "band", "unit", "building", "team", "shift", "bed", "desk",
))
# A digit before a unit is a count or an age ("4 year olds", "2 hour shifts"), not a word.
_UNITS = frozenset(("year", "hour", "minute", "day", "week", "month", "second", "yr", "hr", "min"))


def _digit_word(match: re.Match[str]) -> str:
    before = match.string[:match.start()].split()
    after = match.string[match.end():].split()
    if (before and before[-1] in _NUMBERED) or (after and after[0] in _UNITS):
        return match.group(1)
    return "to" if match.group(1) == "2" else "for"


def normalise_phrase(text: str) -> str:
    """Lower-case NFC text with quotes, dashes and spacing made canonical, shorthand spelt out."""
    out = unicodedata.normalize("NFKC", text).lower()
    for old, new in _REPLACEMENTS:
        out = out.replace(old, new)
    out = _ABBREVIATION.sub(lambda m: _ABBREVIATIONS[m.group(1)], out)
    out = _DIFF.sub(lambda m: f"{m.group(1)} difference" if m.group(1) else "different", out)
    out = _DIGIT_WORD.sub(_digit_word, out)
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
    return [word[:i] + v + word[i + 1:] for i in range(1, len(word)) if word[i] in vowels
            for v in vowels if v != word[i]]  # people rarely get the first letter wrong ("assays")


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


# Words the polarity cues and patterns lean on that are not spelt out in the lexicon.
_COMMON_WORDS = frozenset((
    "nothing", "never", "without", "every", "everything", "everyone", "others", "over", "from", "work",
    "working", "worked", "people", "always", "before", "after", "could", "would", "should", "about",
    "their", "there", "other", "ever", "break",
))
_VOWELS = frozenset("aeiou")


def _skeleton(word: str) -> str:
    """First letter, then the consonants with doubles and "ck" collapsed: "checking" and "chkng" agree."""
    rest = "".join(ch for ch in word[1:] if ch not in _VOWELS).replace("ck", "k")
    out = word[0]
    for ch in rest:
        if ch != out[-1]:
            out += ch
    return out


@lru_cache(maxsize=1)
def _skeleton_index() -> dict[str, str]:
    """Skeleton -> the one lexicon or common word with it (skeletons two words share are dropped)."""
    found: dict[str, set[str]] = {}
    for word in lexicon_words() | _COMMON_WORDS:
        found.setdefault(_skeleton(word), set()).add(word)
    return {key: next(iter(words)) for key, words in found.items() if len(words) == 1 and len(key) >= 3}


def _without_vowels(word: str) -> str | None:
    """Phone typing drops vowels ("ltrs", "chkng", "nthing"): the word whose skeleton it is, if unique."""
    if len(word) < 3 or sum(ch in _VOWELS for ch in word[1:]) > 1:
        return None
    found = _skeleton_index().get(_skeleton(word))
    if found is None or len(found) <= len(word) or (len(word) == 3 and found not in _COMMON_WORDS):
        return None  # three letters are more often an acronym ("hst", "crm") than a clipped word
    return found


def _dropped_g(word: str) -> str | None:
    """ "closin", "hagglin", "bossin": the -ing form when its verb is a real word ("admin" has none)."""
    if len(word) < 4 or not word.endswith("in"):
        return None
    stem, words = word[:-2], _dictionary()
    doubled = len(stem) > 2 and stem[-1] == stem[-2] and stem[:-1] in words  # "puttin"
    if stem in words or stem + "e" in words or doubled:
        return word + "g"
    return None


_SUFFIXES = ("ings", "ing", "ers", "er", "ed", "es", "s", "ly")


def _is_inflected_word(word: str) -> bool:
    """An ending on a real word ("patching", "crackling", "reimaging"): the tokenizer lists only the stem."""
    words = _dictionary()
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[:-len(suffix)]
            if stem in words or stem + "e" in words or (stem.endswith("i") and stem[:-1] + "y" in words):
                return True
    return False


@lru_cache(maxsize=65536)
def repair_word(word: str) -> str:
    """The lexicon word a misspelt word most likely meant, or the word itself."""
    if len(word) < 3 or word in lexicon_words() or word in lexicon_stems() or word in _dictionary():
        return word
    fixed = _dropped_g(word)
    if fixed is not None:
        return fixed
    if _known(word):
        return word
    fixed = _without_vowels(word)
    if fixed is not None or len(word) < 5:
        return fixed or word
    for cut in range(len(word), 4, -1):  # whole word first, then prefixes for stems
        fixed = _fix(word[:cut])
        if fixed is not None and (cut == len(word) or (cut >= 7 and fixed in lexicon_stems())):
            fixed += word[cut:]
            # a real word's ending may be dropped ("courthouses"), but it is not respelt ("patching")
            return fixed if word.startswith(fixed) or not _is_inflected_word(word) else word
    return word


def repair_typos(text: str) -> str:
    """Replace likely misspellings of lexicon words, leaving everything else untouched."""
    return _WORD.sub(lambda m: repair_word(m.group(0)), text)
