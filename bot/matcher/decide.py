"""From a message to one of three outcomes: answer, suggest ("did you mean"), or none.

Two signals rank the topics: the classifier trained from the knowledge base at load
(classifier.py: the whole message at once, and an out-of-domain class) and the fuzzy
index (index.py: the nearest example question, typo-tolerant word matching). Their sum
ranks the topics; a small logistic model over how clear that ranking is turns it into a
probability that the best topic is right, and two thresholds on that probability choose
the outcome. The model's weights and the thresholds are fitted by `benchmarks/calibrate.py`
on questions the signals were not trained on (cross-validation folds of the examples,
`calibration.yaml`, held-out out-of-domain examples), never on an evaluation set.

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

from ..knowledge.model import LANGS, KnowledgeBase
from .classifier import TopicClassifier, model_text
from .index import Index, Scored
from .normalize import has_latvian_letters, is_cyrillic
from .roles import ROLE_WORDS, names_occupation
from .segments import clauses, is_question, question_part, sentences

Outcome = Literal["answer", "suggest", "none"]

# Small talk that may stand around a question; chat.about ("what can you do?") is a
# question of its own.
SMALL_TALK = frozenset({"chat.greeting", "chat.thanks", "chat.goodbye"})

FEATURES = ("best", "lead", "ood_gap", "index_best", "index_agree", "words", "role", "foreign",
            "refusal")


@dataclass(frozen=True, slots=True)
class Confidence:
    """How the signals become a decision. Fitted by `benchmarks/calibrate.py`."""

    index_weight: float = 1.0  # the index score's weight beside the classifier's
    # One per FEATURES entry.
    weights: tuple[float, ...] = (-0.24, 2.35, 0.33, 2.8, 0.63, 0.49, 0.3, -0.99, -1.12)
    bias: float = -4.49
    answer: float = 0.7  # P(best topic is right) needed to answer
    suggest: float = 0.2  # below this: "I don't know"
    spread: float = 0.5  # suggestions: topics within this combined score of the best
    also: float = 0.5  # a clause's lead over its runner-up to count as a question of its own
    # A question of only very common words ("klienti", "menedžeris") is never answered
    # outright: the index's weight of its known words must reach this.
    min_info: float = 0.9


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

    @property
    def best(self) -> str | None:
        return self.topics[0] if self.topics else None


@dataclass(frozen=True, slots=True)
class Decision:
    query: str
    lang: str
    outcome: Outcome
    topic: str | None
    score: float  # P(the best topic is right)
    suggestions: tuple[Scored, ...]
    also: tuple[str, ...] = field(default=())  # more topics the message asks about


def probability(features: tuple[float, ...], c: Confidence) -> float:
    """The logistic model: P(the best topic is the right one)."""
    z = c.bias + sum(w * x for w, x in zip(c.weights, features, strict=True))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass(frozen=True, slots=True)
class Signals:
    """What both models say about one text, before they are weighed together."""

    classes: tuple[str, ...]
    ood: int  # position of the out-of-domain class in `classes` (-1: none)
    scores: np.ndarray  # classifier decision values, one per class
    index: tuple[Scored, ...]  # the fuzzy index's ranking
    words: int  # content words in the text: a long message spreads its scores thinner
    role: bool  # the text names the role (any of its names, or a bare "manager")
    foreign: bool  # its question names another occupation, and the message not this role
    # Classifier scores of the question sentences alone, when the text has other sentences
    # too (a story's everyday words also fill the off-topic examples: the question decides
    # whether the message is off-topic).
    asked: np.ndarray | None = None
    refusal: float = 0.0  # the refusal model's margin (> 0: off-topic), the question's own if lower


def signals(index: Index, classifier: TopicClassifier, text: str,
            with_index: bool = True) -> Signals:
    """Both signals for a text (calibration calls this with models trained on folds). The
    classifier reads the whole message; the index, which matches single example questions,
    reads only its question sentences when it has other sentences too."""
    part = question_part(text)
    asked = part or text
    ranked = tuple(index.score(asked)) if with_index else ()
    skeleton = model_text(text)
    words = skeleton.split()
    asked_skeleton = model_text(asked) if part else skeleton
    role = any(w in ROLE_WORDS for w in words)
    # Another occupation in the question, and this role nowhere in the message.
    foreign = not role and names_occupation(asked)
    values = classifier.decide_of(skeleton)
    asked_values = classifier.decide_of(asked_skeleton) if part else None
    refusal = float(values[-1] if asked_values is None else min(values[-1], asked_values[-1]))
    return Signals(classifier.classes, classifier.ood, values[:-1], ranked,
                   len(words), role, foreign,
                   asked_values[:-1] if asked_values is not None else None, refusal)


@lru_cache(maxsize=8)
def _small_talk_mask(classes: tuple[str, ...]) -> np.ndarray:
    return np.array([c in SMALL_TALK for c in classes])


def rank(sig: Signals, index_weight: float) -> Ranking:
    """Topics ordered by classifier score + `index_weight` × index score, and the
    features that say how clear that order is (pure)."""
    s, classes, ood = sig.scores, sig.classes, sig.ood
    comb = s.copy()
    pos = {c: i for i, c in enumerate(classes)}
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
    )
    return Ranking(
        topics=tuple(classes[i] for i in order[:8]),
        combined=tuple(float(comb[i]) for i in order[:8]),
        features=feats,
        index=sig.index,
        ood_first=ood >= 0 and int(np.argmax(s)) == ood
        and (sig.asked is None or int(np.argmax(sig.asked)) == ood),
        foreign=sig.foreign,
        exact=bool(sig.index) and sig.index[0].exact and sig.index[0].topic == classes[t1]
        and not (len(sig.index) > 1 and sig.index[1].exact),
        info=sig.index[0].info if sig.index else 0.0,
        small_talk_sure=classes[t1] in SMALL_TALK and int(np.argmax(s)) == t1,
    )


@dataclass(frozen=True, slots=True)
class Reading:
    """Everything the models say about one message, in the parts the decision needs:
    computed once (models required), decided on many times (pure, see `conclude`)."""

    whole: Signals
    # The message without its small-talk words, when small talk leads and a question is
    # left ("Sveiki! ... Kādi ir pienākumi? Paldies!"); None otherwise.
    rest: Signals | None
    # Each clause of the question sentences (classifier only), when there are two or more,
    # and whether the clause is itself worded as a question: "plusi un mīnusi", "what are
    # the duties, and how much do they pay?".
    clauses: tuple[tuple[Signals, bool], ...]


def small_talk_words(kb: KnowledgeBase) -> frozenset[str]:
    """Words (skeleton form) that the knowledge base uses only in small talk: "sveiki",
    "paldies", "привет", "пока"… — what a greeting or thanks adds around a question."""
    talk: set[str] = set()
    other: set[str] = set()
    for tid, t in kb.topics.items():
        for lang in LANGS:
            for q in (t.title.get(lang), *t.questions[lang]):
                (talk if tid in SMALL_TALK else other).update(model_text(q).split())
    return frozenset(talk - other)


def without_small_talk(text: str, talk: frozenset[str]) -> str | None:
    """The message without its small-talk words, or None when it has none or nothing else
    ("Sveiki! Kādi ir pienākumi? Paldies!" → "Kādi ir pienākumi?")."""
    kept, dropped = [], False
    for word in text.split():
        skeleton = model_text(word).split()
        if skeleton and all(w in talk for w in skeleton):
            dropped = True
        else:
            kept.append(word)
    rest = " ".join(kept)
    return rest if dropped and model_text(rest) else None


def read(index: Index, classifier: TopicClassifier, text: str,
         talk: frozenset[str] = frozenset(), with_clauses: bool = True) -> Reading:
    """Both signals for the whole message and for the parts that may matter (`talk`: the
    knowledge base's small-talk words, see `small_talk_words`). Without `with_clauses`
    the clauses are left for `read_clauses`, wanted only when the message is answered."""
    whole = signals(index, classifier, text)
    rest = None
    if _small_talk_first(whole):
        stripped = without_small_talk(text, talk)
        if stripped is not None and is_question(stripped):
            rest = signals(index, classifier, stripped)
    return Reading(whole, rest, read_clauses(classifier, text) if with_clauses else ())


_MAX_CLAUSES = 6  # two questions are asked side by side, not ten clauses apart


def read_clauses(classifier: TopicClassifier, text: str) -> tuple[tuple[Signals, bool], ...]:
    """The classifier's view of each clause of the question sentences (of every sentence
    when none reads as a question: "plusi un mīnusi"), when there are two or more, and
    whether each is worded as a question."""
    parts = sentences(text)
    asked = [s for s in parts if s.question] or list(parts)
    pieces = [cl for s in asked for cl in clauses(s.text)][:_MAX_CLAUSES]
    if len(pieces) < 2:
        return ()
    out = []
    for cl in pieces:
        values = classifier.decide_of(model_text(cl))
        out.append((Signals(classifier.classes, classifier.ood, values[:-1], (), 0, False, False,
                            None, float(values[-1])), is_question(cl)))
    return tuple(out)


def _small_talk_first(sig: Signals) -> bool:
    """Small talk leads by either signal (the classifier over topics, or the index)."""
    s = sig.scores.copy()
    if sig.ood >= 0:
        s[sig.ood] = -np.inf
    return sig.classes[int(np.argmax(s))] in SMALL_TALK or (
        bool(sig.index) and sig.index[0].topic in SMALL_TALK)


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


def conclude(reading: Reading | Arranged, c: Confidence) -> Verdict:
    """The whole decision on a reading (pure: calibration replays it for every candidate
    confidence model)."""
    a = reading if isinstance(reading, Arranged) else arrange(reading, c.index_weight)
    r = a.whole
    if a.rest is not None and r.best in SMALL_TALK:
        r = a.rest  # small talk around a question: the question decides
    p = probability(r.features, c) if r.topics else 0.0
    # Small talk alone is answered on the classifier's word; beside a question only on
    # the usual confidence ("Sveiki! Kā audzēt tomātus?" is an off-topic question).
    outcome, topic, picks = choose(r, p, c, small_talk_alone=a.rest is None)
    also: tuple[str, ...] = ()
    if outcome == "answer" and topic is not None:
        topic, also = two_questions(a.clauses, r, topic, c)
    elif outcome == "suggest" and len(r.topics) > 1 and not r.ood_first and not r.foreign:
        # Unsure between two topics because the message asks about both ("plusi un
        # mīnusi"): when its clauses say so clearly, answer the first and offer the second.
        first, rest = two_questions(a.clauses, r, r.topics[0], c)
        if rest and {first, *rest} >= set(r.topics[:2]):
            return Verdict("answer", first, p, (), rest, r)
    return Verdict(outcome, topic, p, picks, also, r)


def two_questions(parts: tuple[tuple[Ranking, bool], ...], whole: Ranking, topic: str,
                  c: Confidence) -> tuple[str, tuple[str, ...]]:
    """The answer and the other topics the message's clauses clearly ask about (at most
    two), when one clause asks about the answer itself. The first question asked leads
    only when its clause is worded as a question ("ko dara …, un cik maksā?"): a clause
    such as "klientu menedžeris" alone can mislead, the whole message less."""
    found: list[tuple[str, bool]] = []
    near = whole.topics[:3]
    for r, asks in parts:
        if r.best is None or r.ood_first or r.best in SMALL_TALK or r.best in dict(found):
            continue
        lead = r.combined[0] - r.combined[1] if len(r.combined) > 1 else r.combined[0]
        if lead >= c.also and r.best in near:
            found.append((r.best, asks))
    if topic not in dict(found) or len(found) < 2:
        return topic, ()
    first, first_asks = found[0]
    lead_topic = first if first_asks else topic
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
        if not r.topics or r.ood_first or r.foreign or v.p < self.confidence.suggest:
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
        reading = self.read(query, with_clauses=False)
        v = conclude(reading, self.confidence)
        if v.outcome != "none":  # only a message that is understood can ask two things
            found = read_clauses(self.classifier, query)
            if found:
                v = conclude(dataclasses.replace(reading, clauses=found), self.confidence)
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
    if (p >= c.answer and ranking.info >= c.min_info) or (
            small_talk_alone and best in SMALL_TALK and ranking.small_talk_sure):
        return "answer", best, ()
    if p < c.suggest and ranking.info >= c.min_info:
        return "none", None, ()  # (a vague question about the job's words still gets a choice)
    top = ranking.combined[0]
    picks = tuple(
        Scored(t, sc, "", "") for t, sc in zip(ranking.topics[:3], ranking.combined[:3], strict=False)
        if sc >= top - c.spread
    )
    return "suggest", None, picks
