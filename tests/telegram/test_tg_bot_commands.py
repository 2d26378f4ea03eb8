"""The command menu Telegram shows next to the input field: default, lv and ru."""

from __future__ import annotations

import logging

import pytest

from tests.telegram.harness import BotHarness

EXPECTED = ["start", "topics", "salary", "language", "share", "help", "forget"]


async def test_post_init_sets_commands_for_default_lv_and_ru(bot: BotHarness) -> None:
    # Application.initialize() does not run post_init (run_polling/run_webhook do), so the
    # test calls the hook the same way run_polling would.
    assert bot.telegram.of("setMyCommands") == []
    await bot.post_init()
    calls = bot.telegram.of("setMyCommands")
    assert [c.params.get("language_code") for c in calls] == [None, "lv", "ru"]
    by_lang = {c.params.get("language_code"): {x["command"]: x["description"]
                                               for x in c.params["commands"]} for c in calls}
    for lang, commands in by_lang.items():
        assert list(commands) == EXPECTED, lang
        assert all(0 < len(d) <= 256 for d in commands.values())
    assert by_lang[None]["forget"] == "Delete my data"
    assert by_lang["lv"]["forget"] == "Dzēst manus datus"
    assert by_lang["lv"]["start"] == "Sākums un galvenās sadaļas"
    assert by_lang["ru"]["language"] != by_lang[None]["language"]
    assert any("а" <= ch <= "я" for ch in by_lang["ru"]["help"].lower())
    # admin commands are not advertised
    for commands in by_lang.values():
        assert not {"stats", "unanswered", "learned", "reload"} & set(commands)
    await bot.post_shutdown()


async def test_refused_set_my_commands_does_not_stop_the_bot(bot: BotHarness,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    bot.telegram.failures["setMyCommands"] = (400, "Bad Request: BOT_COMMAND_INVALID")
    await bot.post_init()
    assert len(bot.telegram.of("setMyCommands")) == 3
    assert "set_my_commands(ru) failed: BadRequest" in caplog.text
    (msg,) = await bot.say("Ko dara bankas klientu menedžeris?")
    assert msg.text.startswith("<b>Konta pārvaldnieks bankā</b>")
    await bot.post_shutdown()
