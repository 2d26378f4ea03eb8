"""Turn a matcher decision (or a menu request) into texts and buttons in one locale.

Pure functions: no Telegram import, no I/O. The Telegram adapter and the terminal chat
both render these `Reply` objects. Texts are HTML-escaped here, once, so nothing a user or
an admin typed can break Telegram's formatting.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from .i18n import N_, gettext_for, ngettext_for
from .knowledge.listing_filters import key as filter_key
from .knowledge.model import KnowledgeBase
from .knowledge.salary import subset_text
from .matcher.decide import Decision
from .salary_filter import read_filter

MAX_MESSAGE = 4096
_PAYLOAD_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True, slots=True)
class Button:
    """A button: its label and an action id (callback data: ASCII ids, ≤ 64 bytes)."""

    label: str
    action: str


@dataclass(frozen=True, slots=True)
class Reply:
    text: str  # Telegram HTML
    buttons: tuple[tuple[Button, ...], ...] = ()
    lang: str = "lv"
    topic: str | None = None
    # The salary filters the question named and the figures follow ("bank", "no_experience").
    salary_filter: tuple[str, ...] = ()


def _(lang: str, message: str) -> str:
    return gettext_for(lang, message)


# -- deep links ------------------------------------------------------------------------


def topic_payload(topic_id: str) -> str:
    """Deep-link payload of a topic: '.' is not in Telegram's alphabet, '-' is."""
    return topic_id.replace(".", "-")


def parse_payload(payload: str, kb: KnowledgeBase) -> tuple[str | None, str | None]:
    """(topic id, language) named by a /start payload; (None, None) if it names nothing."""
    if not _PAYLOAD_RE.match(payload or ""):
        return None, None
    if payload in ("lv", "ru"):
        return None, payload
    tid = payload.replace("-", ".", 1)
    return (tid, None) if tid in kb.topics else (None, None)


def deep_link(bot_username: str, topic_id: str) -> str:
    return f"https://t.me/{bot_username}?start={topic_payload(topic_id)}"


# -- building blocks -------------------------------------------------------------------


