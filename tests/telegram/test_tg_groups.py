"""In groups the bot speaks only when addressed: @mention or a reply to its message."""

from __future__ import annotations

from telegram import Update

from bot.admin_replies import no_unanswered_reply
from bot.replies import help_reply
from tests.telegram.harness import BotHarness


async def test_group_message_without_mention_is_ignored(bot: BotHarness) -> None:
    assert await bot.feed(bot.updates.group("Ko dara bankas klientu menedžeris?")) == []
    assert bot.rows("questions") == 0


async def test_group_message_mentioning_another_bot_is_ignored(bot: BotHarness) -> None:
    update = bot.updates.group("@OtherBot Ko dara bankas klientu menedžeris?")
    assert await bot.feed(update) == []


async def test_group_message_with_mention_is_answered_in_the_group(bot: BotHarness) -> None:
    calls = await bot.feed(bot.updates.group("Ko dara bankas klientu menedžeris?",
                                             mention=True))
    assert [c.method for c in calls] == ["sendMessage"]
    assert calls[0].chat_id == bot.group_id
    assert calls[0].params["parse_mode"] == "HTML"
    assert calls[0].text.startswith("<b>Konta pārvaldnieks bankā</b>")


async def test_mention_in_the_middle_of_the_question(bot: BotHarness) -> None:
    update = bot.updates.group("Какая зарплата у аккаунт-менеджера?")
    data = update.to_dict()
    text = "Какая зарплата, @TestAmBot, у аккаунт-менеджера?"
    data["message"]["text"] = text
    data["message"]["entities"] = [{"type": "mention", "offset": text.index("@"),
                                    "length": len("@TestAmBot")}]

    (msg,) = await bot.feed(Update.de_json(data, bot.app.bot))
    assert msg.text.startswith("<b>Зарплата аккаунт-менеджера</b>")


async def test_reply_to_the_bot_is_answered(bot: BotHarness) -> None:
    calls = await bot.feed(bot.updates.group("Какая зарплата у аккаунт-менеджера?",
                                             reply_to_bot=True, lang="ru"))
    assert [c.method for c in calls] == ["sendMessage"]
    assert calls[0].chat_id == bot.group_id
    assert calls[0].text.startswith("<b>Зарплата аккаунт-менеджера</b>")


async def test_unknown_commands_in_groups_stay_quiet(bot: BotHarness) -> None:
    update = bot.updates.group("/weather")
    data = update.to_dict()
    data["message"]["entities"] = [{"type": "bot_command", "offset": 0, "length": 8}]
    assert await bot.feed(Update.de_json(data, bot.app.bot)) == []


async def test_stickers_in_groups_are_ignored(bot: BotHarness) -> None:
    update = bot.updates.sticker()
    data = update.to_dict()
    data["message"]["chat"] = {"id": bot.group_id, "type": "supergroup", "title": "G"}
    assert await bot.feed(Update.de_json(data, bot.app.bot)) == []


async def test_a_bare_mention_gets_the_help_and_stores_nothing(bot: BotHarness) -> None:
    """"@TestAmBot" alone: how to ask, not "I don't know" — and no empty question in
    /unanswered."""
    update = bot.updates.group("", mention=True)
    assert update.message is not None and update.message.text == "@TestAmBot "
    (msg,) = await bot.feed(update)
    assert msg.chat_id == bot.group_id
    assert msg.text == help_reply("lv").text
    assert bot.rows("questions") == 0
    (unanswered,) = await bot.command("unanswered", user_id=bot.admin_id)
    assert unanswered.text == no_unanswered_reply("lv").text


async def test_a_mention_in_russian_gets_the_help_in_russian(bot: BotHarness) -> None:
    (msg,) = await bot.feed(bot.updates.group("", mention=True, lang="ru"))
    assert msg.text == help_reply("ru").text
