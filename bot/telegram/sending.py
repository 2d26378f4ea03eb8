"""Putting a `Reply` into a chat: HTML (the Application's Defaults), split to fit, the
keyboard on the last part, a short bounded retry when Telegram cannot be reached."""

from __future__ import annotations

import asyncio
import html
import logging

import httpx
from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import BadRequest, NetworkError, TimedOut

from ..replies import MAX_MESSAGE, Reply, split_message

log = logging.getLogger(__name__)
SEND_ATTEMPTS = 3
SEND_BACKOFF = (0.3, 1.0)  # seconds before the 2nd and the 3rd attempt
LOGGED_ERROR = 200  # characters of an error message a log line quotes


def message_of(query: CallbackQuery) -> Message | None:
    """The message under which a button was (None for a message sent in inline mode)."""
    return query.message if isinstance(query.message, Message) else None


def markup(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row]
         for row in reply.buttons]
    )


def _never_left(exc: TimedOut) -> bool:
    """A timeout that proves the request never reached Telegram: connecting, or waiting
    for a free connection of the pool, took too long."""
    return isinstance(exc.__cause__, httpx.ConnectTimeout | httpx.PoolTimeout)


async def _send_part(message: Message, text: str, markup_: InlineKeyboardMarkup | None) -> None:
    """One message, with a small bounded retry when Telegram could not be reached.

    - NetworkError (HTTP 5xx, connection refused or reset): retried up to SEND_ATTEMPTS
      times with a short backoff, then raised (on_error logs it and apologises).
    - TimedOut: the request may have reached Telegram and the message may have been
      delivered; python-telegram-bot does not resend, and neither do we — a duplicate
      answer is worse than a lost one the user can simply ask again. It is logged and the
      handler goes on. Only a timeout while connecting (nothing was sent) is retried.
    - RetryAfter (429) is waited out by AIORateLimiter (max_retries=3).
    - BadRequest and Forbidden are Telegram's final word: raised at once, never retried.
    """
    for attempt in range(1, SEND_ATTEMPTS + 1):
        try:
            await message.reply_text(text, reply_markup=markup_)
            return
        except BadRequest:
            raise
        except TimedOut as exc:
            if not _never_left(exc):
                log.warning("reply to chat %s timed out; it may have been delivered, so it is "
                            "not sent again", message.chat_id)
                return
            if attempt == SEND_ATTEMPTS:
                raise
            reason: Exception = exc
        except NetworkError as exc:
            if attempt == SEND_ATTEMPTS:
                raise
            reason = exc
        log.warning("reply to chat %s failed (%s: %s); attempt %d of %d in %.1f s",
                    message.chat_id, type(reason).__name__, str(reason)[:LOGGED_ERROR],
                    attempt + 1, SEND_ATTEMPTS, SEND_BACKOFF[attempt - 1])
        await asyncio.sleep(SEND_BACKOFF[attempt - 1])


async def send(message: Message, reply: Reply) -> None:
    """Send a reply, split on paragraphs; the keyboard goes with the last part.
    Transient network failures are retried (see `_send_part`)."""
    parts = split_message(reply.text)
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        await _send_part(message, part, markup(reply) if last else None)


async def show_in_place(message: Message, reply: Reply) -> None:
    """Replace a menu message with `reply` (browsing stays in one message); send it anew
    when the message cannot be edited (too old) or the reply is too long for one."""
    if len(reply.text) <= MAX_MESSAGE:
        try:
            await message.edit_text(reply.text, reply_markup=markup(reply))
            return
        except BadRequest as exc:  # unchanged text, or too old to edit: send anew
            if "not modified" in str(exc).lower():
                return
    await send(message, reply)


async def ack(query: CallbackQuery, toast: Reply | None = None) -> None:
    """Answer a button press: stop its spinner, with `toast` shown briefly (plain text).
    A press answered late — replayed after a restart — is refused by Telegram ("query is
    too old"); the reply that follows it is still sent."""
    try:
        await query.answer(html.unescape(toast.text) if toast else None)
    except BadRequest as exc:
        if "too old" not in str(exc) and "query id is invalid" not in str(exc).lower():
            raise
        log.info("a button press was answered too late for its spinner; replying anyway")