def split_message(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split on paragraph boundaries (then lines, then hard) so each part fits Telegram."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for para in text.split("\n\n"):
        chunks = [para]
        if len(para) > limit:
            chunks = []
            line_buf = ""
            for line in para.split("\n"):
                pieces = []
                while len(line) > limit:  # hard cut, but keep the pieces in order
                    cut = _safe_cut(line, limit)
                    pieces.append(line[:cut])
                    line = line[cut:]
                for piece in (*pieces, line):
                    if line_buf and len(line_buf) + len(piece) + 1 > limit:
                        chunks.append(line_buf)
                        line_buf = piece
                    else:
                        line_buf = f"{line_buf}\n{piece}" if line_buf else piece
            if line_buf:
                chunks.append(line_buf)
        for chunk in chunks:
            if not current:
                current = chunk
            elif len(current) + 2 + len(chunk) <= limit:
                current = f"{current}\n\n{chunk}"
            else:
                parts.append(current)
                current = chunk
    if current:
        parts.append(current)
    return [p for p in parts if p.strip()]  # Telegram refuses an empty message


def _safe_cut(line: str, limit: int) -> int:
    """Where to hard-cut a line longer than `limit`: never inside an HTML tag or entity
    (the part would not parse), preferably at a space."""
    cut = limit
    amp = line.rfind("&", max(0, cut - 10), cut)
    if amp > 0 and ";" not in line[amp:cut]:
        cut = amp
    lt = line.rfind("<", 0, cut)
    if lt > 0 and ">" not in line[lt:cut]:
        cut = lt
    space = line.rfind(" ", max(0, cut - limit // 4), cut)
    return space + 1 if space > 0 else cut


FILTER_MARK = "~"  # t:<topic>~<filter>,<filter>: a salary topic with the question's filters


def _topic_button(kb: KnowledgeBase, topic_id: str, lang: str,
                  filters: tuple[str, ...] = ()) -> Button:
    tail = FILTER_MARK + ",".join(filters) if filters else ""
    return Button(kb.topics[topic_id].title.get(lang), f"t:{topic_id}{tail}")


def sections_keyboard(kb: KnowledgeBase, lang: str) -> tuple[tuple[Button, ...], ...]:
    """Two section buttons per row, chat small talk left out of the menu."""
    buttons = [Button(s.title.get(lang), f"s:{s.id}") for s in kb.sections if s.id != "chat"]
    return tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))


# -- replies ---------------------------------------------------------------------------


def salary_filters(kb: KnowledgeBase, topic_id: str, query: str) -> tuple[str, ...]:
    """The filters a question names that a topic's answer follows: only a topic showing
    salary figures does, and at most two filters apply (the figures of every filter and
    pair of filters are computed at load)."""
    if kb.topics[topic_id].facts != "salary" or kb.salary_facts is None:
        return ()
    return read_filter(query)[:2]


def salary_answer(kb: KnowledgeBase, topic_id: str, lang: str,
                  query: str) -> tuple[str, tuple[str, ...]] | None:
    """The answer of a topic showing salary figures, computed over the listings the question
    names ("в банке", "bez pieredzes"), and the filters applied; None when the topic shows
    no figures or the question names no filter."""
    return filtered_answer(kb, topic_id, lang, salary_filters(kb, topic_id, query))


def filtered_answer(kb: KnowledgeBase, topic_id: str, lang: str,
                    filters: tuple[str, ...]) -> tuple[str, tuple[str, ...]] | None:
    """A salary topic's answer over the listings of known filters (None: nothing to do)."""
    subset = kb.salary_subsets.get(filter_key(filters)) if filters else None
    if subset is None or kb.salary_facts is None or kb.topics[topic_id].facts != "salary":
        return None
    text = (subset_text(filters, subset, kb.salary_facts, lang) + "\n\n"
            + kb.topics[topic_id].answer.get(lang))
    return text, filters


def answer_reply(kb: KnowledgeBase, topic_id: str, lang: str, back: bool = False,
                 query: str | None = None, filters: tuple[str, ...] = (),
                 also: tuple[str, ...] = ()) -> Reply:
    """Title in bold, the excerpt, related topics, feedback and share buttons (and a way
    back to the section when it was opened from the menu). A salary answer follows the
    filter the user's question names (or the filters a "did you mean" button carried).
    `also`: more topics the question asked about, offered first, with a line that says so."""
    t = kb.topics[topic_id]
    if query and not filters:
        filters = salary_filters(kb, topic_id, query)
    filtered = filtered_answer(kb, topic_id, lang, filters)
    body, filters = filtered if filtered else (kb.answer(topic_id, lang), ())
    text = f"<b>{html.escape(t.title.get(lang))}</b>\n\n{html.escape(body)}"
    also = tuple(a for a in also if a in kb.topics and a != topic_id)
    if also:
        titles = ", ".join(f"„{kb.topics[a].title.get(lang)}”" if lang == "lv"
                           else f"«{kb.topics[a].title.get(lang)}»" for a in also)
        text += "\n\n" + html.escape(_(lang, "You also asked about {topics}: tap below.")
                                      .format(topics=titles))
    rows: list[tuple[Button, ...]] = [(_topic_button(kb, a, lang),) for a in also]
    rows += [(_topic_button(kb, rid, lang),) for rid in t.related
             if rid in kb.topics and rid not in also]
    rows.append(
        (
            Button("👍", f"f:+:{topic_id}"),
            Button("👎", f"f:-:{topic_id}"),
            Button(_(lang, "🔗 Share"), f"share:{topic_id}"),
        )
    )
    if back:
        rows.append((Button(_(lang, "⬅️ Back"), f"s:{t.section}"),))
    return Reply(text, tuple(rows), lang, topic_id, filters)


def suggest_reply(kb: KnowledgeBase, decision: Decision) -> Reply:
    """A "did you mean" choice; a salary topic's button keeps the filter the question
    named, so the figures still follow it when the user picks that topic."""
    lang = decision.lang
    rows = tuple((_topic_button(kb, s.topic, lang, salary_filters(kb, s.topic, decision.query)),)
                 for s in decision.suggestions)
    rows += ((Button(_(lang, "📚 All topics"), "menu"),),)
    return Reply(_(lang, "I am not sure I understood. Did you mean:"), rows, lang)


def unknown_reply(lang: str) -> Reply:
    text = _(lang, "Sorry, I don't know that. I answer questions about the account manager "
                   "role: what the job is, duties, the job description, requirements and "
                   "qualities, education, CV, career, pros and cons, and salaries in Russian "
                   "vacancy listings. Try asking differently or browse the topics.")
    return Reply(text, ((Button(_(lang, "📚 All topics"), "menu"),),), lang)


def decision_reply(kb: KnowledgeBase, decision: Decision) -> Reply:
    """The reply a user sees for a matcher decision."""
    if decision.outcome == "answer" and decision.topic:
        return answer_reply(kb, decision.topic, decision.lang, query=decision.query,
                            also=decision.also)
    if decision.outcome == "suggest" and decision.suggestions:
        return suggest_reply(kb, decision)
    return unknown_reply(decision.lang)


def start_reply(kb: KnowledgeBase, lang: str, offer_switch: bool = False) -> Reply:
    text = _(lang, "Hello! I answer questions about the account manager profession.\n"
                   "Ask in your own words — duties, requirements, qualities, job description, "
                   "career, pros and cons, CV, salary — or pick a section:")
    rows = sections_keyboard(kb, lang)
    if offer_switch:
        rows += ((Button("🇱🇻 Latviešu", "lang:lv"), Button("🇷🇺 Русский", "lang:ru")),)
    return Reply(text, rows, lang)


def topics_reply(kb: KnowledgeBase, lang: str) -> Reply:
    return Reply(_(lang, "Choose a section:"), sections_keyboard(kb, lang), lang)


def section_reply(kb: KnowledgeBase, section_id: str, lang: str) -> Reply:
    section = next((s for s in kb.sections if s.id == section_id), None)
    if section is None:
        return topics_reply(kb, lang)
    rows = tuple(
        (Button(kb.topics[tid].title.get(lang), f"mt:{tid}"),) for tid in section.topic_ids
    )
    rows += ((Button(_(lang, "⬅️ Back"), "menu"),),)
    title = html.escape(section.title.get(lang))
    return Reply(f"<b>{title}</b>\n" + _(lang, "Choose a topic:"), rows, lang)


def help_reply(lang: str) -> Reply:
    text = _(lang, "Just write your question in Latvian or Russian, for example:\n"
                   "• Kādi ir konta pārvaldnieka pienākumi?\n"
                   "• Какая зарплата у аккаунт-менеджера?\n\n"
                   "Commands: /topics — browse, /salary — pay, /language — language, "
                   "/share — link to the last topic, /forget — delete my data.")
    return Reply(text, ((Button(_(lang, "📚 All topics"), "menu"),),), lang)


def terminal_help_reply(lang: str) -> Reply:
    """Help for the terminal chat: only the commands it has (no /share, no /forget: it
    keeps no data and has no bot to link to)."""
    text = _(lang, "Just write your question in Latvian or Russian, for example:\n"
                   "• Kādi ir konta pārvaldnieka pienākumi?\n"
                   "• Какая зарплата у аккаунт-менеджера?\n\n"
                   "Commands: /topics — browse, /salary — pay, /language — language. Type the "
                   "number of an offered option to open it; Ctrl-D ends the chat.")
    return Reply(text, ((Button(_(lang, "📚 All topics"), "menu"),),), lang)


ENGLISH_NOTE = N_("I speak only Latvian and Russian — please ask in one of them.")


def with_english_note(reply: Reply) -> Reply:
    """A reply to a question in English: first say, in English (the message id is the
    English text) and in the reply's language, which languages the bot speaks."""
    note = f"{html.escape(ENGLISH_NOTE)}\n{html.escape(_(reply.lang, ENGLISH_NOTE))}"
    return Reply(f"{note}\n\n{reply.text}", reply.buttons, reply.lang, reply.topic)


def language_reply(lang: str) -> Reply:
    return Reply(
        _(lang, "Choose the language of my answers:"),
        ((Button("🇱🇻 Latviešu", "lang:lv"), Button("🇷🇺 Русский", "lang:ru")),),
        lang,
    )


def language_set_reply(lang: str) -> Reply:
    return Reply(_(lang, "Done: I will answer in Latvian."), (), lang)


def non_text_reply(lang: str) -> Reply:
    return Reply(_(lang, "I understand text questions only — please type your question."), (), lang)


def share_reply(kb: KnowledgeBase, topic_id: str | None, lang: str, bot_username: str) -> Reply:
    if topic_id is None or topic_id not in kb.topics:
        return Reply(_(lang, "Ask me something first, then I can give you a link to that topic."),
                     (), lang)
    title = html.escape(kb.topics[topic_id].title.get(lang))
    link = html.escape(deep_link(bot_username, topic_id))
    return Reply(_(lang, "Link to “%(title)s”:") % {"title": title} + f"\n{link}", (), lang)


def expired_reply(lang: str) -> Reply:
    return Reply(_(lang, "This button has expired."), (), lang)


def slow_down_reply(lang: str) -> Reply:
    return Reply(_(lang, "You are sending messages too fast — please wait a moment."), (), lang)


def forget_reply(lang: str, rows: int) -> Reply:
    text = ngettext_for(lang, "Done: I deleted %(n)d record about you.",
                        "Done: I deleted %(n)d records about you.", rows) % {"n": rows}
    return Reply(text, (), lang)


def feedback_thanks(lang: str) -> str:
    return _(lang, "Thank you for the feedback!")
