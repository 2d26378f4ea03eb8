"""What admins read (/stats, /unanswered, /reload, reload notices), per locale.

Pure functions, as replies.py is for users: no Telegram import, no I/O; the adapter
(bot/telegram/admin.py) fetches the figures and sends these texts. HTML-escaped here.
"""

from __future__ import annotations

import html

from .i18n import N_, gettext_for, ngettext_for
from .knowledge.errors import Problem
from .knowledge.model import KnowledgeBase
from .redact import redact_secrets
from .replies import Reply
from .storage import Stats

MAX_LISTED = 20  # problems listed one by one in a reload notice; the rest are counted
UNANSWERED_SHOWN = 15  # questions /unanswered lists
# How the bot answered a question it could not answer outright (storage's outcome codes).
OUTCOME_WORDS = {"none": N_("no answer"), "suggest": N_("offered topics")}


def _(lang: str, message: str) -> str:
    return gettext_for(lang, message)


def _reply(lang: str, lines: list[str]) -> Reply:
    return Reply("\n".join(lines), (), lang)


def problems_reply(problems: list[Problem], lang: str) -> Reply:
    """The first MAX_LISTED problems and how many more (a Problem hides secrets itself)."""
    head = _(lang, "The knowledge base was NOT reloaded; the bot keeps serving the previous "
                   "one. Problems:")
    lines = [html.escape(head, quote=False)]
    lines += [html.escape(str(p)) for p in problems[:MAX_LISTED]]
    if len(problems) > MAX_LISTED:
        lines.append(f"… +{len(problems) - MAX_LISTED}")
    return _reply(lang, lines)


def reloaded_reply(kb: KnowledgeBase, lang: str) -> Reply:
    n = len(kb.topics)
    text = ngettext_for(lang, "Reloaded: %(n)d topic.", "Reloaded: %(n)d topics.", n) % {"n": n}
    return _reply(lang, [text])


def stats_reply(st: Stats, kb: KnowledgeBase, lang: str) -> Reply:
    """Questions today and this week, answered share, votes, languages, top topics."""
    langs = ", ".join(f"{k} {v}" for k, v in sorted(st.per_lang.items())) or "—"
    lines = [
        _(lang, "Questions today: %(n)d; last 7 days: %(w)d") % {"n": st.today, "w": st.week},
        _(lang, "Answered outright: %(p)d%%") % {"p": round(st.answered_share * 100)},
        _(lang, "Feedback: 👍 %(up)d / 👎 %(down)d") % {"up": st.votes_up, "down": st.votes_down},
        html.escape(_(lang, "By language: %(langs)s") % {"langs": langs}, quote=False),
        _(lang, "Top topics:"),
    ]
    for tid, count in st.top_topics:
        title = kb.topics[tid].title.get(lang) if tid in kb.topics else tid
        lines.append(f"• {html.escape(title)} — {count}")
    return _reply(lang, lines)


def unanswered_reply(rows: list[tuple[str, int, str]], lang: str) -> Reply:
    """(question, times asked, how it was last answered), newest first."""
    if not rows:
        return _reply(lang, [_(lang, "No unanswered questions.")])
    lines = [_(lang, "Latest unanswered questions:")]
    for question, n, outcome in rows:
        times = ngettext_for(lang, "%(n)d time", "%(n)d times", n) % {"n": n}
        how = _(lang, OUTCOME_WORDS[outcome]) if outcome in OUTCOME_WORDS else outcome
        # users' words, shown to admins: a pasted token or password stays hidden
        lines.append(f"• {html.escape(redact_secrets(question))} — {times} ({html.escape(how)})")
    return _reply(lang, lines)
