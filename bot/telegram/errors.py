"""The error handler: log what went wrong (never the token), tell a user in a private chat
that something failed (never a traceback), and keep going."""

from __future__ import annotations

import contextlib
import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, NetworkError, TimedOut

from .. import replies
from ..redact import scrub_exception
from .context import BotContext

log = logging.getLogger(__name__)
LOGGED_ERROR = 300  # characters of an error message a log line quotes


async def on_error(update: object, context: BotContext) -> None:
    """Log, and apologise in a private chat.

    A user who blocked the bot (Forbidden) is logged in one line and dropped; a reply that
    timed out may have been delivered, so no apology follows it (see sending.send)."""
    err = context.error
    scrub_exception(err)
    if isinstance(err, Forbidden):
        log.warning("cannot write to the chat (blocked by the user?): %s", str(err)[:LOGGED_ERROR])
        return
    if isinstance(err, TimedOut):
        log.warning("a Bot API call timed out; not repeated, it may have gone through: %s",
                    str(err)[:LOGGED_ERROR])
        return
    if isinstance(err, NetworkError) and not isinstance(err, BadRequest):
        log.error("error while handling an update: %s: %s (Telegram unreachable; gave up "
                  "after retries)", type(err).__name__, str(err)[:LOGGED_ERROR])
    else:
        log.error("error while handling an update: %s: %s", type(err).__name__,
                  str(err)[:LOGGED_ERROR],
                  exc_info=(type(err), err, err.__traceback__) if err else None)
    if not isinstance(update, Update) or update.effective_message is None:
        return
    if update.effective_chat is None or update.effective_chat.type != ChatType.PRIVATE:
        return
    with contextlib.suppress(Exception):
        apology = replies.error_reply(await context.lang(update))
        await update.effective_message.reply_text(apology.text)
