"""Telegram misbehaving at the HTTP boundary: the bot keeps polling, delivers the reply
once the fault clears (with bounded retries), records the question once, and drops users
who blocked it without disturbing anyone else.

The bot is the real Application in-process, polling with python-telegram-bot's own
Updater and HTTP client against the stdlib fake Bot API server of test_e2e_polling on
127.0.0.1 (see live_telegram.py for the faults). Its read timeout is 0.5 s here, so a
`Slow` answer times out.

How a reply that timed out is handled (bot.telegram.handlers._send_part): a read timeout
means the request reached Telegram and the message may well have been delivered, so it
is not sent again (python-telegram-bot does not resend it either) — the user may ask
again, which beats a duplicate answer; it is logged as a warning and no apology follows.
A timeout while connecting (nothing left the machine) is retried like any other network
error: 5xx, refused or reset connections get up to 3 attempts with 0.3 s and 1 s pauses.
429 is waited out by AIORateLimiter (up to 3 retries); 400 and 403 are never retried.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from telegram.error import NetworkError, TimedOut

from bot.replies import error_reply
from bot.state import KnowledgeState
from bot.telegram.sending import SEND_ATTEMPTS
from tests.bot_api import Reset, Slow, Status, message
from tests.live_telegram import POLL_TIMEOUT, READ_TIMEOUT, LiveBot, live_bot

pytestmark = pytest.mark.slow  # waits out the bot's network timeouts and retries

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "Ko dara bankas klientu menedžeris?"
ANSWER_START = "<b>Konta pārvaldnieks bankā</b>"
RU_QUESTION = "Какая зарплата у аккаунт-менеджера?"
RU_ANSWER_START = "<b>Зарплата аккаунт-менеджера</b>"
SORRY_LV = error_reply("lv").text
MAX_WAIT = 15.0  # every wait below is bounded by this

MakeLive = Callable[..., Awaitable[LiveBot]]


@pytest.fixture
async def live(shipped_state: KnowledgeState, tmp_path: Path) -> AsyncIterator[MakeLive]:
    bots: list[LiveBot] = []

    async def make(**extra: str) -> LiveBot:
        bot = await live_bot(shipped_state, tmp_path / f"data{len(bots)}", **extra)
        bots.append(bot)
        await bot.start_polling()
        return bot

    yield make
    for bot in bots:
        await bot.stop()


def connect_timeout(url: str) -> BaseException:
    """What HTTPXRequest raises when connecting timed out: nothing reached Telegram."""
    try:
        raise TimedOut("Timed out") from httpx.ConnectTimeout("connect timed out")
    except TimedOut as exc:
        return exc


def connect_error(url: str) -> BaseException:
    try:
        raise NetworkError("httpx.ConnectError: [Errno 111] Connection refused") \
            from httpx.ConnectError("refused")
    except NetworkError as exc:
        return exc


async def wait_until(predicate: Callable[[], Any], timeout: float = MAX_WAIT) -> None:
    import asyncio

    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


async def ask_through_polling(bot: LiveBot, text: str, user_id: int,
                              lang: str = "lv") -> list[dict[str, Any]]:
    since = len(bot.api.calls)
    bot.api.queue(message=message(text, user_id, lang))
    return await bot.wait_for_sends(user_id, 1, MAX_WAIT, since)


# -- getUpdates --------------------------------------------------------------------------

GET_UPDATES_FAULTS: dict[str, tuple[str, Any]] = {
    "429-retry-after": ("server", Status(429, "Too Many Requests: retry after 1", 1)),
    "500": ("server", Status(500, "Internal Server Error")),
    "502": ("server", Status(502, "Bad Gateway")),
    "connection-reset": ("server", Reset()),
    # getUpdates waits POLL_TIMEOUT + READ_TIMEOUT for its answer
    "read-timeout": ("server", Slow(POLL_TIMEOUT + READ_TIMEOUT + 0.4)),
    "timed-out-request": ("client", lambda url: TimedOut("Timed out")),
    "connection-refused": ("client", connect_error),
}


@pytest.mark.parametrize("fault", list(GET_UPDATES_FAULTS), ids=list(GET_UPDATES_FAULTS))
async def test_polling_goes_on_after_get_updates_fault(live: MakeLive, fault: str) -> None:
    bot = await live()
    side, what = GET_UPDATES_FAULTS[fault]
    if side == "server":
        bot.plan.server("getUpdates", what)
    else:
        bot.plan.client("getUpdates", what)
    await wait_until(lambda: bot.plan.left() == 0)  # the poll in flight took the fault
    started = time.monotonic()

    sent = await ask_through_polling(bot, QUESTION, user_id=501)
    assert sent, f"no reply after the {fault} on getUpdates"
    assert sent[0]["text"].startswith(ANSWER_START)
    assert time.monotonic() - started < 6  # recovered within python-telegram-bot's backoff

    # polling goes on: the next question is answered too, and each was handled once
    sent = await ask_through_polling(bot, RU_QUESTION, user_id=502, lang="ru")
    assert sent and sent[0]["text"].startswith(RU_ANSWER_START)
    await bot.app.bot_data.services.drain()
    assert len(bot.sends(501)) == 1 and len(bot.sends(502)) == 1
    assert bot.rows("questions", 501) == 1 and bot.rows("questions", 502) == 1


# -- sendMessage --------------------------------------------------------------------------

SEND_FAULTS: dict[str, tuple[str, list[Any]]] = {
    "429-retry-after": ("server", [Status(429, "Too Many Requests: retry after 1", 1)]),
    "500-twice": ("server", [Status(500, "Internal Server Error")] * 2),
    "502": ("server", [Status(502, "Bad Gateway")]),
    "connection-reset-twice": ("server", [Reset(), Reset()]),
    "connect-timeout": ("client", [connect_timeout]),
    "connection-refused": ("client", [connect_error]),
}


@pytest.mark.parametrize("fault", list(SEND_FAULTS), ids=list(SEND_FAULTS))
async def test_reply_is_delivered_once_the_fault_clears(live: MakeLive, fault: str,
                                                        caplog: pytest.LogCaptureFixture
                                                        ) -> None:
    caplog.set_level(logging.WARNING)
    bot = await live()
    side, faults = SEND_FAULTS[fault]
    if side == "server":
        bot.plan.server("sendMessage", *faults)
    else:
        bot.plan.client("sendMessage", *faults)

    sent = await ask_through_polling(bot, QUESTION, user_id=601)
    assert sent, f"the reply was lost after {fault}"
    assert sent[0]["text"].startswith(ANSWER_START)
    assert sent[0]["reply_markup"]["inline_keyboard"]  # the whole reply, buttons included
    await bot.app.bot_data.services.drain()
    # bounded: every injected fault was one attempt, then exactly one delivery
    assert bot.plan.left() == 0
    assert len([m for m, _ in bot.plan.injected if m == "sendMessage"]) == len(faults)
    assert len(bot.sends(601)) == 1
    assert SORRY_LV not in [p["text"] for p in bot.sends(601)]
    assert bot.rows("questions", 601) == 1
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_reply_that_timed_out_is_not_sent_twice(live: MakeLive,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    """Telegram got the message but answered after the bot's read timeout: the user has
    the answer; the bot must neither resend it nor apologise."""
    caplog.set_level(logging.WARNING)
    bot = await live()
    bot.plan.server("sendMessage", Slow(READ_TIMEOUT + 0.7), chat_id=701)
    sent = await ask_through_polling(bot, QUESTION, user_id=701)
    assert sent and sent[0]["text"].startswith(ANSWER_START)  # delivered (late)

    # meanwhile and afterwards the bot serves others
    other = await ask_through_polling(bot, RU_QUESTION, user_id=702, lang="ru")
    assert other and other[0]["text"].startswith(RU_ANSWER_START)
    await wait_until(lambda: "may have been delivered" in caplog.text, 5)
    import asyncio

    await asyncio.sleep(READ_TIMEOUT + 0.5)  # anything resent would have arrived by now
    assert [p["text"][:len(ANSWER_START)] for p in bot.sends(701)] == [ANSWER_START]
    await bot.app.bot_data.services.drain()
    assert bot.rows("questions", 701) == 1
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_telegram_down_longer_than_the_retries(live: MakeLive,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    """Every attempt fails: the bot gives up after SEND_ATTEMPTS, logs it, and apologises
    once Telegram answers again; it does not retry forever."""
    caplog.set_level(logging.WARNING)
    bot = await live()
    bot.plan.server("sendMessage", *[Status(502, "Bad Gateway")] * SEND_ATTEMPTS)
    sent = await ask_through_polling(bot, QUESTION, user_id=801)
    assert [p["text"] for p in sent] == [SORRY_LV]
    await bot.app.bot_data.services.drain()
    assert bot.plan.left() == 0
    assert bot.rows("questions", 801) == 1
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "Bad Gateway" in errors[0].getMessage()
    assert errors[0].exc_info is None  # one line, no traceback for a network outage


async def test_blocked_user_is_dropped_and_others_are_served(
        live: MakeLive, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    bot = await live()
    bot.plan.server("sendMessage", Status(403, "Forbidden: bot was blocked by the user"),
                    chat_id=901)
    since = len(bot.api.calls)
    bot.api.queue(message=message(QUESTION, 901))
    bot.api.queue(message=message(RU_QUESTION, 902, "ru"))
    other = await bot.wait_for_sends(902, 1, MAX_WAIT, since)
    assert other and other[0]["text"].startswith(RU_ANSWER_START)
    await wait_until(lambda: bot.plan.left() == 0)
    await wait_until(lambda: "blocked by the user" in caplog.text, 5)
    await bot.app.bot_data.services.drain()

    # one attempt, no retry and no apology to a user who blocked the bot
    assert bot.plan.injected == [("sendMessage", "Status")]
    assert bot.sends(901, since) == []
    assert bot.rows("questions", 901) == 1
    blocked = [r for r in caplog.records if "blocked by the user" in r.getMessage()]
    assert len(blocked) == 1 and blocked[0].levelno == logging.WARNING
    assert blocked[0].exc_info is None
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]

    # and the bot keeps serving them once they unblock it
    sent = await ask_through_polling(bot, QUESTION, user_id=901)
    assert sent and sent[0]["text"].startswith(ANSWER_START)
