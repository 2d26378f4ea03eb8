"""What the bot says to a text or a button, independent of Telegram and of storage.

Both front ends (Telegram handlers, the terminal chat) call these functions with the
knowledge base being served and the user's language, and render the `Reply`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from . import replies
from .actions import Navigation, OpenSection, ShowMenu
from .english import looks_english
from .matcher.decide import Decision
from .matcher.normalize import fold
from .replies import Article, Reply
from .state import Served

MAX_INLINE_QUERY = 256  # characters of an inline query read (Telegram sends at most 256)
MAX_INLINE_RESULTS = 50  # Telegram's limit per answer
POPULAR_TOPICS = 10  # an empty inline query lists this many of the most asked topics
_SPACES = re.compile(r"\s+")


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


def stored_form(text: str) -> str:
    """A question as it is stored: folded as the matcher reads it (case, invisible marks),
    single-spaced (storage cuts it to its length)."""
    return _SPACES.sub(" ", fold(text)).strip()


def act(served: Served, action: Navigation, lang: str) -> Reply | None:
    """A menu or a topic pressed; None when it names nothing in the knowledge base being
    served (a section or topic a reload removed, filters a topic does not take)."""
    kb = served.kb
    if isinstance(action, ShowMenu):
        return replies.topics_reply(kb, lang)
    if isinstance(action, OpenSection):
        if any(s.id == action.section for s in kb.sections):
            return replies.section_reply(kb, action.section, lang)
        return None
    if action.topic not in kb.topics or (
            action.filters and not replies.known_filters(kb, action.topic, action.filters)):
        return None
    return replies.answer_reply(kb, action.topic, lang, back=action.from_menu,
                                filters=action.filters)


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


# -- inline mode ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Inline:
    """The answer to an inline query: articles, or (when nothing matched) none and a
    button that opens the bot."""

    lang: str
    articles: tuple[Article, ...]
    open_bot: str | None = None  # the button's label when nothing matched


def inline(served: Served, query: str, lang: str, popular: Sequence[str],
           bot_username: str) -> Inline:
    """Topics for `@bot <query>` in any chat: the plausible ones for a query (in the
    query's language); for an empty query the most asked topics (`popular`, most asked
    first), else the first topic of each section. Never small talk."""
    kb = served.kb
    text = query.strip()[:MAX_INLINE_QUERY]
    if text:
        ids = list(served.matcher.plausible(text))
        lang = served.matcher.reply_language(text, served.matcher.rank(text).index, lang)
    else:
        ids = [t for t in popular if t in kb.topics and not replies.is_small_talk(kb, t)]
        ids = ids[:POPULAR_TOPICS] or [s.topic_ids[0] for s in kb.sections
                                       if s.id != replies.CHAT_SECTION and s.topic_ids]
    # inline mode shares topics: small talk ("Sveiki!") is no article for another chat
    articles = tuple(replies.inline_article(kb, tid, lang, bot_username, text)
                     for tid in ids[:MAX_INLINE_RESULTS] if not replies.is_small_talk(kb, tid))
    return Inline(lang, articles, None if articles else replies.inline_open_bot_label(lang))
