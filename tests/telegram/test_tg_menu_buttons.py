"""Browsing with inline buttons: menus edit the message in place."""

from __future__ import annotations

from bot.replies import section_reply, topics_reply, unknown_reply
from tests.telegram.harness import BotHarness, TgHtml


def flat(keyboard: list[list[tuple[str, str]]]) -> list[tuple[str, str]]:
    return [b for row in keyboard for b in row]


async def test_menu_button_edits_message_into_section_list(bot: BotHarness) -> None:
    update = bot.updates.callback("menu", message_text=unknown_reply("lv").text)
    calls = await bot.feed(update)
    assert [c.method for c in calls] == ["answerCallbackQuery", "editMessageText"]
    answer, edit = calls
    query = update.callback_query
    assert query is not None and query.message is not None
    assert answer.params["callback_query_id"] == query.id
    assert "text" not in answer.params  # no toast, just stop the spinner
    assert edit.chat_id == 1001
    assert edit.params["message_id"] == query.message.message_id
    assert edit.params["parse_mode"] == "HTML"
    kb = bot.state.current.kb
    assert edit.text == topics_reply(kb, "lv").text
    assert flat(edit.keyboard) == [(s.title.get("lv"), f"s:{s.id}")
                                   for s in kb.sections if s.id != "chat"]


async def test_section_button_lists_its_topics_with_back(bot: BotHarness, tg_html: TgHtml) -> None:
    calls = await bot.press("s:duties")
    assert [c.method for c in calls] == ["answerCallbackQuery", "editMessageText"]
    edit = calls[1]
    kb = bot.state.current.kb
    assert edit.text.startswith("<b>Pienākumi</b>\n")  # the section's title from duties.yaml
    assert edit.text == section_reply(kb, "duties", "lv").text
    tg_html(edit.text)
    section = next(s for s in kb.sections if s.id == "duties")
    assert edit.keyboard[:-1] == [[(kb.topics[t].title.get("lv"), f"mt:{t}")]
                                  for t in section.topic_ids]
    assert ("Konta pārvaldnieks bankā", "mt:duties.bank") in flat(edit.keyboard)
    assert edit.keyboard[-1] == [("⬅️ Atpakaļ", "menu")]


async def test_topic_from_menu_is_shown_in_place_with_back_to_section(bot: BotHarness) -> None:
    calls = await bot.press("mt:duties.bank")
    assert [c.method for c in calls] == ["answerCallbackQuery", "editMessageText"]
    edit = calls[1]
    assert edit.text.startswith("<b>Konta pārvaldnieks bankā</b>\n\n")
    assert edit.params["parse_mode"] == "HTML"
    assert edit.keyboard[-1] == [("⬅️ Atpakaļ", "s:duties")]
    assert ("👍", "f:+:duties.bank") in flat(edit.keyboard)
    # /share afterwards links the topic opened from the menu
    (share,) = await bot.command("share")
    assert "https://t.me/TestAmBot?start=duties-bank" in share.text


async def test_russian_user_browses_in_russian(bot: BotHarness) -> None:
    calls = await bot.press("s:salary", lang="ru")
    assert calls[1].text == section_reply(bot.state.current.kb, "salary", "ru").text
    assert calls[1].text.startswith("<b>Зарплата</b>\n")
    assert calls[1].keyboard[-1] == [("⬅️ Назад", "menu")]


async def test_related_topic_button_sends_a_new_message(bot: BotHarness) -> None:
    calls = await bot.press("t:duties.general")
    assert [c.method for c in calls] == ["answerCallbackQuery", "sendMessage"]
    assert calls[1].text.startswith("<b>Konta pārvaldnieka galvenie pienākumi</b>")


async def test_unchanged_menu_is_left_alone(bot: BotHarness) -> None:
    bot.telegram.failures["editMessageText"] = (
        400, "Bad Request: message is not modified: specified new message content and reply "
             "markup are exactly the same as a current content and reply markup of the message")
    calls = await bot.press("menu", message_text=topics_reply(bot.state.current.kb, "lv").text)
    assert [c.method for c in calls] == ["answerCallbackQuery", "editMessageText"]


async def test_message_too_old_to_edit_gets_a_fresh_message(bot: BotHarness) -> None:
    bot.telegram.failures["editMessageText"] = (400, "Bad Request: message can't be edited")
    calls = await bot.press("s:career")
    assert [c.method for c in calls] == ["answerCallbackQuery", "editMessageText", "sendMessage"]
    assert calls[2].text == section_reply(bot.state.current.kb, "career", "lv").text
    assert calls[2].keyboard[-1] == [("⬅️ Atpakaļ", "menu")]


async def test_topics_command_and_help_open_the_menu(bot: BotHarness) -> None:
    (topics,) = await bot.command("topics")
    assert topics.text == topics_reply(bot.state.current.kb, "lv").text
    assert ("Pienākumi", "s:duties") in flat(topics.keyboard)
    (helpmsg,) = await bot.command("help")
    assert helpmsg.keyboard == [[("📚 Visas tēmas", "menu")]]
    (salary,) = await bot.command("salary", lang="ru")
    assert salary.text.startswith("<b>Зарплата аккаунт-менеджера</b>")
    (language,) = await bot.command("language")
    assert language.keyboard == [[("🇱🇻 Latviešu", "lang:lv"), ("🇷🇺 Русский", "lang:ru")]]


async def test_a_press_answered_too_late_still_gets_its_answer(bot: BotHarness) -> None:
    """A press replayed after a restart: Telegram refuses to stop its spinner any more."""
    bot.telegram.failures["answerCallbackQuery"] = (
        400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
    calls = await bot.press("t:duties.bank")
    assert [c.method for c in calls] == ["answerCallbackQuery", "sendMessage"]
    assert calls[1].text.startswith("<b>Konta pārvaldnieks bankā</b>")
