"""From a message to one of three outcomes: answer, suggest ("did you mean"), or none.

Two signals rank the topics: the classifier trained from the knowledge base at load
(classifier.py: the whole message at once, and an out-of-domain class) and the fuzzy
index (index.py: the nearest example question, typo-tolerant word matching). Their sum
ranks the topics; a logistic model over how clear that ranking is (its features and their
products) turns it into a probability that the best topic is right, and two thresholds on
that probability choose the outcome. The model's weights and the thresholds are fitted by
`benchmarks/calibrate.py` on questions the signals were not trained on (cross-validation
folds of the examples, `calibration.yaml`, held-out out-of-domain examples), never on an
evaluation set.

A confident wrong answer is the worst thing the bot can do; anything plausible but unsure
becomes a short choice of topics; anything weak is an honest "I don't know".

Messages with more than one thing in them are read in parts (segments.py): small talk
around a question does not hide the question, and a message that asks two things gets
the first answer and the second topic as a button (`Decision.also`).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

import numpy as np

from ..knowledge.contract import ABOUT_THE_BOT, SMALL_TALK
from ..knowledge.model import KnowledgeBase
from .classifier import TopicClassifier
from .index import Index, Scored
from .normalize import has_latvian_letters, is_cyrillic
from .ranking import FEATURES, Ranking, rank
from .reading import Reading, read, read_clauses, signals, small_talk_words

Outcome = Literal["answer", "suggest", "none"]

@dataclass(frozen=True, slots=True)
class Confidence:
    """How the signals become a decision. Fitted by `benchmarks/calibrate.py`."""

    index_weight: float = 2.0  # the index score's weight beside the classifier's
    # The model reads each feature (ranking.FEATURES) standardized: less this centre, over
    # this scale (their mean and deviation on the calibration trials). Tuples are written
    # by `benchmarks/calibrate.py`'s recommendation, wrapped.
    center: tuple[float, ...] = (
        0.696, 0.991, 1.0, 0.337, 0.761, 2.164, 0.534, 0.028, -0.918, 11.189, 0.699, 0.097
    )
    scale: tuple[float, ...] = (
        0.874, 0.851, 1.044, 0.185, 0.426, 0.572, 0.499, 0.165, 0.721, 6.138, 0.651, 0.145
    )
    # One per term (`terms`): each feature, then each product of two different ones — a
    # clear lead means more when the question also says much (the features' interactions
    # separate right from wrong far better than their sum).
    weights: tuple[float, ...] = (
        -0.422, 0.936, 0.337, 1.461, 0.074, 0.295, 0.205, -0.249, -0.935, 0.66, 1.224, -0.352, 0.015,
        -0.731, 0.137, 0.138, 0.414, 0.124, 0.2, 0.179, 0.282, -0.181, -0.435, 0.302, -0.031, -0.286, 0.207,
        0.261, -0.159, -0.486, -0.003, 0.147, -0.012, 0.695, 0.244, -0.06, 0.2, 0.069, 0.409, -0.154, 0.123,
        -0.586, 0.021, -0.009, -0.097, -0.139, 0.022, 0.171, -0.082, 0.024, 0.079, 0.044, 0.055, 0.136,
        0.042, -0.067, 0.134, 0.327, 0.003, -0.314, 0.237, 0.167, -0.357, 0.158, 0.493, -0.026, -0.232,
        -0.182, 0.197, 0.055, -0.133, -0.033, 0.074, -0.082, -0.329, 0.0, -0.128, 0.405
    )
    bias: float = 1.729
    answer: float = 0.75  # P(best topic is right) needed to answer
    suggest: float = 0.2  # below this: "I don't know"
    spread: float = 0.5  # suggestions: topics within this combined score of the best
    also: float = 0.75  # a clause's lead over its runner-up to count as a question of its own
    # A question of only very common words ("klienti", "menedžeris") is never answered
    # outright: the index's weight of its known words must reach this.
    min_info: float = 0.9
    # No other topic within the spread: the one topic left is answered from this P on (a
    # "did you mean" with a single choice only asks for a tap).
    alone: float = 0.75


@dataclass(frozen=True, slots=True)
class Decision:
    query: str
    lang: str
    outcome: Outcome
    topic: str | None
    score: float  # P(the best topic is right)
    suggestions: tuple[Scored, ...]
    also: tuple[str, ...] = field(default=())  # more topics the message asks about


# The whole message leads its runner-up by this much: it is about its best topic, whatever
# another clause asks first ("Жена — кассир в банке, ей предлагают стать клиентским
# менеджером. Чем она будет заниматься? Придётся ли продавать кредиты?" is about a bank).
_WHOLE_LEADS = 0.75
_CLIP = 4.0  # standardized features beyond this many deviations read as this many
_REFUSAL = FEATURES.index("refusal")  # the refusal model's margin (> 0: off-topic)


def about_the_job(r: Ranking) -> bool:
    """The refusal model puts the message beyond its margin on the job's side (decision
    value <= -1): unsure which topic is not unsure whether it is about the job."""
    return r.features[_REFUSAL] <= -1.0


def terms(features: tuple[float, ...], center: tuple[float, ...], scale: tuple[float, ...]
          ) -> list[float]:
    """The logistic model's inputs: each standardized feature (clipped, so that a message
    unlike any calibration trial cannot multiply its way to certainty), then the product
    of every two different ones, in the order of sklearn's PolynomialFeatures
    (interaction_only). No squares: a square makes both ends of one feature look alike —
    it read a one-word message as surely as a forty-word one."""
    z = [max(-_CLIP, min(_CLIP, (x - m) / s))
         for x, m, s in zip(features, center, scale, strict=True)]
    out = list(z)
    for i, zi in enumerate(z):
        out.extend(zi * zj for zj in z[i + 1:])
    return out


@lru_cache(maxsize=8)
def _quadratic(center: tuple[float, ...], scale: tuple[float, ...], weights: tuple[float, ...]
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The model as arrays: centre, 1 / scale, the linear weights and the symmetric matrix
    of the products' weights (z·M·z is the sum of the products' terms)."""
    n = len(center)
    upper = np.zeros((n, n))
    upper[np.triu_indices(n, 1)] = weights[n:]  # row by row, as `terms` lists the products
    return (np.array(center), 1.0 / np.array(scale), np.array(weights[:n]),
            (upper + upper.T) / 2.0)


