"""Free-text questions in a private chat: answer, "did you mean", honest "I don't know"."""

from __future__ import annotations

import html
import re

import pytest
from telegram import Update

from bot.i18n import gettext_for
from bot.replies import unknown_reply
from tests.telegram.harness import BotHarness, TgHtml

CYRILLIC = re.compile(r"[а-яё]", re.I)


def flat(keyboard: list[list[tuple[str, str]]]) -> list[tuple[str, str]]:
    return [b for row in keyboard for b in row]


async def test_latvian_question_gets_one_html_answer_with_buttons(bot: BotHarness, tg_html: TgHtml) -> None:
    calls = await bot.say("Ko dara bankas klientu menedžeris?", lang="lv")
    assert [c.method for c in calls] == ["sendMessage"]
    (msg,) = calls
    assert msg.chat_id == 1001
    assert msg.params["parse_mode"] == "HTML"
    assert "reply_parameters" not in msg.params  # a plain message, not a quote
    assert msg.text.startswith("<b>Konta pārvaldnieks bankā</b>\n\n")
    assert "konsultē klientus par bankas produktiem" in tg_html(msg.text)
    rows = msg.keyboard
    # related topics, one per row, then the feedback/share row
    related = [row[0] for row in rows[:-1]]
    assert ("Konta pārvaldnieka galvenie pienākumi", "t:duties.general") in related
    assert all(len(row) == 1 and data.startswith("t:") for row in rows[:-1]
               for _, data in row)
    assert rows[-1] == [("👍", "f:+:duties.bank"), ("👎", "f:-:duties.bank"),
                        ("🔗 Dalīties", "share:duties.bank")]


async def test_russian_question_gets_russian_answer(bot: BotHarness, tg_html: TgHtml) -> None:
    (msg,) = await bot.say("Какая зарплата у аккаунт-менеджера?", lang="lv")
    assert msg.text.startswith("<b>Зарплата аккаунт-менеджера</b>")
    visible = tg_html(msg.text)
    assert "RUB" in visible or "руб" in visible
    assert msg.keyboard[-1][-1] == ("🔗 Поделиться", "share:salary.overview")
    assert all(CYRILLIC.search(label) or label in ("👍", "👎") for label in msg.button_labels)


async def test_questions_are_recorded_for_statistics(bot: BotHarness) -> None:
    await bot.say("Ko dara bankas klientu menedžeris?", user_id=1001)
    await bot.say("Какая зарплата у аккаунт-менеджера?", user_id=1002, lang="ru")
    assert bot.rows("questions") == 2
    assert bot.rows("questions", 1001) == 1
    assert bot.rows("users") == 2  # language and last topic remembered


async def test_out_of_domain_question_gets_dont_know_with_all_topics(bot: BotHarness) -> None:
    (msg,) = await bot.say("Kā audzēt gurķus uz balkona?", lang="lv")
    assert msg.text == unknown_reply("lv").text
    assert msg.keyboard == [[("📚 Visas tēmas", "menu")]]


async def test_out_of_domain_question_in_russian(bot: BotHarness) -> None:
    (msg,) = await bot.say("Как испечь торт?", lang="lv")
    assert msg.text == unknown_reply("ru").text
    assert msg.keyboard == [[("📚 Все темы", "menu")]]


async def test_vague_question_offers_suggestions_that_open_answers(bot: BotHarness) -> None:
    (msg,) = await bot.say("darbs", lang="lv")
    assert msg.text == gettext_for("lv", "I am not sure I understood. Did you mean:")
    data = msg.button_data
    assert data[-1] == "menu"
    suggestions = [d for d in data if d.startswith("t:")]
    assert suggestions, data
    # pressing a suggestion sends the answer as a new message (the question stays visible)
    calls = await bot.press(suggestions[0], message_text=msg.text)
    assert [c.method for c in calls] == ["answerCallbackQuery", "sendMessage"]
    tid = suggestions[0][2:]
    title = bot.state.current.kb.topics[tid].title.get("lv")
    assert calls[1].text.startswith(f"<b>{title}</b>")
    assert ("👍", f"f:+:{tid}") in flat(calls[1].keyboard)
    assert not any(d.startswith("s:") for d in calls[1].button_data)  # no "back" here


async def test_edited_message_is_not_answered_twice(bot: BotHarness) -> None:
    update = bot.updates.text("Ko dara bankas klientu menedžeris?")
    data = update.to_dict()
    data["edited_message"] = data.pop("message")
    data["edited_message"]["edit_date"] = data["edited_message"]["date"] + 5
    calls = await bot.feed(Update.de_json(data, bot.app.bot))
    assert calls == []


@pytest.mark.parametrize(("text", "lang", "topic"), [
    ("Sveiki!", "lv", "chat.greeting"),
    ("Привет!", "ru", "chat.greeting"),
    ("Paldies!", "lv", "chat.thanks"),
    ("Спасибо большое!", "ru", "chat.thanks"),
    ("Uz redzēšanos!", "lv", "chat.goodbye"),
])
async def test_small_talk_is_answered_plainly(bot: BotHarness, text: str, lang: str, topic: str) -> None:
    """"Sveiki!" gets a greeting, not an article: no bold title, no 👍/👎, no share."""
    (msg,) = await bot.say(text, lang=lang)
    kb = bot.state.current.kb
    assert msg.text == html.escape(kb.answer(topic, lang))
    assert "<b>" not in msg.text
    assert not [d for d in msg.button_data if d.startswith(("f:", "share:"))]
    # related topics stay one tap away
    assert msg.button_data == [f"t:{rid}" for rid in kb.topics[topic].related]


async def test_share_after_small_talk_links_the_last_real_topic(bot: BotHarness) -> None:
    await bot.say("Ko dara bankas klientu menedžeris?")
    await bot.say("Paldies!")
    (share,) = await bot.command("share")
    assert "?start=duties-bank" in share.text
