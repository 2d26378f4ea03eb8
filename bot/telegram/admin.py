"""Admin commands (/stats, /unanswered, /reload) and reload notifications.

Admins are recognised by numeric user id only; to anyone else these commands look exactly
like an unknown command.
"""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import Application, ContextTypes

from ..i18n import gettext_for, ngettext_for
from ..knowledge.errors import Problem
from ..redact import redact_secrets
from ..replies import Reply, split_message
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


MAX_LISTED = 20


def problems_text(problems: list[Problem], lang: str) -> str:
    """The first MAX_LISTED problems and how many more (a Problem hides secrets itself)."""
    head = gettext_for(lang, "The knowledge base was NOT reloaded; the bot keeps serving the "
                             "previous one. Problems:")
    lines = [html.escape(str(p)) for p in problems[:MAX_LISTED]]
    if len(problems) > MAX_LISTED:
        lines.append(f"… +{len(problems) - MAX_LISTED}")
    return head + "\n" + "\n".join(lines)


async def notify_admins(app: Application, problems: list[Problem]) -> None:
    """Each admin gets the problems, split into messages Telegram accepts (≤ 4096)."""
    s: Services = app.bot_data["svc"]
    parts = split_message(problems_text(problems, "lv"))
    for admin in s.settings.admin_ids:
        for part in parts:
            try:
                await app.bot.send_message(admin, part, parse_mode="HTML")
            except Exception as exc:
                log.warning("could not notify admin %s: %s: %s", admin, type(exc).__name__,
                            str(exc)[:200])
                break


AdminView = Callable[[Services, str], Awaitable[str]]


def admin_command(
    view: AdminView,
) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]:
    """A handler that runs `view` for admins and answers everyone else exactly like an
    unknown command."""

    async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not is_admin(update, context):
            await unknown_command(update, context)
            return
        msg = update.effective_message
        if msg is None:
            return
        lang, _, _ = await _language(update, context)
        text = await view(svc(context), lang)
        await send(msg, Reply(text, (), lang))

    handler.__doc__ = view.__doc__
    return handler


@admin_command
async def stats(s: Services, lang: str) -> str:
    """/stats: questions today and this week, answered share, top topics, votes."""
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
    return "\n".join(lines)


@admin_command
async def unanswered(s: Services, lang: str) -> str:
    """/unanswered: latest questions that got no answer, newest first, with counts."""
    rows = await asyncio.to_thread(s.storage.unanswered, 15)
    if not rows:
        return gettext_for(lang, "No unanswered questions.")
    lines = [gettext_for(lang, "Latest unanswered questions:")]
    for q, n, outcome in rows:
        times = ngettext_for(lang, "%(n)d time", "%(n)d times", n) % {"n": n}
        # users' words, shown to admins: a pasted token or password stays hidden
        lines.append(f"• {html.escape(redact_secrets(q))} — {times} ({outcome})")
    return "\n".join(lines)


@admin_command
async def reload_command(s: Services, lang: str) -> str:
    """/reload: load the knowledge base again now."""
    problems = await asyncio.to_thread(s.state.reload)
    if problems:
        return problems_text(problems, lang)
    n = len(s.state.current.kb.topics)
    return ngettext_for(lang, "Reloaded: %(n)d topic.", "Reloaded: %(n)d topics.", n) % {"n": n}
