"""The bot's own context type, as python-telegram-bot's `contexttypesbot.py` example does:
every callback gets a `BotContext` whose `bot_data` is a typed `BotData`, so handlers say
`context.services` instead of looking up string keys, and mypy checks the Application's
generics end to end.
"""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from ..watcher import KnowledgeWatcher
from .intake import Intake
from .services import Services, UserLanguage


class BotData:
    """`context.bot_data`: what the whole bot shares. python-telegram-bot creates it empty;
    build_application sets `services` and `intake` before anything runs."""

    services: Services
    intake: Intake

    def __init__(self) -> None:
        self.watch = True  # reload on knowledge file changes (tests turn it off)
        self.webhook = False  # serving a webhook (no polling updater to be alive)
        self.watcher: KnowledgeWatcher | None = None
        self.tasks: list[asyncio.Task[None]] = []  # background tasks post_init started


# The bot, with AIORateLimiter's per-call arguments (an int: its max_retries).
Bot = ExtBot[int]


class BotContext(CallbackContext[Bot, dict[Any, Any], dict[Any, Any], BotData]):
    """`context` in every handler of this bot."""

    @property
    def services(self) -> Services:
        return self.bot_data.services

    async def language(self, update: Update) -> UserLanguage:
        """The language to answer the update's user in, and how it was chosen."""
        return await self.services.language_of(update.effective_user)

    async def lang(self, update: Update) -> str:
        """The language to answer the update's user in ("lv" or "ru")."""
        return (await self.language(update)).code


CONTEXT_TYPES = ContextTypes(context=BotContext, bot_data=BotData)
# The Application as build_application makes it: no job queue (nothing is scheduled).
BotApp = Application[Bot, BotContext, dict[Any, Any], dict[Any, Any], BotData, None]
