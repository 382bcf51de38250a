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
    top_themes: list[tuple[str, float]]  # class ("none" included) and probability, best first
    flip_probability: float
    polarity_from_rules: bool  # the cascade read the top label's theme too, so its cues set the polarity
    pushes: list[tuple[str, float]]  # n-gram (or the static vector) and its weight for the top theme
    rule_labels: tuple[Label, ...]
    rule_mentions: list[str]  # lexicon matches the rule cascade saw


def explain(text: str, list_name: str, *, top: int = 5) -> Explanation:
    weights = learned._weights()  # noqa: SLF001 - the explainer reads the model it explains
    normal = features.normalised([text])
    row = features.theme_features(normal)
    logits = (row @ weights.theme).toarray().ravel() + weights.theme_bias
    proba = np.exp(logits - logits.max())
    proba /= proba.sum()
    order = np.argsort(-proba, kind="stable")[:top]
    best = next(k for k in order if k != 0) if len(order) > 1 else int(order[0])
    contributions = row.multiply(weights.theme[:, best].T).tocsr()
    names = features.theme_feature_names(normal[0])
    pushes = sorted(((names.get(int(i), "static vector" if i >= features.N_HASHED else f"bucket {i}"),
                      float(v)) for i, v in zip(contributions.indices, contributions.data, strict=True)),
                    key=lambda kv: -abs(kv[1]))
    merged: dict[str, float] = {}
    for name, value in pushes:
        merged[name] = merged.get(name, 0.0) + value
    labels = learned.LearnedLabeller().label([(text, list_name)])[0]
    rule_labels = RuleLabeller().label([(text, list_name)])[0]
    flip_row = features.polarity_features(normal, [list_name]) @ weights.flip
    flip_logit = float(flip_row[0]) + weights.flip_bias
    return Explanation(
        text=text, list_name=list_name, labeller=learned.learned_version(),
        labels=labels,
        top_themes=[(learned.CLASSES[k], round(float(proba[k]), 3)) for k in order],
        flip_probability=round(1.0 / (1.0 + np.exp(-flip_logit)), 3),
        polarity_from_rules=bool(labels) and labels[0].theme in {lab.theme for lab in rule_labels},
        pushes=sorted(merged.items(), key=lambda kv: -abs(kv[1]))[:8],
        rule_labels=rule_labels,
        rule_mentions=[f"{m.theme}: '{normal[0][m.start:m.end]}'"
                       for m in find_mentions(normal[0], list_name)],
    )
