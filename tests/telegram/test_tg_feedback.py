"""👍/👎 and 🔗 buttons under an answer."""

from __future__ import annotations

import sqlite3


def votes(bot) -> list[tuple[int, str, int]]:
    with sqlite3.connect(bot.storage.path) as db:
        return db.execute("SELECT user_id, topic, vote FROM feedback ORDER BY id").fetchall()


async def test_thumbs_up_is_acknowledged_and_stored(bot):
    await bot.say("Ko dara bankas klientu menedžeris?")
    update = bot.updates.callback("f:+:duties.bank", message_text="Konta pārvaldnieks bankā")
    calls = await bot.feed(update)  # drains the background write
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    assert calls[0].params == {"callback_query_id": update.callback_query.id,
                               "text": "Paldies par vērtējumu!"}
    assert votes(bot) == [(1001, "duties.bank", 1)]


async def test_thumbs_down_in_russian(bot):
    calls = await bot.press("f:-:salary.overview", user_id=2002, lang="ru")
    assert calls[0].params["text"] == "Спасибо за оценку!"
    assert votes(bot) == [(2002, "salary.overview", -1)]


async def test_votes_show_up_in_admin_stats(bot):
    await bot.press("f:+:duties.bank", user_id=1)
    await bot.press("f:+:duties.bank", user_id=2)
    await bot.press("f:-:duties.bank", user_id=3)
    (stats,) = await bot.command("stats", user_id=bot.admin_id)
    assert "👍 2 / 👎 1" in stats.text


async def test_share_button_sends_deep_link(bot, tg_html):
    calls = await bot.press("share:duties.bank")
    assert [c.method for c in calls] == ["answerCallbackQuery", "sendMessage"]
    visible = tg_html(calls[1].text)
    assert visible == "Saite uz “Konta pārvaldnieks bankā”:\nhttps://t.me/TestAmBot?start=duties-bank"


async def test_share_command_without_a_topic_asks_for_a_question_first(bot):
    (msg,) = await bot.command("share", lang="ru")
    assert msg.text == "Сначала задайте вопрос — тогда я смогу дать ссылку на эту тему."
    await bot.say("Какая зарплата у аккаунт-менеджера?", lang="ru")
    (msg,) = await bot.command("share", lang="ru")
    assert msg.text == ("Ссылка на «Зарплата аккаунт-менеджера»:\n"
                        "https://t.me/TestAmBot?start=salary-overview")
