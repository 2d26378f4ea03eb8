"""Admin commands (/stats, /unanswered, /reload) and reload notifications.

Admins are recognised by numeric user id only; to anyone else these commands look exactly
like an unknown command.
"""

from __future__ import annotations

import asyncio
import html
import logging

from telegram import Update
from telegram.ext import Application, ContextTypes

from ..i18n import gettext_for, ngettext_for
from ..knowledge.errors import Problem
from ..replies import Reply
from .handlers import _language, send, unknown_command
from .services import Services, svc

log = logging.getLogger(__name__)


def is_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """An admin, by numeric id, in a private chat (stats never leak into a group)."""
    user, chat = update.effective_user, update.effective_chat
    return (
        user is not None
        and user.id in svc(context).settings.admin_ids
        and (chat is None or chat.type == "private")
    )


def problems_text(problems: list[Problem], lang: str) -> str:
    head = gettext_for(lang, "The knowledge base was NOT reloaded; the bot keeps serving the "
                             "previous one. Problems:")
    lines = [html.escape(str(p)) for p in problems[:20]]
    if len(problems) > 20:
        lines.append(f"… +{len(problems) - 20}")
    return head + "\n" + "\n".join(lines)


async def notify_admins(app: Application, problems: list[Problem]) -> None:
    s: Services = app.bot_data["svc"]
    for admin in s.settings.admin_ids:
        try:
            await app.bot.send_message(admin, problems_text(problems, "lv"), parse_mode="HTML")
        except Exception as exc:
            log.warning("could not notify admin: %s", type(exc).__name__)


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats: questions today and this week, answered share, top topics, votes."""
    if not is_admin(update, context):
        await unknown_command(update, context)
        return
    s = svc(context)
    lang, _, _ = await _language(update, context)
    st = await asyncio.to_thread(s.storage.stats)
    _ = lambda m: gettext_for(lang, m)  # noqa: E731
    kb = s.state.current.kb
    lines = [
        _("Questions today: %(n)d; last 7 days: %(w)d") % {"n": st.today, "w": st.week},
        _("Answered outright: %(p)d%%") % {"p": round(st.answered_share * 100)},
        _("Feedback: 👍 %(up)d / 👎 %(down)d") % {"up": st.votes_up, "down": st.votes_down},
        _("By language: %(langs)s") % {
            "langs": ", ".join(f"{k} {v}" for k, v in sorted(st.per_lang.items())) or "—"},
        _("Top topics:"),
    ]
    for tid, c in st.top_topics:
        title = kb.topics[tid].title.get(lang) if tid in kb.topics else tid
        lines.append(f"• {html.escape(title)} — {c}")
    await send(update.effective_message, Reply("\n".join(lines), (), lang))  # type: ignore[arg-type]


async def unanswered(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unanswered: latest questions that got no answer, newest first, with counts."""
    if not is_admin(update, context):
        await unknown_command(update, context)
        return
    s = svc(context)
    lang, _, _ = await _language(update, context)
    rows = await asyncio.to_thread(s.storage.unanswered, 15)
    if not rows:
        text = gettext_for(lang, "No unanswered questions.")
    else:
        lines = [gettext_for(lang, "Latest unanswered questions:")]
        for q, n, outcome in rows:
            times = ngettext_for(lang, "%(n)d time", "%(n)d times", n) % {"n": n}
            lines.append(f"• {html.escape(q)} — {times} ({outcome})")
        text = "\n".join(lines)
    await send(update.effective_message, Reply(text, (), lang))  # type: ignore[arg-type]


async def reload_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reload: load the knowledge base again now."""
    if not is_admin(update, context):
        await unknown_command(update, context)
        return
    s = svc(context)
    lang, _, _ = await _language(update, context)
    problems = await asyncio.to_thread(s.state.reload)
    if problems:
        text = problems_text(problems, lang)
    else:
        n = len(s.state.current.kb.topics)
        text = ngettext_for(lang, "Reloaded: %(n)d topic.", "Reloaded: %(n)d topics.", n) % {"n": n}
    await send(update.effective_message, Reply(text, (), lang))  # type: ignore[arg-type]
