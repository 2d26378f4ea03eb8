"""Both signals weighed into one order of topics, with the features that say how clear
that order is (pure: a ranking is a function of a message's signals and the index weight).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..knowledge.contract import SMALL_TALK
from .index import Scored
from .reading import Signals

FEATURES = ("best", "lead", "ood_gap", "index_best", "index_agree", "words", "role", "foreign",
            "refusal", "info", "cls_lead", "idx_lead")


@dataclass(frozen=True, slots=True)
class Ranking:
    """Both signals for one text, topics ordered by their combined score (best first)."""

    topics: tuple[str, ...]
    combined: tuple[float, ...]
    features: tuple[float, ...]
    index: tuple[Scored, ...]  # the fuzzy index's own ranking (for language and flags)
    ood_first: bool  # the classifier put "out of domain" above every topic
    foreign: bool  # the question names another occupation and not this role
    # The question says exactly what one of the best topic's examples says (and no other
    # topic's): the knowledge base answers it by its own words.
    exact: bool = False
    info: float = 0.0  # how much the question says (index weight of its known words)
    # The classifier puts this small-talk class above everything, out of domain included:
    # a greeting with a story around it is still a greeting (and a wrong greeting costs
    # the user nothing but a help text).
    small_talk_sure: bool = False
    # Only the role's name is known of what the question says: never answered outright.
    unknown_subject: bool = False

    @property
    def best(self) -> str | None:
        return self.topics[0] if self.topics else None


@lru_cache(maxsize=8)
def _small_talk_mask(classes: tuple[str, ...]) -> np.ndarray:
    return np.array([c in SMALL_TALK for c in classes])


@lru_cache(maxsize=8)
def _positions(classes: tuple[str, ...]) -> dict[str, int]:
    return {c: i for i, c in enumerate(classes)}


def rank(sig: Signals, index_weight: float) -> Ranking:
    """Topics ordered by classifier score + `index_weight` × index score, and the
    features that say how clear that order is (pure)."""
    s, classes, ood = sig.scores, sig.classes, sig.ood
    comb = s.copy()
    pos = _positions(classes)
    for r in sig.index:
        i = pos.get(r.topic)
        if i is not None:
            comb[i] += index_weight * r.score
    if ood >= 0:
        comb[ood] = -np.inf
    order = np.argsort(-comb)
    if ood >= 0:
        order = order[:-1]  # the out-of-domain class sorts last
    t1 = int(order[0])
    if classes[t1] not in SMALL_TALK:
        # Small talk never competes with a question: a greeting around it is set aside,
        # so it is neither the runner-up that makes the question look unsure nor a
        # suggestion.
        order = order[~_small_talk_mask(classes)[order]]
    t2 = int(order[1]) if len(order) > 1 else t1
    ood_score = float(s[ood]) if ood >= 0 else -1.0
    idx_best = next((r.score for r in sig.index if r.topic == classes[t1]), 0.0)
    # Each signal's own lead (the sum's lead can hide that only one of them is sure): the
    # classifier's over its runner-up, the index's over its best other topic.
    idx_other = next((r.score for r in sig.index if r.topic != classes[t1]), 0.0)
    others = s[order[1:]] if len(order) > 1 else s[order]
    feats = (
        float(comb[t1]),
        float(comb[t1] - comb[t2]),
        float(s[t1] - ood_score),
        float(idx_best),
        float(bool(sig.index) and sig.index[0].topic == classes[t1]),
        math.log1p(sig.words),
        float(sig.role),
        float(sig.foreign),
        sig.refusal,
        sig.index[0].info if sig.index else 0.0,
        float(s[t1] - others.max()),
        float(idx_best - idx_other),
    )
    return Ranking(
        topics=tuple(classes[i] for i in order[:8]),
        combined=tuple(float(comb[i]) for i in order[:8]),
        features=feats,
        index=sig.index,
        # (Of a text of function words only the classifier knows nothing, its intercepts
        # aside: when the index matched such a question of the knowledge base, it decides.)
        ood_first=ood >= 0 and int(np.argmax(s)) == ood
        and (sig.asked is None or int(np.argmax(sig.asked)) == ood)
        and not (sig.words == 0 and bool(sig.index)),
        # (not about a topic whose own examples name that occupation too)
        foreign=sig.foreign and classes[t1] not in sig.names_too,
        exact=bool(sig.index) and sig.index[0].exact and sig.index[0].topic == classes[t1]
        and not (len(sig.index) > 1 and sig.index[1].exact),
        info=sig.index[0].info if sig.index else 0.0,
        unknown_subject=bool(sig.index) and sig.index[0].unknown_subject,
        small_talk_sure=classes[t1] in SMALL_TALK and int(np.argmax(s)) == t1,
    )
