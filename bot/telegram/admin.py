"""Admin commands (/stats, /reload) and reload notices; /unanswered, /learned and their
buttons, which teach the bot, are in filing.py.

Admins are recognised by numeric user id, in a private chat (figures never leak into a
group). The commands are registered with `admin_filter(...)` (app.py), so for anyone
else they fall through to the unknown-command reply and look exactly like any command
the bot does not have. Admins' buttons (bot/actions.py, `admin = True`) are checked
with `is_admin` by buttons.on_button.

Each admin reads in their own language: the one they chose or last wrote in, else the
one their Telegram speaks (remembered when they use an admin command, so a reload notice
the watcher sends later finds it).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import filters

from .. import admin_replies
from ..knowledge.errors import Problem
from ..knowledge.model import LANGS
from ..replies import split_message
from .context import BotApp, BotContext
from .sending import send

log = logging.getLogger(__name__)
LOGGED_ERROR = 200  # characters of an error message a log line quotes


def admin_filter(admin_ids: Collection[int]) -> filters.BaseFilter:
    """Messages from ADMIN_IDS in a private chat (no admin at all: nobody)."""
    return filters.User(user_id=admin_ids) & filters.ChatType.PRIVATE


def is_admin(update: Update, context: BotContext) -> bool:
    """The same rule as `admin_filter`, for updates a filter does not see (button presses)."""
    user, chat = update.effective_user, update.effective_chat
    return (user is not None and user.id in context.services.settings.admin_ids
            and chat is not None and chat.type == ChatType.PRIVATE)


async def admin_lang(update: Update, context: BotContext) -> str:
    """The admin's language, kept so that notices sent without an update can use it."""
    language = await context.language(update)
    user = update.effective_user
    prefs = context.services.prefs.get(user.id) if user else None
    if user is not None and (prefs is None or prefs.lang is None):
        context.services.update_prefs(user.id, lang=language.code)
    return language.code


async def stats(update: Update, context: BotContext) -> None:
    """/stats: questions today and this week, answered share, top topics, votes."""
    if update.effective_message is None:
        return
    lang = await admin_lang(update, context)
    s = context.services
    figures = await asyncio.to_thread(s.storage.stats)
    await send(update.effective_message,
               admin_replies.stats_reply(figures, s.state.current.kb, lang))


async def reload_command(update: Update, context: BotContext) -> None:
    """/reload: load the knowledge base again now."""
    if update.effective_message is None:
        return
    lang = await admin_lang(update, context)
    state = context.services.state
    problems = await asyncio.to_thread(state.reload)
    reply = (admin_replies.problems_reply(problems, lang) if problems
             else admin_replies.reloaded_reply(state.current.kb, lang))
    await send(update.effective_message, reply)


async def notify_admins(app: BotApp, problems: list[Problem]) -> None:
    """Each admin gets the problems in their language, split into messages Telegram
    accepts (≤ 4096 characters)."""
    s = app.bot_data.services
    for admin in sorted(s.settings.admin_ids):
        prefs = await s.user_prefs(admin)
        lang = prefs.lang if prefs and prefs.lang in LANGS else "lv"
        for part in split_message(admin_replies.problems_reply(problems, lang).text):
            try:
                await app.bot.send_message(admin, part)
            except Exception as exc:
                log.warning("could not notify admin %s: %s: %s", admin, type(exc).__name__,
                            str(exc)[:LOGGED_ERROR])
                break
