"""The word cues polarity reads: negation and lack, intensifiers, clause breaks, sarcasm, verdicts."""

from __future__ import annotations

import re


def _any_of(*alternatives: str) -> str:
    """A non-capturing alternation of regex fragments."""
    return "(?:" + "|".join(alternatives) + ")"


def _words(*alternatives: str) -> re.Pattern[str]:
    """Whole-word match of any of the fragments."""
    return re.compile(r"(?<![\w'])" + _any_of(*alternatives) + r"(?!\w)")


# Words that put what follows them in doubt or absence ("not having to", "never got to", "too little").
FLIP_BEFORE = _words(
    "not", "no", "never", "nothing", "none", "nobody", "no one", "no-one", "zero", "without", "lack",
    "lacking", "lack of", "barely", "hardly", "rarely", "seldom", "too little", "very little", "so little",
    "less", "fewer", "minimal", "instead of", "rather than", "away from", "free of", "free from",
    "freedom from", "escape", "escaping", "escaped", "spared", "avoid", "avoided", "avoiding", "miss",
    "missed", "missing", "wish", "wished", "wishing", r"\w+n't", "cannot", "nowhere", "almost no",
    "hardly any", "barely any", "not enough", "not much", "not many", "only once", "once a year",
    "limited", "short on", "out of", "cut back", "cutbacks", "cut down on", "cut (?:the|our|my|all|out)",
    "took away", "taken away", "gave up", "stopped", "quit", "no longer", "anymore", "any more", "gone",
    "replaced", "wanted to", "wanted more", "want more", "wanting more", "would have liked",
    "would have loved", "would've liked", "would've loved", "kept asking for", "asked for", "begged for",
    "pushed for", "hoped for", "hoping for", "(?:finally|got|get|getting|being|be) off", "done with",
    "finished with", "kept all (?:the|of the)", "hogged (?:all )?(?:the|of the)", "took all (?:the|of the)",
    r"(?:^\s*|\bi |\bwe )(?:really |always |just )?wanted",
)
# Wishes: what the job lacked ("if only there'd been someone to bounce ideas off"). They reach across the
# whole clause, however far the theme word is ("I kept hoping they'd let me do some of the actual digging").
WISH = _words(
    "if only", "wish", "wished", "wishing", "hoping", "hoped", "craved", "longed for", "longing for",
    "yearned for", "dying to", "itching to", "would it have killed", "(?:would|'d) have killed for",
    r"what (?:i'd|i would) have given for", "(?:would|'d|would've) have given anything for",
    r"never (?:once )?(?:got|get|getting|had|was allowed) to",
    r"(?:would have|would've|it'd have) been (?:nice|good|great|helpful|lovely) (?:if|to)",
)
# The subset that negates whatever it sits in front of, used when no word span is known.
STRONG_FLIP = _words(
    "not", "no", "never", "without", "lack of", "too little", "not enough", "hardly", "barely", "rarely",
    "no more", "instead of", "rather than", r"\w+n't", "cannot",
)
_GONE_TO_OTHERS = _any_of(
    "someone", "somebody", "reserved", "given (?:away|to (?:someone|somebody|others|other))", "taken",
    "handed (?:off|over|to (?:someone|somebody|others))", "outsourced", "cut", "gone", "rare", "scarce",
    "removed", "off the table", "not my job", "not mine",
)
# After the theme word: it went to someone else, or away ("research was reserved for the seniors"), or lay
# unused ("my drafting skills just sat there unused").
FLIP_AFTER = re.compile(
    r"^\W*(?:\w+\W+){0,3}?"
    + _any_of(r"(?:was|were|is|are|got|went|being|been)\s+(?:\w+\s+)?" + _GONE_TO_OTHERS,
              "went to (?:someone|somebody|others|other people|another)", "(?:someone|somebody) else's",
              r"(?:but\s+)?never (?:got|had) (?:the|a) chance", "never happened",
              "would have been (?:nice|great|good)",
              r"(?:sat|sit|sitting|went|going|gone|lay|lying)\s+(?:there\s+)?(?:unused|idle|to waste)")
)
# "never" and "no" that intensify instead of negating ("the phones never stopped", "no two days alike").
NOT_A_FLIP = re.compile(_any_of(
    r"never[\s\-]+(?:end\w*|stop\w*|let up|slow\w*|quiet\w*|a dull|dull|bor\w*|the same|same)",
    r"no[\s\-]+(?:two|end|break|breaks|let[\s\-]up|shortage|lack)", "nonstop", "no matter", "not just",
    "not only",
    "out of (?:the office|office|court|town|the house|a jam|a bind|a pinch|trouble)",
    "(?:can't|couldn't) (?:get enough|wait)",
    "(?:'d|would|will|'ll|gonna|going to) miss",  # "the only bit I'd miss": a like, not a lack
    "nothing (?:says|beats?|like|quite like)",  # "nothing says fun like forty complaint calls"
    # a hedged like: "I didn't mind the data entry"
    "(?:didn't|did not|don't|do not|never|wouldn't|won't) mind",
    # "I'd happily never see another pivot table": a dislike, not a lack
    "never (?:want to |wanna |have to )?"
    "(?:see|do|touch|hear|look at|write|make|answer|use|open|sit through|build) (?:another|one more)",
    # a starting point, not a lack: "went from knowing nothing about wills to drafting them"
    "from (?:knowing )?(?:nothing|zero|scratch|no experience)",
    # a dislike, not a lack: "I could have lived without the Monday all-hands"
    "(?:could|can|could've|would|'d) (?:have )?(?:lived|live|done|do|gone|go) without",
))
# Clause boundaries: a flip word does not reach across these.
BOUNDARY = re.compile(r"[,;:.!?()]|\s(?:but|and|so|because|though|although|while|yet|plus)\s|\s-\s")
# Markers that a "like" is said through gritted teeth ("oh, the endless photocopying").
SARCASM = re.compile(_any_of(
    r"^(?:oh|ah|ugh|yay|wow|gee|sure|yeah right)\b", r"/s\b", r"\bthe joys? of\b",
    r"\briveting\b", r"\bthrilled? to\b", r"\bnothing (?:says|like)\b", r"\bjust love(?:d)? (?:how|when)\b",
    r"\bso much fun\b", r"\bwhat fun\b", r"\bendless\b", r"\bmy favou?rite\b.*\b(?:not|never)\b",
    r"\bgood times\b", r"\b(?:love|loved) (?:being|getting) (?:yelled|stuck)",
))
_VERDICT_SUBJECT = r"\b(?:was|were|is|are|got|felt)\s+(?:\w+\s+){0,2}?"
# A verdict inside the phrase that can contradict its list ("the deadlines were kinda fun" under dislikes).
PRAISE = re.compile(_any_of(
    _VERDICT_SUBJECT + r"(?:fun|exciting|enjoyable|great|satisfying|rewarding|a blast|the best)\b",
    r"\b(?:can't|couldn't|cannot) get enough\b",
    r"\b(?:was|were|is|are|felt)\s+(?:a\s+bit\s+of\s+|kind\s+of\s+|sort\s+of\s+)?a\s+(?:thrill|rush|buzz|treat)\b",
    r"^(?:honestly,?\s+|actually,?\s+)?(?:i\s+)?(?:actually\s+|secretly\s+|kind of\s+|kinda\s+|sort of\s+)?"
    r"(?:liked|loved|enjoyed)\b",
))
COMPLAINT = re.compile(_any_of(
    _VERDICT_SUBJECT + r"(?:boring|awful|terrible|tedious|annoying|miserable|draining|exhausting|the worst"
    r"|a nightmare|soul-crushing)\b",
    r"^(?:honestly,?\s+|actually,?\s+)?i\s+(?:really\s+)?(?:hated|disliked|dreaded)\b",
))
CONTRAST = re.compile(r"\b(?:but|though|although|except|yet)\b(?=\s+\w)")  # a trailing "though" only hedges
# Words that come before the activity a phrase names without being it ("having to [pitch]", "being made
# [boss]", "constantly [re-explaining]"): the lead bonus goes to what follows them. A determiner is skipped
# only after one of them ("being the [shoulder to cry on]"), since a phrase's own first noun is its topic.
PREAMBLE = re.compile(r"^(?:(?:" + "|".join((
    "having", "have", "had", "to", "being", "be", "getting", "get", "got", "all", "i", "i'd", "i'm", "me",
    "was", "were", "just", "actually", "really", "basically", "mostly", "always", "constantly", "constant",
    "endless", "endlessly", "never", "not", "no", "expected", "asked", "made", "told", "forced", "allowed",
    "able", "also", "too", "so", "much", "lots", "of", "more", "less", "honestly", "kinda",
)) + r")\s+)+(?:(?:the|a|an|my|our|their|his|her|some|any|every|each)\s+)?|^")
