"""Turn a matcher decision (or a menu request) into texts and buttons in one locale.

Pure functions: no Telegram import, no I/O. The Telegram adapter and the terminal chat
both render these `Reply` objects; every text a user sees is made here (admins' texts in
admin_replies.py). Texts are HTML-escaped here, once, so nothing a user or an admin typed
can break Telegram's formatting. Buttons carry typed actions (actions.py).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from .actions import Action, OpenSection, OpenTopic, SetLanguage, Share, ShowMenu, Vote
from .i18n import N_, gettext_for, ngettext_for
from .knowledge.listing_filters import key as filter_key
from .knowledge.model import LANGS, KnowledgeBase
from .knowledge.salary import subset_text
from .matcher.decide import Decision
from .salary_filter import read_filter

MAX_MESSAGE = 4096
_PAYLOAD_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# Small talk (greeting, thanks, goodbye, "what can you do?"): answered plainly, never a
# section of the menu, never offered in inline mode.
CHAT_SECTION = "chat"


@dataclass(frozen=True, slots=True)
class Button:
    """A button: its label and what pressing it does."""

    label: str
    action: Action

    @property
    def data(self) -> str:
        """The callback data Telegram carries (ASCII ids, ≤ 64 bytes)."""
        return self.action.encode()


@dataclass(frozen=True, slots=True)
class Reply:
    text: str  # Telegram HTML
    buttons: tuple[tuple[Button, ...], ...] = ()
    lang: str = "lv"
    topic: str | None = None  # the topic shown (what /share links to), if any
    # The salary filters the question named and the figures follow ("bank", "no_experience").
    salary_filter: tuple[str, ...] = ()


def _(lang: str, message: str) -> str:
    return gettext_for(lang, message)


def _html(text: str) -> str:
    """Interface text as Telegram HTML (quotes stay as they are: they are not in a tag)."""
    return html.escape(text, quote=False)


def plain(text: str, lang: str) -> Reply:
    """A reply of one (translated) interface sentence, escaped, without buttons."""
    return Reply(_html(text), (), lang)


def quoted(title: str, lang: str) -> str:
    """A title in the quotes of the reply's language: „…” in Latvian, «…» in Russian."""
    return f"„{title}”" if lang == "lv" else f"«{title}»"


# -- deep links ------------------------------------------------------------------------


def topic_payload(topic_id: str) -> str:
    """Deep-link payload of a topic: '.' is not in Telegram's alphabet, '-' is."""
    return topic_id.replace(".", "-")


def parse_payload(payload: str, kb: KnowledgeBase) -> tuple[str | None, str | None]:
    """(topic id, language) named by a /start payload; (None, None) if it names nothing."""
    if not _PAYLOAD_RE.match(payload or ""):
        return None, None
    if payload in LANGS:
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


def shorten(text: str, limit: int) -> str:
    """`text` on one line, at most `limit` characters, cut at a word boundary with '…'."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:  # a very long first word is cut inside it rather than lost
        cut = cut[:space]
    return cut.rstrip(" ,;:.—–-") + "…"


def is_small_talk(kb: KnowledgeBase, topic_id: str) -> bool:
    return kb.topics[topic_id].section == CHAT_SECTION


def _topic_button(kb: KnowledgeBase, topic_id: str, lang: str,
                  filters: tuple[str, ...] = ()) -> Button:
    return Button(kb.topics[topic_id].title.get(lang), OpenTopic(topic_id, filters))


def sections_keyboard(kb: KnowledgeBase, lang: str) -> tuple[tuple[Button, ...], ...]:
    """Two section buttons per row, small talk left out of the menu."""
    buttons = [Button(s.title.get(lang), OpenSection(s.id)) for s in kb.sections
               if s.id != CHAT_SECTION]
    return tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))


def _all_topics(lang: str) -> tuple[tuple[Button, ...], ...]:
    return ((Button(_(lang, "📚 All topics"), ShowMenu()),),)


def _language_switch() -> tuple[Button, ...]:
    return (Button("🇱🇻 Latviešu", SetLanguage("lv")), Button("🇷🇺 Русский", SetLanguage("ru")))


# -- replies ---------------------------------------------------------------------------


def salary_filters(kb: KnowledgeBase, topic_id: str, query: str) -> tuple[str, ...]:
    """The filters a question names that a topic's answer follows: only a topic showing
    salary figures does, and at most two filters apply (the figures of every filter and
    pair of filters are computed at load)."""
    if kb.topics[topic_id].facts != "salary" or kb.salary_facts is None:
        return ()
    return read_filter(query)[:2]


def filtered_answer(kb: KnowledgeBase, topic_id: str, lang: str,
                    filters: tuple[str, ...]) -> tuple[str, tuple[str, ...]] | None:
    """A salary topic's answer over the listings of known filters (None: nothing to do)."""
    subset = kb.salary_subsets.get(filter_key(filters)) if filters else None
    if subset is None or kb.salary_facts is None or kb.topics[topic_id].facts != "salary":
        return None
    text = (subset_text(filters, subset, kb.salary_facts, lang) + "\n\n"
            + kb.topics[topic_id].answer.get(lang))
    return text, filters


