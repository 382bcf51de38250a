"""The rule labeller: curated lexicon, polarity cues and nearest prototypes; cached by normalised text."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources

from workers.analysis.cues import CONTRAST, PREAMBLE
from workers.analysis.lexicon import NEUTRAL, NONE, Mention, find_mentions
from workers.analysis.polarity import is_flipped, polarity_of, semantic_polarity
from workers.analysis.result import Label
from workers.analysis.semantic import guess_themes, model_fingerprint
from workers.analysis.text import normalise_phrase, repair_typos

MAX_LABELS = 2
SECOND_LABEL_RATIO = 0.75
# With an off-catalogue topic in the phrase, a theme must outweigh it, in matched characters and by at
# least this many, unless the theme's words lead the phrase ("planning the holiday party").
SPECIFIC_CHARS = 10
MIN_SEMANTIC_WORDS = 3
# A phrase's first words usually name the activity ("proofreading pleadings", "having to [pitch] our
# estate package to every client"): they weigh more.
LEAD_BONUS = 1.5
# Where the work happened ("my crew [at the warehouse]") is a setting, not the activity: it weighs less.
SETTING_WEIGHT = 0.5
_SETTING = re.compile(r"\b(?:at|in|near|outside|inside|by|from) (?:the|a|an|our|my|their|his|her) $")


def _non_overlapping(mentions: list[Mention]) -> list[Mention]:
    """Greedy longest-first selection so a phrase's words count towards one theme only."""
    kept: list[Mention] = []
    for m in mentions:
        if all(m.end <= k.start or m.start >= k.end for k in kept):
            kept.append(m)
    return kept


def _contrast_part(text: str, pos: int) -> int:
    """Which side of a "but" (or "although", "yet"...) a position lies on: 0 before the first, and so on."""
    return sum(1 for m in CONTRAST.finditer(text) if m.start() < pos)


def _outweighing_off_catalogue(text: str, kept: list[Mention]) -> list[Mention]:
    """Mentions that lead the phrase or say more (in characters) than the off-catalogue topic does, and
    any on the other side of a "but" from it ("the pay was awful but the people I worked alongside...")."""
    chars: dict[str, int] = defaultdict(int)
    for m in kept:
        chars[m.theme] += m.end - m.start
    floor = max(chars.pop(NONE), SPECIFIC_CHARS - 1)
    off_parts = {_contrast_part(text, m.start) for m in kept if m.theme == NONE}
    return [m for m in kept if m.theme != NONE and (chars[m.theme] > floor or m.start == 0
                                                    or _contrast_part(text, m.start) not in off_parts)]


def lead_start(text: str) -> int:
    """Where the phrase's activity begins, past words like "having to", "being made the", "constantly"."""
    return PREAMBLE.match(text).end()  # type: ignore[union-attr]  # the pattern can match empty text


def _is_setting(text: str, m: Mention) -> bool:
    """One word after "at the", "in our"...: a place ("at the warehouse"), not an activity."""
    near = max(0, m.start - 16)  # "outside their " is the longest lead-in
    return " " not in text[m.start:m.end] and _SETTING.search(text, near, m.start) is not None


def _theme_scores(text: str, mentions: list[Mention], lead: int = 0) -> dict[str, tuple[float, Mention]]:
    """Characters matched per theme and that theme's longest mention."""
    scores: dict[str, float] = defaultdict(float)
    best: dict[str, Mention] = {}
    for m in mentions:
        weight = LEAD_BONUS if m.start <= lead else SETTING_WEIGHT if _is_setting(text, m) else 1
        scores[m.theme] += (m.end - m.start) * weight
        if m.theme not in best:
            best[m.theme] = m
    return {t: (scores[t], best[t]) for t in scores}


# Terse lists join items with symbols ("rota + invoicing", "billing/payroll"); "and" and commas join
# asides as often as items, so they do not count (tried: F1 fell on dev and on our own sets).
CONJUNCT = re.compile(r"(?<=[a-z])\s?[+/]\s?(?=[a-z])|\splus\s")


