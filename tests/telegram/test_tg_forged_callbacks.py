"""Callback data is client-controlled: forged, stale or oversized data must be refused
politely ("this button has expired"), without an error and without writing anything."""

from __future__ import annotations

import logging

import pytest
from telegram import Update

from bot.replies import expired_reply
from tests.telegram.harness import BotHarness

FORGED = [
    "hack",
    "",
    "MENU",
    "s:nosuch",
    "s:",
    "t:nosuch.topic",
    "mt:nosuch.topic",
    "mt:",
    "f:+:nosuch.topic",
    "f:x:duties.bank",
    "f:+-:duties.bank",
    "f::duties.bank",
    "f:duties.bank",
    "lang:en",
    "lang:",
    "share:nosuch.topic",
    "mt:duties.bank" + "x" * 60,  # > 64 bytes
    "t:" + "ā" * 40,  # 82 bytes of UTF-8
    "s:duties\x00",
    "f:+:duties.bank:extra",
    "t:salary.overview~",  # a salary topic's filters: known ids, one or two, salary topics only
    "t:salary.overview~bogus",
    "t:salary.overview~bank,it,auto",
    "t:duties.bank~bank",
    "t:salary.overview~bank~it",
]


@pytest.mark.parametrize("data", FORGED)
async def test_forged_callback_data_says_expired(bot: BotHarness, data: str,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR)
    update = bot.updates.callback(data)
    calls = await bot.feed(update)
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    assert update.callback_query is not None
    assert calls[0].params == {"callback_query_id": update.callback_query.id,
                               "text": expired_reply("lv").text}
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert bot.rows("feedback") == 0


async def test_expired_text_in_russian(bot: BotHarness) -> None:
    calls = await bot.press("mt:old.topic", lang="ru")
    assert calls[0].params["text"] == expired_reply("ru").text


async def test_callback_without_message_is_still_answered(bot: BotHarness) -> None:
    """Buttons under an inline-mode message carry no `message`, only inline_message_id."""
    data = bot.updates.callback("mt:duties.bank").to_dict()
    del data["callback_query"]["message"]
    data["callback_query"]["inline_message_id"] = "AgAAAEx"
    calls = await bot.feed(Update.de_json(data, bot.app.bot))
    assert [c.method for c in calls][0] == "answerCallbackQuery"
    assert "text" not in calls[0].params