def probability(features: tuple[float, ...], c: Confidence) -> float:
    """The logistic model: P(the best topic is the right one) — the weighted sum of
    `terms`, computed as two small matrix products (half the time of the sum)."""
    center, inv_scale, linear, products = _quadratic(c.center, c.scale, c.weights)
    z = ((np.array(features) - center) * inv_scale).clip(-_CLIP, _CLIP)
    logit = c.bias + float(z @ (linear + products @ z))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, logit))))


@dataclass(frozen=True, slots=True)
class Verdict:
    """The decision on a reading, before it is dressed as a reply."""

    outcome: Outcome
    topic: str | None
    p: float
    picks: tuple[Scored, ...]
    also: tuple[str, ...]
    ranking: Ranking


@dataclass(frozen=True, slots=True)
class Arranged:
    """A reading's rankings for one index weight (what `conclude` needs besides the
    thresholds; calibration computes it once per weight and tries many thresholds)."""

    whole: Ranking
    rest: Ranking | None
    clauses: tuple[tuple[Ranking, bool], ...]


def arrange(reading: Reading, index_weight: float) -> Arranged:
    return Arranged(
        rank(reading.whole, index_weight),
        rank(reading.rest, index_weight) if reading.rest is not None else None,
        tuple((rank(sig, index_weight), asks) for sig, asks in reading.clauses),
    )


def deciding(a: Arranged) -> Ranking:
    """The ranking that decides: the question's, when small talk was set aside around it."""
    return a.rest if a.rest is not None else a.whole


def confidence_of(a: Arranged, c: Confidence) -> float:
    """P(the deciding ranking's best topic is right) under c's model (0 with no topic)."""
    r = deciding(a)
    return probability(r.features, c) if r.topics else 0.0