def known_filters(kb: KnowledgeBase, topic_id: str, filters: tuple[str, ...]) -> bool:
    """Filters a button may carry: one or two known ids, for a topic showing figures."""
    return (kb.topics[topic_id].facts == "salary" and 0 < len(filters) <= 2
            and filter_key(filters) in kb.salary_subsets)


def topic_text(kb: KnowledgeBase, topic_id: str, lang: str,
               filters: tuple[str, ...] = ()) -> tuple[str, tuple[str, ...]]:
    """A topic as the bot shows it — its title in bold, then the answer (over the listings
    of `filters` for a salary topic) — and the filters applied."""
    filtered = filtered_answer(kb, topic_id, lang, filters)
    body, applied = filtered if filtered else (kb.answer(topic_id, lang), ())
    title = html.escape(kb.topics[topic_id].title.get(lang))
    return f"<b>{title}</b>\n\n{html.escape(body)}", applied


def small_talk_reply(kb: KnowledgeBase, topic_id: str, lang: str) -> Reply:
    """Small talk answered as a person would: the answer alone, no title, no votes, no
    share (the related topics stay: "what can you do?" is one tap away)."""
    rows = tuple((_topic_button(kb, rid, lang),) for rid in kb.topics[topic_id].related
                 if rid in kb.topics)
    return Reply(html.escape(kb.answer(topic_id, lang)), rows, lang)


def answer_reply(kb: KnowledgeBase, topic_id: str, lang: str, back: bool = False,
                 query: str | None = None, filters: tuple[str, ...] = (),
                 also: tuple[str, ...] = ()) -> Reply:
    """Title in bold, the excerpt, related topics, feedback and share buttons (and a way
    back to the section when it was opened from the menu). A salary answer follows the
    filter the user's question names (or the filters a "did you mean" button carried).
    `also`: more topics the question asked about, offered first, with a line that says so."""
    if is_small_talk(kb, topic_id):
        return small_talk_reply(kb, topic_id, lang)
    t = kb.topics[topic_id]
    if query and not filters:
        filters = salary_filters(kb, topic_id, query)
    text, filters = topic_text(kb, topic_id, lang, filters)
    also = tuple(a for a in also if a in kb.topics and a != topic_id)
    if also:
        titles = ", ".join(quoted(kb.topics[a].title.get(lang), lang) for a in also)
        text += "\n\n" + _html(_(lang, "You also asked about {topics}: tap below.").format(topics=titles))
    rows: list[tuple[Button, ...]] = [(_topic_button(kb, a, lang),) for a in also]
    rows += [(_topic_button(kb, rid, lang),) for rid in t.related
             if rid in kb.topics and rid not in also]
    rows.append((Button("👍", Vote(topic_id, up=True)), Button("👎", Vote(topic_id, up=False)),
                 Button(_(lang, "🔗 Share"), Share(topic_id))))
    if back:
        rows.append((Button(_(lang, "⬅️ Back"), OpenSection(t.section)),))
    return Reply(text, tuple(rows), lang, topic_id, filters)


