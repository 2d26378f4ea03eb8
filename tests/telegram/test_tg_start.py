"""/start: greeting in the user's language, deep links to a topic or a language."""

from __future__ import annotations

import re

import pytest

from bot.replies import help_reply, start_reply
from tests.telegram.harness import BotHarness, TgHtml

CYRILLIC = re.compile(r"[а-яё]", re.I)
LATVIAN = re.compile(r"[āčēģīķļņšūž]", re.I)
SWITCH = [("🇱🇻 Latviešu", "lang:lv"), ("🇷🇺 Русский", "lang:ru")]


def section_buttons(bot: BotHarness, lang: str) -> list[tuple[str, str]]:
    kb = bot.state.current.kb
    return [(s.title.get(lang), f"s:{s.id}") for s in kb.sections if s.id != "chat"]


def flat(keyboard: list[list[tuple[str, str]]]) -> list[tuple[str, str]]:
    return [b for row in keyboard for b in row]


async def test_latvian_user_gets_latvian_greeting_with_sections(bot: BotHarness) -> None:
    calls = await bot.command("start", lang="lv")
    assert [c.method for c in calls] == ["sendMessage"]
    (msg,) = calls
    assert msg.chat_id == 1001
    assert msg.params["parse_mode"] == "HTML"
    assert msg.text == start_reply(bot.state.current.kb, "lv").text
    assert not CYRILLIC.search(msg.text)
    buttons = flat(msg.keyboard)
    assert buttons == section_buttons(bot, "lv")
    assert ("Pienākumi", "s:duties") in buttons and ("Alga", "s:salary") in buttons
    assert not any(data.startswith("lang:") for _, data in buttons)  # no needless switch


@pytest.mark.parametrize("code", ["ru", "uk", "ru-RU", "be"])
async def test_russian_speaking_user_gets_russian_greeting(bot: BotHarness, code: str | None) -> None:
    (msg,) = await bot.command("start", lang=code)
    assert msg.text == start_reply(bot.state.current.kb, "ru").text
    assert CYRILLIC.search(msg.text)
    assert flat(msg.keyboard) == section_buttons(bot, "ru")
    assert ("Зарплата", "s:salary") in flat(msg.keyboard)


@pytest.mark.parametrize("code", ["en", "de", None])
async def test_other_languages_get_latvian_and_a_language_switch(bot: BotHarness, code: str | None) -> None:
    (msg,) = await bot.command("start", lang=code)
    assert msg.text == start_reply(bot.state.current.kb, "lv", offer_switch=True).text
    assert msg.keyboard[-1] == SWITCH
    assert flat(msg.keyboard)[:-2] == section_buttons(bot, "lv")


async def test_language_switch_button_fixes_the_reply_language(bot: BotHarness) -> None:
    await bot.command("start", lang="en")
    calls = await bot.press("lang:ru", lang="en")
    assert [c.method for c in calls] == ["answerCallbackQuery", "sendMessage"]
    assert calls[1].text == "Готово, буду отвечать по-русски."
    # Latvian question, but the user chose Russian: the answer comes in Russian.
    (answer,) = await bot.say("Ko dara bankas klientu menedžeris?", lang="en")
    assert answer.text.startswith("<b>Клиентский менеджер в банке</b>")
    assert bot.rows("users", 1001) == 1


async def test_deep_link_opens_the_topic(bot: BotHarness, tg_html: TgHtml) -> None:
    calls = await bot.command("start", "duties-bank", lang="lv")
    assert [c.method for c in calls] == ["sendMessage"]
    (msg,) = calls
    assert msg.params["parse_mode"] == "HTML"
    assert msg.text.startswith("<b>Konta pārvaldnieks bankā</b>\n\n")
    assert "izpilda pārdošanas plānu" in msg.text
    visible = tg_html(msg.text)
    assert visible.startswith("Konta pārvaldnieks bankā")
    assert ("👍", "f:+:duties.bank") in flat(msg.keyboard)
    assert ("👎", "f:-:duties.bank") in flat(msg.keyboard)
    assert ("🔗 Dalīties", "share:duties.bank") in flat(msg.keyboard)


async def test_deep_link_answer_follows_user_language(bot: BotHarness) -> None:
    (msg,) = await bot.command("start", "duties-bank", lang="ru")
    assert msg.text.startswith("<b>Клиентский менеджер в банке</b>")


async def test_deep_link_to_a_topic_with_underscore(bot: BotHarness) -> None:
    (msg,) = await bot.command("start", "duties-mobile_retail", lang="lv")
    assert msg.text.startswith("<b>Menedžeris mobilo sakaru salonā</b>")


async def test_start_ru_payload_sets_russian(bot: BotHarness) -> None:
    (msg,) = await bot.command("start", "ru", lang="lv")
    assert msg.text == start_reply(bot.state.current.kb, "ru").text
    assert flat(msg.keyboard) == section_buttons(bot, "ru")
    # The choice sticks: later replies to this Latvian-speaking user are Russian.
    (helpmsg,) = await bot.command("help", lang="lv")
    assert helpmsg.text == help_reply("ru").text
    assert bot.rows("users", 1001) == 1


async def test_start_lv_payload_sets_latvian_for_russian_user(bot: BotHarness) -> None:
    (msg,) = await bot.command("start", "lv", lang="ru")
    assert msg.text == start_reply(bot.state.current.kb, "lv").text
    (helpmsg,) = await bot.command("help", lang="ru")
    assert helpmsg.text == help_reply("lv").text


@pytest.mark.parametrize("payload", [
    "nosuch-topic", "duties-", "duties-nosuch", "-", "../../etc/passwd", "a" * 65,
    "<b>hi</b>", "duties.bank", "en", "RU", "%F0%9F%98%80", "duties-bank%00",
])
async def test_unknown_or_malformed_payload_gives_normal_greeting(bot: BotHarness, payload: str) -> None:
    calls = await bot.command("start", payload, lang="lv")
    assert [c.method for c in calls] == ["sendMessage"]
    assert calls[0].text == start_reply(bot.state.current.kb, "lv").text
    assert flat(calls[0].keyboard) == section_buttons(bot, "lv")