def conclude(reading: Reading | Arranged, c: Confidence, p: float | None = None) -> Verdict:
    """The whole decision on a reading (pure: calibration replays it for every candidate
    confidence model, passing `p` — `confidence_of` under c's model — when it tries many
    thresholds on one model)."""
    a = reading if isinstance(reading, Arranged) else arrange(reading, c.index_weight)
    r = deciding(a)  # small talk around a question: the question decides
    if p is None:
        p = confidence_of(a, c)
    # Small talk alone is answered on the classifier's word; beside a question only on
    # the usual confidence ("Sveiki! Kā audzēt tomātus?" is an off-topic question).
    outcome, topic, picks = choose(r, p, c, small_talk_alone=a.rest is None)
    also: tuple[str, ...] = ()
    if outcome == "answer" and topic is not None:
        topic, also = two_questions(a.clauses, r, topic, c)
    elif (len(r.topics) > 1 and not r.foreign and r.info >= c.min_info and p >= c.suggest
          and (not r.ood_first or clauses_in_domain(a))):
        # Unsure between two topics because the message asks about both ("plusi un
        # mīnusi"): when its clauses say so clearly, answer the first and offer the second
        # — not when it is too unsure even for a "did you mean". (Two topics' words at once
        # can read as off-topic to the classifier — "какие обязанности и какая зарплата?"
        # is like no single example — so a message whose every clause is about the job is
        # not refused for what the whole looks like.)
        first, rest = two_questions(a.clauses, r, r.topics[0], c)
        # (Its clauses ask about its two best topics; only about its best when the whole
        # reads as off-topic, its order beyond that saying little.)
        if rest and {first, *rest} >= set(r.topics[:1 if r.ood_first else 2]):
            return Verdict("answer", first, p, (), rest, r)
    return Verdict(outcome, topic, p, picks, also, r)


def clauses_in_domain(a: Arranged) -> bool:
    """The message has clauses, and the classifier puts every one of them on a topic of
    the job rather than off-topic."""
    return bool(a.clauses) and not any(r.ood_first for r, _ in a.clauses)


def two_questions(parts: tuple[tuple[Ranking, bool], ...], whole: Ranking, topic: str,
                  c: Confidence) -> tuple[str, tuple[str, ...]]:
    """The answer and the other topics the message's clauses clearly ask about (at most
    two), when one clause asks about the answer itself. The first question asked leads
    only when its clause is worded as a question ("ko dara …, un cik maksā?"): a clause
    such as "klientu menedžeris" alone can mislead, the whole message less — and not when
    the whole message leads clearly to the answer (`_WHOLE_LEADS`)."""
    found: list[tuple[str, bool]] = []
    near = whole.topics[:3]
    for r, asks in parts:
        if (r.best is None or r.ood_first or r.best in SMALL_TALK or r.best == ABOUT_THE_BOT
                or r.best in dict(found)):
            continue
        lead = r.combined[0] - r.combined[1] if len(r.combined) > 1 else r.combined[0]
        if lead >= c.also and r.best in near:
            found.append((r.best, asks))
    if topic not in dict(found) or len(found) < 2:
        return topic, ()
    first, first_asks = found[0]
    # A bare list of topics ("plusi un mīnusi", "pienākumi un alga", also after a heading
    # or a line about the writer: "профессия аккаунт-менеджер: плюсы и минусы"): no clause
    # is worded as a question; the first listed leads, as the first question asked does.
    listed = not any(asks for _, asks in parts)
    # A question asked first leads, unless the whole message is clearly about the answer.
    # (Not when the whole reads as off-topic: then only its clauses speak for it.)
    sure = (topic == whole.best and not whole.ood_first
            and whole.combined[0] - whole.combined[1] >= _WHOLE_LEADS)
    lead_topic = first if listed or (first_asks and not sure) else topic
    return lead_topic, tuple(t for t, _ in found if t != lead_topic)[:2]