def suggest_reply(kb: KnowledgeBase, decision: Decision) -> Reply:
    """A "did you mean" choice; a salary topic's button keeps the filter the question
    named, so the figures still follow it when the user picks that topic."""
    lang = decision.lang
    rows = tuple((_topic_button(kb, s.topic, lang, salary_filters(kb, s.topic, decision.query)),)
                 for s in decision.suggestions)
    text = _html(_(lang, "I am not sure I understood. Did you mean:"))
    return Reply(text, rows + _all_topics(lang), lang)


def unknown_reply(lang: str) -> Reply:
    text = _(lang, "Sorry, I don't know that. I answer questions about the account manager "
                   "role: what the job is, duties, the job description, requirements and "
                   "qualities, education, CV, career, pros and cons, and salaries in Russian "
                   "vacancy listings. Try asking differently or browse the topics.")
    return Reply(_html(text), _all_topics(lang), lang)


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
        rows += (_language_switch(),)
    return Reply(_html(text), rows, lang)


def topics_reply(kb: KnowledgeBase, lang: str) -> Reply:
    return Reply(_html(_(lang, "Choose a section:")), sections_keyboard(kb, lang), lang)


def section_reply(kb: KnowledgeBase, section_id: str, lang: str) -> Reply:
    section = next((s for s in kb.sections if s.id == section_id), None)
    if section is None:
        return topics_reply(kb, lang)
    rows = tuple((Button(kb.topics[tid].title.get(lang), OpenTopic(tid, from_menu=True)),)
                 for tid in section.topic_ids)
    rows += ((Button(_(lang, "⬅️ Back"), ShowMenu()),),)
    title = html.escape(section.title.get(lang))
    return Reply(f"<b>{title}</b>\n" + _html(_(lang, "Choose a topic:")), rows, lang)


def help_reply(lang: str) -> Reply:
    text = _(lang, "Just write your question in Latvian or Russian, for example:\n"
                   "• Kādi ir konta pārvaldnieka pienākumi?\n"
                   "• Какая зарплата у аккаунт-менеджера?\n\n"
                   "Commands: /topics — browse, /salary — pay, /language — language, "
                   "/share — link to the last topic, /forget — delete my data.")
    return Reply(_html(text), _all_topics(lang), lang)


def terminal_help_reply(lang: str) -> Reply:
    """Help for the terminal chat: only the commands it has (no /share, no /forget: it
    keeps no data and has no bot to link to)."""
    text = _(lang, "Just write your question in Latvian or Russian, for example:\n"
                   "• Kādi ir konta pārvaldnieka pienākumi?\n"
                   "• Какая зарплата у аккаунт-менеджера?\n\n"
                   "Commands: /topics — browse, /salary — pay, /language — language. Type the "
                   "number of an offered option to open it; Ctrl-D ends the chat.")
    return Reply(_html(text), _all_topics(lang), lang)


ENGLISH_NOTE = N_("I speak only Latvian and Russian — please ask in one of them.")


def with_english_note(reply: Reply) -> Reply:
    """A reply to a question in English: first say, in English (the message id is the
    English text) and in the reply's language, which languages the bot speaks."""
    note = f"{_html(ENGLISH_NOTE)}\n{_html(_(reply.lang, ENGLISH_NOTE))}"
    return Reply(f"{note}\n\n{reply.text}", reply.buttons, reply.lang, reply.topic)


def language_reply(lang: str) -> Reply:
    text = _html(_(lang, "Choose the language of my answers:"))
    return Reply(text, (_language_switch(),), lang)


def language_set_reply(lang: str) -> Reply:
    """Said in the language just chosen."""
    return plain(_(lang, "Done: from now on I answer in this language."), lang)


def non_text_reply(lang: str) -> Reply:
    return plain(_(lang, "I understand text questions only — please type your question."),
                 lang)