def _item_themes(text: str, mentions: list[Mention]) -> list[str]:
    """The leading theme of each item of a symbol-joined list, best-scored first; [] for other phrases."""
    bounds = [m.end() for m in CONJUNCT.finditer(text)]
    if not bounds:
        return []
    items: dict[int, list[Mention]] = defaultdict(list)
    for m in mentions:
        items[sum(1 for b in bounds if b <= m.start)].append(m)
    tops = {max(scores.items(), key=lambda kv: (kv[1][0], kv[0]))[0]: max(s for s, _ in scores.values())
            for scores in (_theme_scores(text, ms) for ms in items.values())}
    return sorted(tops, key=lambda t: (-tops[t], t))


# A clause that starts with a verb in -ing after "and" or "then" names a second activity, not an aside; light
# verbs ("and getting it right", "and being thanked") say how the first went.
# The join may carry an adverb or a prefix: "and then actually solving", "and double-checking".
_JOIN = re.compile(r" (?:and|then)(?: actually| really| also| even)? (?:double-|re-|triple-)?$")
_GERUND = re.compile(r"(?!(?:getting|being|having|going|doing|making|knowing|seeing|feeling)\b)[a-z]+ing\b")


def _second_activity(text: str, mentions: list[Mention], first: str) -> str | None:
    """The leading theme of the other side of a second "-ing" clause ("preparing statements of adjustments
    and proofing every number"), when the first theme sits on one side only."""
    split = next((m.start for m in sorted(mentions, key=lambda m: m.start)
                  if _JOIN.search(text, 0, m.start) and _GERUND.match(text, m.start)), None)
    if split is None:
        return None
    sides = ([m for m in mentions if m.end <= split], [m for m in mentions if m.start >= split])
    if all(any(m.theme == first for m in side) for side in sides):
        return None
    other = sides[1] if any(m.theme == first for m in sides[0]) else sides[0]
    scored = {t: s for t, (s, _) in _theme_scores(text, other, lead_start(text)).items() if t != first}
    return max(sorted(scored), key=lambda t: scored[t]) if scored else None


# An activity verb whose object is "the same ...": "drafting the same reporting letter for every purchase".
_SAME_OBJECT = re.compile(r"[a-z]+ing (?:\S+ ){0,2}?(?:the |that |this )?(?:exact )?same\b")


def _repeated_activity(text: str, mentions: list[Mention],
                       scored: dict[str, tuple[float, Mention]]) -> dict[str, tuple[float, Mention]]:
    """ "drafting the same reporting letter for every purchase" is about drafting, done over and over: when
    the phrase opens on an activity verb whose object is "the same ...", the repetition is how the activity
    felt, not a theme of its own (structure is dropped; "doing the same forms" has no activity verb)."""
    lead = lead_start(text)
    if "structure" not in scored or not _SAME_OBJECT.match(text, lead) or not _GERUND.match(text, lead):
        return scored
    if not any(m.theme != "structure" and m.start == lead for m in mentions):
        return scored
    return {theme: score for theme, score in scored.items() if theme != "structure"}


def lexicon_labels(text: str, list_name: str) -> tuple[tuple[Label, ...], bool]:
    """Labels from the curated lexicon alone, and whether an off-catalogue topic was named."""
    kept = [m for m in _non_overlapping(find_mentions(text, list_name)) if m.theme != NEUTRAL]
    off_catalogue = any(m.theme == NONE for m in kept)
    if off_catalogue:
        kept = _outweighing_off_catalogue(text, kept)
    strong = [m for m in kept if not m.weak]
    scored = _theme_scores(text, strong or kept, lead_start(text))
    scored = _repeated_activity(text, strong or kept, scored)
    if not scored:
        return (), off_catalogue
    ranked = sorted(scored.items(), key=lambda kv: (-kv[1][0], kv[0]))
    top = ranked[0][1][0]
    chosen = [r for r in ranked[:MAX_LABELS] if r[1][0] >= SECOND_LABEL_RATIO * top]
    items = _item_themes(text, strong or kept)
    if len(chosen) == 1 and len(items) > 1:  # one theme per list item: "rota + invoicing"
        second = next(t for t in items if t != chosen[0][0])
        chosen.append((second, scored[second]))
    if len(chosen) == 1:  # a second activity: "digging up precedents and summing them up in a memo"
        activity = _second_activity(text, strong or kept, chosen[0][0])
        if activity is not None:
            chosen.append((activity, scored[activity]))
    labels = []
    for theme, (_, mention) in chosen:
        confidence = 0.6 if mention.weak else (0.75 if is_flipped(text, mention) else 0.9)
        labels.append(Label(theme, polarity_of(text, mention, list_name), confidence))
    return tuple(sorted(labels, key=lambda lab: lab.theme)), off_catalogue


