"""Inline mode: `@bot alga` in any chat lists topics to post there, each with a link
back to the bot; when nothing matches, a button above the (empty) list opens the bot.
The choice of topics is the core's (conversation.inline); this only renders it."""

from __future__ import annotations

import asyncio
import logging

from telegram import (
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)

from .. import conversation
from .context import BotContext

log = logging.getLogger(__name__)
CACHE_SECONDS = 30  # how long Telegram may reuse an answer for the same query
OPEN_BOT_PAYLOAD = "inline"  # /start payload of the "open the bot" button: the greeting


async def inline(update: Update, context: BotContext) -> None:
    """@bot query: the best matching topics as articles with a deep link."""
    iq = update.inline_query
    if iq is None:
        return
    s = context.services
    popular: list[str] = []
    if not iq.query.strip():  # the most asked topics, if the database answers (twice as
        try:                  # many as are listed: small talk is left out of them)
            popular = await asyncio.to_thread(s.storage.top_topics,
                                              2 * conversation.POPULAR_TOPICS)
        except Exception as exc:
            log.warning("could not read the most asked topics: %s", type(exc).__name__)
    found = conversation.inline(s.state.current, iq.query, await context.lang(update), popular,
                                context.bot.username)
    results = [InlineQueryResultArticle(id=a.id, title=a.title, description=a.description,
                                        input_message_content=InputTextMessageContent(a.text))
               for a in found.articles]
    button = (InlineQueryResultsButton(text=found.open_bot, start_parameter=OPEN_BOT_PAYLOAD)
              if found.open_bot else None)
    # an empty query lists what this user's language and the stored counts say: personal
    await iq.answer(results, cache_time=CACHE_SECONDS, is_personal=not iq.query.strip(),
                    button=button)
