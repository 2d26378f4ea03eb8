"""From scores to one of three outcomes: answer, suggest ("did you mean"), or none.

A confident wrong answer is the worst thing the bot can do, so "answer" needs both a high
score and a clear lead over the runner-up; anything plausible but unsure becomes a short
choice of topics; anything weak is an honest "I don't know".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..knowledge.model import KnowledgeBase
from .index import Index, Scored
from .normalize import has_latvian_letters, is_cyrillic

Outcome = Literal["answer", "suggest", "none"]


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Decision thresholds, chosen by `benchmarks/calibrate.py` on the knowledge base's own
    questions (5-fold) and out-of-domain examples — never on an evaluation set."""

    sure: float = 0.9  # above this the best topic is answered whatever the runner-up
    floor: float = 0.25  # below this nothing is answered outright
    floor_bare: float = 0.375  # the same for a query that does not name the role
    ratio: float = 0.15  # relative lead over the runner-up needed to answer ...
    ratio_agree: float = 0.05  # ... or this one when both signals pick the same topic
    suggest: float = 0.2  # below this: "I don't know"
    spread: float = 0.15  # suggestions: topics within this distance of the best
    min_info: float = 0.9  # a query of only very common words ("klienti") is not answered


@dataclass(frozen=True, slots=True)
class Decision:
    query: str
    lang: str
    outcome: Outcome
    topic: str | None
    score: float
    suggestions: tuple[Scored, ...]


class Matcher:
    """The matcher for one knowledge base: build once, ask many times, share freely."""

    def __init__(self, kb: KnowledgeBase, thresholds: Thresholds | None = None,
                 index: Index | None = None) -> None:
        self.kb = kb
        self.index = index or Index(kb)
        self.thresholds = thresholds or Thresholds()

    def reply_language(self, query: str, ranked: list[Scored], fallback: str) -> str:
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
        ranked = self.index.score(query)
        outcome, topic, picks = choose(ranked, self.thresholds)
        # Gibberish that matched nothing says nothing about language: keep the user's.
        lang = self.reply_language(query, ranked if outcome != "none" else [], fallback_lang)
        top = round(ranked[0].score, 4) if ranked else 0.0
        return Decision(query, lang, outcome, topic, top, picks)


def choose(
    ranked: list[Scored], th: Thresholds
) -> tuple[Outcome, str | None, tuple[Scored, ...]]:
    """The decision rule alone, on an already ranked list (pure; calibration uses it too)."""
    if not ranked or ranked[0].score < th.suggest:
        return "none", None, ()
    best = ranked[0]
    if best.foreign and best.score < th.sure:  # another occupation: not our topic
        return "none", None, ()
    lead = (best.score - (ranked[1].score if len(ranked) > 1 else 0.0)) / best.score
    exact_only = best.exact and not (len(ranked) > 1 and ranked[1].exact)
    if best.score >= th.sure or (
        best.score >= (th.floor if best.role else th.floor_bare)
        and best.info >= th.min_info
        and (lead >= th.ratio or (best.agree and lead >= th.ratio_agree) or exact_only)
    ):
        return "answer", best.topic, ()
    floor = max(th.suggest, best.score - th.spread)
    return "suggest", None, tuple(s for s in ranked[:3] if s.score >= floor)
