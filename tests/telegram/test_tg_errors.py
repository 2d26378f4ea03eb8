"""When Telegram refuses a reply the bot logs it, apologises if it can, and keeps going."""

from __future__ import annotations

import logging

import pytest

from bot.replies import error_reply
from tests.telegram.harness import BotHarness


async def test_refused_reply_is_logged_and_user_gets_an_apology_attempt(
        bot: BotHarness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR)
    bot.telegram.failures["sendMessage"] = (400, "Bad Request: can't parse entities")
    calls = await bot.say("alga")
    assert [c.method for c in calls] == ["sendMessage", "sendMessage"]
    assert calls[0].text.startswith("<b>Konta pārvaldnieka alga</b>")
    assert calls[1].text == error_reply("lv").text
    assert "error while handling an update: BadRequest" in caplog.text
    assert "Traceback" not in calls[1].text

    # Telegram is fine again: the next question is answered normally
    del bot.telegram.failures["sendMessage"]
    (msg,) = await bot.say("Какая зарплата у аккаунт-менеджера?", user_id=2, lang="ru")
    assert msg.text.startswith("<b>Зарплата аккаунт-менеджера</b>")


async def test_apology_follows_russian_language_code(bot: BotHarness) -> None:
    bot.telegram.failures["sendMessage"] = (400, "Bad Request: chat not found")
    calls = await bot.say("Какая зарплата?", lang="ru")
    assert calls[-1].text == error_reply("ru").text


async def test_blocked_by_user_in_a_group_stays_quiet(bot: BotHarness) -> None:
    bot.telegram.failures["sendMessage"] = (403, "Forbidden: bot was kicked from the group")
    calls = await bot.feed(bot.updates.group("alga", mention=True))
    assert [c.method for c in calls] == ["sendMessage"]  # no apology into a group
