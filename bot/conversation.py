"""What the bot says to a text or a button, independent of Telegram and of storage.

Both front ends (Telegram handlers, the terminal chat) call these functions with the
knowledge base being served and the user's language, and render the `Reply`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from . import replies
from .english import looks_english
from .knowledge.listing_filters import key
from .knowledge.model import LANGS, KnowledgeBase
from .matcher.decide import Decision
from .replies import Reply
from .state import Served


@dataclass(frozen=True, slots=True)
class Answered:
    decision: Decision
    reply: Reply


def ask(served: Served, text: str, lang: str, fixed_lang: bool = False) -> Answered:
    """Answer a free-text question; the reply follows the language the user wrote in
    unless they fixed one with /language. A question in English is told first that the
    bot speaks Latvian and Russian only."""
    decision = served.matcher.decide(text, fallback_lang=lang)
    if fixed_lang and decision.lang != lang:
        decision = replace(decision, lang=lang)
    reply = replies.decision_reply(served.kb, decision)
    if looks_english(text):
        reply = replies.with_english_note(reply)
    return Answered(decision, reply)


def act(served: Served, action: str, lang: str) -> Reply | None:
    """A menu button: 'menu', 's:<section>', 't:<topic>' (a topic opened from a reply;
    't:<topic>~<filter>,…' for a salary topic offered with the question's filters),
    'mt:<topic>' (a topic opened from the menu). None when the action is unknown
    (forged or from an older knowledge base)."""
    kb = served.kb
    if action == "menu":
        return replies.topics_reply(kb, lang)
    if action.startswith("s:"):
        sid = action[2:]
        if any(s.id == sid for s in kb.sections):
            return replies.section_reply(kb, sid, lang)
        return None
    if action.startswith(("t:", "mt:")):
        tid, mark, carried = action.split(":", 1)[1].partition(replies.FILTER_MARK)
        filters = tuple(carried.split(",")) if mark else ()
        if tid not in kb.topics or (mark and not _known_filters(kb, tid, filters)):
            return None
        return replies.answer_reply(kb, tid, lang, back=action.startswith("mt:"),
                                    filters=filters)
    return None


def _known_filters(kb: KnowledgeBase, topic_id: str, filters: tuple[str, ...]) -> bool:
    """Filters a button may carry: one or two known ids, for a topic showing figures."""
    return (kb.topics[topic_id].facts == "salary" and 0 < len(filters) <= 2
            and key(filters) in kb.salary_subsets)


def salary(served: Served, lang: str) -> Reply:
    return replies.answer_reply(served.kb, "salary.overview", lang)


def language_for(code: str | None) -> tuple[str, bool]:
    """Reply language from Telegram's language_code, and whether it was a guess."""
    c = (code or "").lower().split("-")[0]
    if c == "lv":
        return "lv", False
    if c in ("ru", "uk", "be", "kk"):
        return "ru", False
    return "lv", True


def valid_lang(lang: str | None) -> str | None:
    return lang if lang in LANGS else None
