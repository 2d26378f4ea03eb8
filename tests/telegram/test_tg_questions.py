"""Free-text questions in a private chat: answer, "did you mean", honest "I don't know"."""

from __future__ import annotations

import re

from telegram import Update

CYRILLIC = re.compile(r"[а-яё]", re.I)


def flat(keyboard):
    return [b for row in keyboard for b in row]


async def test_latvian_question_gets_one_html_answer_with_buttons(bot, tg_html):
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


async def test_russian_question_gets_russian_answer(bot, tg_html):
    (msg,) = await bot.say("Какая зарплата у аккаунт-менеджера?", lang="lv")
    assert msg.text.startswith("<b>Зарплата аккаунт-менеджера</b>")
    visible = tg_html(msg.text)
    assert "RUB" in visible or "руб" in visible
    assert msg.keyboard[-1][-1] == ("🔗 Поделиться", "share:salary.overview")
    assert all(CYRILLIC.search(label) or label in ("👍", "👎") for label in msg.button_labels)


async def test_questions_are_recorded_for_statistics(bot):
    await bot.say("Ko dara bankas klientu menedžeris?", user_id=1001)
    await bot.say("Какая зарплата у аккаунт-менеджера?", user_id=1002, lang="ru")
    assert bot.rows("questions") == 2
    assert bot.rows("questions", 1001) == 1
    assert bot.rows("users") == 2  # language and last topic remembered


async def test_out_of_domain_question_gets_dont_know_with_all_topics(bot):
    (msg,) = await bot.say("Kā audzēt gurķus uz balkona?", lang="lv")
    assert msg.text.startswith("Atvainojiet, to es nezinu.")
    assert msg.keyboard == [[("📚 Visas tēmas", "menu")]]


async def test_out_of_domain_question_in_russian(bot):
    (msg,) = await bot.say("Как испечь торт?", lang="lv")
    assert msg.text.startswith("Извините, этого я не знаю.")
    assert msg.keyboard == [[("📚 Все темы", "menu")]]


async def test_vague_question_offers_suggestions_that_open_answers(bot):
    (msg,) = await bot.say("darbs", lang="lv")
    assert msg.text == "Neesmu pārliecināts, ka sapratu. Vai jūs domājāt:"
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


async def test_edited_message_is_not_answered_twice(bot):
    update = bot.updates.text("Ko dara bankas klientu menedžeris?")
    data = update.to_dict()
    data["edited_message"] = data.pop("message")
    data["edited_message"]["edit_date"] = data["edited_message"]["date"] + 5
    calls = await bot.feed(Update.de_json(data, bot.app.bot))
    assert calls == []