def share_reply(kb: KnowledgeBase, topic_id: str | None, lang: str, bot_username: str) -> Reply:
    if topic_id is None or topic_id not in kb.topics:
        text = _(lang, "Ask me something first, then I can give you a link to that topic.")
        return plain(text, lang)
    title = quoted(kb.topics[topic_id].title.get(lang), lang)
    text = _(lang, "Link to %(title)s:") % {"title": title}
    return Reply(f"{_html(text)}\n{_html(deep_link(bot_username, topic_id))}",
                 (), lang)


def expired_reply(lang: str) -> Reply:
    return plain(_(lang, "This button has expired."), lang)


def slow_down_reply(lang: str) -> Reply:
    return plain(_(lang, "You are sending messages too fast — please wait a moment."),
                 lang)


def forget_reply(lang: str, rows: int) -> Reply:
    if rows == 0:
        return plain(_(lang, "Nothing about you is stored."), lang)
    text = ngettext_for(lang, "Done: I deleted %(n)d record about you.",
                        "Done: I deleted %(n)d records about you.", rows) % {"n": rows}
    return Reply(_html(text), (), lang)


def forget_failed_reply(lang: str) -> Reply:
    text = _(lang, "Sorry, I could not delete your data right now. Please try again later.")
    return plain(text, lang)


def unknown_command_reply(lang: str) -> Reply:
    return plain(_(lang, "I don't know this command. /help shows what I can do."), lang)


def error_reply(lang: str) -> Reply:
    """What a user hears when handling their message failed (never a traceback)."""
    return plain(_(lang, "Sorry, something went wrong. Please try again."), lang)


def feedback_thanks(lang: str) -> Reply:
    return plain(_(lang, "Thank you for the feedback!"), lang)


# -- the command menu ---------------------------------------------------------------------

# What Telegram lists next to the input field; admins' commands are not advertised.
COMMANDS = (
    ("start", N_("Start and main sections")),
    ("topics", N_("Browse topics")),
    ("salary", N_("Salary overview")),
    ("language", N_("Change language")),
    ("share", N_("Link to the last topic")),
    ("help", N_("How to ask")),
    ("forget", N_("Delete my data")),
)


def command_menu(lang: str | None) -> list[tuple[str, str]]:
    """(command, description) in a language; None: the default menu, in English."""
    return [(command, _(lang, text) if lang else text) for command, text in COMMANDS]


# -- inline mode --------------------------------------------------------------------------

DESCRIPTION_LIMIT = 120  # characters of an inline result's description line


@dataclass(frozen=True, slots=True)
class Article:
    """One inline-mode result: a topic as a message to post in any chat, with a link
    that opens it in the bot."""

    id: str
    title: str
    description: str  # plain text, one line
    text: str  # Telegram HTML, at most MAX_MESSAGE characters


def inline_article(kb: KnowledgeBase, topic_id: str, lang: str, bot_username: str,
                   query: str = "") -> Article:
    """A topic laid out as in a chat (title in bold, the answer; a salary topic follows the
    filter the query names), ending with a link to ask the bot; cut on a line boundary to
    fit one message."""
    text, _applied = topic_text(kb, topic_id, lang, salary_filters(kb, topic_id, query)
                                if query else ())
    label = _html(_(lang, "Ask the bot"))
    tail = f'\n\n<a href="{html.escape(deep_link(bot_username, topic_id))}">{label}</a>'
    if len(text) + len(tail) > MAX_MESSAGE:
        text = split_message(text, MAX_MESSAGE - len(tail) - 1)[0] + "…"
    body = html.unescape(text.split("\n\n", 1)[-1])
    title = kb.topics[topic_id].title.get(lang)
    return Article(topic_id, title, shorten(body, DESCRIPTION_LIMIT), text + tail)


def inline_open_bot_label(lang: str) -> str:
    """The button above inline results when nothing matched (plain text)."""
    return _(lang, "Nothing found — ask the bot")