@lru_cache(maxsize=200_000)
def _lexicon_cached(text: str, list_name: str) -> tuple[tuple[Label, ...], bool]:
    return lexicon_labels(repair_typos(text), list_name)


_SEMANTIC: dict[tuple[str, str], tuple[Label, ...]] = {}
_SEMANTIC_MAX = 200_000


def _semantic_fill(keys: list[tuple[str, str]]) -> None:
    """Run the semantic step, in one batch, on the residual phrases not yet cached."""
    todo = sorted({key for key in keys if key not in _SEMANTIC})
    if not todo:
        return
    if len(_SEMANTIC) + len(todo) > _SEMANTIC_MAX:
        _SEMANTIC.clear()  # and compute every key of this batch, so none is read back as unlabelled
        todo = sorted(set(keys))
    guesses = guess_themes([repair_typos(text) for text, _ in todo])
    for (text, list_name), guess in zip(todo, guesses, strict=True):
        _SEMANTIC[(text, list_name)] = () if guess is None else (
            Label(guess.theme, semantic_polarity(text, guess.sign, list_name), guess.similarity),)


def label_phrases(items: Sequence[tuple[str, str]]) -> list[tuple[Label, ...]]:
    """Labels for many (text, list) pairs: lexicon first, the semantic step for what it misses."""
    keys = [(normalise_phrase(text), list_name) for text, list_name in items]
    results = [_lexicon_cached(text, list_name) for text, list_name in keys]
    residual = [key for key, (labels, off) in zip(keys, results, strict=True)
                if not labels and not off and _worth_embedding(key[0])]
    _semantic_fill(residual)
    return [labels if labels or off else _SEMANTIC.get(key, ())
            for key, (labels, off) in zip(keys, results, strict=True)]


def _worth_embedding(text: str) -> bool:
    """One- and two-word leftovers ("rain", "6am starts") are nearly always off-catalogue: skip the model."""
    return len(text.split()) >= MIN_SEMANTIC_WORDS


def label_phrase(text: str, list_name: str) -> tuple[Label, ...]:
    """Themes a like ("likes") or dislike ("dislikes") phrase speaks of, at most two."""
    return label_phrases([(text, list_name)])[0]


def clear_cache() -> None:
    """Forget cached phrase results (benchmarks measure cold runs with this)."""
    _lexicon_cached.cache_clear()
    _SEMANTIC.clear()


# Bump on purpose whenever the cascade's code changes what it outputs; its data files are digested.
RULES_REVISION = "1"
_RULE_DATA = ("data/themes/lexicon.txt", "data/themes/examples.tsv")


@lru_cache(maxsize=1)
def rules_version() -> str:
    """The cascade's revision with a digest of its lexicon, prototypes and static-vector model."""
    digest = hashlib.sha256()
    for name in _RULE_DATA:
        digest.update(resources.files("workers.analysis").joinpath(name).read_bytes())
    digest.update(model_fingerprint().encode())
    return f"rules.{RULES_REVISION}.{digest.hexdigest()[:10]}"


class RuleLabeller:
    """The rule cascade behind the PhraseLabeller seam."""

    @property
    def version(self) -> str:
        return rules_version()

    def label(self, items: Sequence[tuple[str, str]]) -> list[tuple[Label, ...]]:
        return label_phrases(items)