class Matcher:
    """The matcher for one knowledge base: build once (training included), ask many
    times, share freely."""

    def __init__(self, kb: KnowledgeBase, confidence: Confidence | None = None,
                 index: Index | None = None, classifier: TopicClassifier | None = None) -> None:
        self.kb = kb
        self.index = index or Index(kb)
        self.classifier = classifier or TopicClassifier.train(kb)
        self.confidence = confidence or Confidence()
        self.small_talk = small_talk_words(kb)

    def read(self, text: str, with_clauses: bool = True) -> Reading:
        return read(self.index, self.classifier, text, self.small_talk, with_clauses)

    def rank(self, text: str) -> Ranking:
        """Topics for a text, best first (both signals, the whole text)."""
        return rank(signals(self.index, self.classifier, text), self.confidence.index_weight)

    def plausible(self, text: str, limit: int = 10) -> tuple[str, ...]:
        """Topics worth listing for a text (inline mode): the best ones within the
        suggestion spread, none when the text is off-topic or matches nothing."""
        v = conclude(self.read(text), self.confidence)
        r = v.ranking
        # (Unsure of the topic but plainly about the job lists them, as `choose` offers them.)
        unsure = v.p < self.confidence.suggest and not about_the_job(r)
        if not r.topics or r.ood_first or r.foreign or unsure:
            return ()
        top = r.combined[0]
        return tuple(t for t, sc in zip(r.topics, r.combined, strict=False)
                     if sc >= top - self.confidence.spread)[:limit]

    def reply_language(self, query: str, ranked: tuple[Scored, ...], fallback: str) -> str:
        """Cyrillic → ru; Latvian letters → lv; else word evidence, else the best example
        (pass no ranking when the match is too weak to say anything about language)."""
        if is_cyrillic(query):
            return "ru"
        if has_latvian_letters(query):
            return "lv"
        lv, ru = self.index.language_votes(query)
        if abs(lv - ru) >= 0.5:
            return "lv" if lv > ru else "ru"
        if ranked:
            return ranked[0].lang
        if lv != ru:
            return "lv" if lv > ru else "ru"
        return fallback

    def decide(self, query: str, fallback_lang: str = "lv") -> Decision:
        c = self.confidence
        arranged = arrange(self.read(query, with_clauses=False), c.index_weight)
        v = conclude(arranged, c)
        r = v.ranking
        # It may ask two things — unless it is refused and its clauses could not change that
        # (another occupation, or too unsure even for a "did you mean": see `conclude`).
        if v.outcome != "none" or (not r.foreign and v.p >= c.suggest):
            found = read_clauses(self.classifier, query)
            if found:  # the whole message's rankings stay; only its clauses are added
                v = conclude(dataclasses.replace(arranged, clauses=tuple(
                    (rank(sig, c.index_weight), asks) for sig, asks in found)), c)
        # Gibberish that matched nothing says nothing about language: keep the user's.
        lang = self.reply_language(query, v.ranking.index if v.outcome != "none" else (),
                                   fallback_lang)
        return Decision(query, lang, v.outcome, v.topic, round(v.p, 4), v.picks, v.also)


def choose(ranking: Ranking, p: float, c: Confidence, small_talk_alone: bool = True
           ) -> tuple[Outcome, str | None, tuple[Scored, ...]]:
    """The three outcomes from a ranking and its probability (pure)."""
    if not ranking.topics:
        return "none", None, ()
    best = ranking.topics[0]
    if ranking.exact and ranking.info >= c.min_info:
        return "answer", best, ()
    if ranking.ood_first or ranking.foreign:
        return "none", None, ()
    sure = ranking.info >= c.min_info and not ranking.unknown_subject
    # Small talk alone is answered on the classifier's word, but not below the "did you
    # mean" threshold: a greeting and a line about the writer around a question the
    # classifier never saw ("Labdien. <an off-topic query> Esmu no Daugavpils. Paldies!")
    # read as small talk too, and there P says the greeting is unlikely all there is. (Of
    # the held-out examples and calibration questions given small talk at P < 0.2, 15 of
    # 18 asked an off-topic or job question.)
    if (p >= c.answer and sure) or (
            small_talk_alone and best in SMALL_TALK and ranking.small_talk_sure
            and p >= c.suggest):
        return "answer", best, ()
    # Unsure of the best topic is not unsure of the domain: a message the refusal model
    # puts beyond its margin on the job's side ("что за должность — менеджер по работе с
    # клиентами?", read two ways by the two signals) gets a choice, not "I don't know".
    # (A vague question about the job's words gets a choice too.)
    if p < c.suggest and ranking.info >= c.min_info and not about_the_job(ranking):
        return "none", None, ()
    top = ranking.combined[0]
    # No "did you mean: Goodbye?": small talk is answered or left out, never offered (a
    # question that shares a word with a goodbye — "работает по выходным?", "хороших
    # выходных" — is offered the topics after it, or told "I don't know").
    picks = tuple(
        Scored(t, sc, "", "") for t, sc in zip(ranking.topics, ranking.combined, strict=False)
        if sc >= top - c.spread and t not in SMALL_TALK
    )[:3]
    if not picks:  # only small talk is plausible: a greeting's answer costs nothing if wrong
        return ("answer", best, ()) if best in SMALL_TALK and p >= c.suggest else ("none", None, ())
    if len(picks) == 1 and picks[0].topic == best and p >= c.alone and sure:
        return "answer", best, ()  # "did you mean" with one topic only: that topic
    return "suggest", None, picks
