"""Why a phrase got its labels: the learned labeller's top themes and the n-grams that pushed them,
next to what the rule cascade would say. The tool for anyone debugging a label."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workers.analysis import features, learned
from workers.analysis.lexicon import find_mentions
from workers.analysis.result import Label
from workers.analysis.tagger import RuleLabeller


@dataclass(frozen=True)
class Explanation:
    text: str
    list_name: str
    labeller: str
    labels: tuple[Label, ...]
    top_themes: list[tuple[str, float]]  # class ("none" included) and probability after the evidence
    neighbour_votes: list[tuple[str, float]]  # classes by their share of the nearest corpus phrases
    flip_probability: float
    polarity_from_rules: bool  # the cascade read the top label's theme too, so its cues set the polarity
    pushes: list[tuple[str, float]]  # n-gram (or the static vector) and its weight for the top theme
    rule_labels: tuple[Label, ...]
    rule_mentions: list[str]  # lexicon matches the rule cascade saw


def explain(text: str, list_name: str, *, top: int = 5) -> Explanation:
    item, rule_labels = (text, list_name), RuleLabeller().label([(text, list_name)])[0]
    weights = learned._weights()  # noqa: SLF001 - the explainer reads the model it explains
    reading = learned.read([item], [rule_labels])
    proba, vote = reading.proba[0], reading.votes[0]
    order = np.argsort(-proba, kind="stable")[:top]
    best = 1 + int(np.argmax(proba[1:]))  # the likeliest theme, "none" aside
    normal = features.normalised([text])[0]
    contributions = features.theme_features([normal]).multiply(weights.theme[:, best].T).tocsr()
    names = features.theme_feature_names(normal)
    merged: dict[str, float] = {}
    for i, value in zip(contributions.indices, contributions.data, strict=True):
        name = names.get(int(i), "static vector" if i >= features.N_HASHED else f"bucket {i}")
        merged[name] = merged.get(name, 0.0) + float(value)
    labels = learned.decide(reading, [item], [rule_labels])[0]
    return Explanation(
        text=text, list_name=list_name, labeller=learned.learned_version(),
        labels=labels,
        top_themes=[(learned.CLASSES[k], round(float(proba[k]), 3)) for k in order],
        neighbour_votes=[(learned.CLASSES[k], round(float(vote[k]), 3))
                         for k in np.argsort(-vote, kind="stable")[:3] if vote[k] > 0],
        flip_probability=round(float(reading.flip[0]), 3),
        polarity_from_rules=bool(labels) and labels[0].theme in {lab.theme for lab in rule_labels},
        pushes=sorted(merged.items(), key=lambda kv: -abs(kv[1]))[:8],
        rule_labels=rule_labels,
        rule_mentions=[f"{m.theme}: '{normal[m.start:m.end]}'" for m in find_mentions(normal, list_name)],
    )
