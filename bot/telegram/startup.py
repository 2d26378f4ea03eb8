"""Reach Telegram before serving, and say in one line what is wrong when it cannot be done.

A container often starts before its network: an unreachable Bot API (or one answering
5xx) is retried with growing pauses, each attempt reported in one log line. A token that
Telegram rejects or a webhook URL it refuses will not get better by waiting:
`StartupFailed` carries one line for the operator. The token is never part of a message.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import signal
from collections.abc import Awaitable, Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application

from ..redact import redact_token
from ..settings import Settings
from .app import webhook_options

log = logging.getLogger(__name__)
BACKOFF = (1.0, 2.0, 4.0, 8.0, 16.0, 30.0)  # seconds between attempts; then 30 s each


class StartupFailed(Exception):
    """The bot cannot start; the message is one line for the operator."""


def backoff() -> Iterator[float]:
    return itertools.chain(BACKOFF, itertools.repeat(BACKOFF[-1]))


def _api_host(settings: Settings) -> str:
    parts = urlsplit(settings.api_base_url)
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else settings.api_base_url


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:200] or type(exc).__name__
    return redact_token(text)


async def _retrying(step: Callable[[], Awaitable[Any]], what: str, settings: Settings,
                    delays: Iterator[float],
                    sleep: Callable[[float], Awaitable[Any]]) -> None:
    """Run `step` until it succeeds; network failures are retried, anything else raises."""
    for attempt in itertools.count(1):
        try:
            await step()
            return
        except RetryAfter as exc:  # Telegram asks to wait: do so (a subclass of no retry)
            retry_after = exc.retry_after
            delay = float(retry_after.total_seconds() if hasattr(retry_after, "total_seconds")
                          else retry_after)
        except (InvalidToken, BadRequest):
            raise
        except NetworkError as exc:  # unreachable, timed out, 5xx
            delay = next(delays)
            log.warning("%s: Telegram Bot API at %s not reachable (attempt %d: %s); "
                        "retrying in %g s", what, _api_host(settings), attempt, _reason(exc),
                        delay)
        await sleep(delay)


async def connect(app: Application, settings: Settings,
                  delays: Iterator[float] | None = None,
                  sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep) -> None:
    """Initialize `app` (getMe checks the token) and, in webhook mode, register the webhook
    URL, retrying network failures; raise StartupFailed with one line otherwise."""
    delays = delays or backoff()
    try:
        await _retrying(app.initialize, "connecting", settings, delays, sleep)
    except InvalidToken:
        raise StartupFailed("Telegram rejected TELEGRAM_BOT_TOKEN (revoked, or mistyped?): "
                            "copy it again from @BotFather") from None
    except TelegramError as exc:
        raise StartupFailed(f"Telegram refused to start the bot: {_reason(exc)}") from None
    if not settings.webhook_url:
        return
    options = webhook_options(settings)

    async def set_webhook() -> None:
        await app.bot.set_webhook(url=options["webhook_url"], secret_token=options["secret_token"],
                                  allowed_updates=options["allowed_updates"])

    try:
        await _retrying(set_webhook, "registering the webhook", settings, delays, sleep)
    except TelegramError as exc:
        await app.shutdown()
        raise StartupFailed(f"Telegram refused WEBHOOK_URL {settings.webhook_url}: "
                            f"{_reason(exc)}") from None


def connect_until_stopped(loop: asyncio.AbstractEventLoop, app: Application,
                          settings: Settings) -> bool:
    """`connect` on `loop`; SIGINT or SIGTERM while it waits ends it quietly. False when
    stopped by a signal.

    The handlers stay installed: python-telegram-bot replaces them with its own when it
    starts on the same loop, and a signal that arrives in between is handled by its."""
    task = loop.create_task(connect(app, settings))
    try:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, task.cancel)
    except (NotImplementedError, RuntimeError):  # not the main thread, or no Unix signals
        pass
    try:
        loop.run_until_complete(task)
        return True
    except asyncio.CancelledError:
        log.info("stopped before Telegram was reached")
        return False
