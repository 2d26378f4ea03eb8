"""👍/👎 and 🔗 buttons under an answer."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.replies import feedback_thanks, share_reply
from tests.telegram.harness import BotHarness, MakeBot, TgHtml


def votes(bot: BotHarness) -> list[tuple[int, str, int]]:
    with sqlite3.connect(bot.storage.path) as db:
        return db.execute("SELECT user_id, topic, vote FROM feedback ORDER BY id").fetchall()


async def test_thumbs_up_is_acknowledged_and_stored(bot: BotHarness) -> None:
    await bot.say("Ko dara bankas klientu menedžeris?")
    update = bot.updates.callback("f:+:duties.bank", message_text="Konta pārvaldnieks bankā")
    calls = await bot.feed(update)  # drains the background write
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    assert update.callback_query is not None
    assert calls[0].params == {"callback_query_id": update.callback_query.id,
                               "text": feedback_thanks("lv").text}
    assert votes(bot) == [(1001, "duties.bank", 1)]


async def test_thumbs_down_in_russian(bot: BotHarness) -> None:
    calls = await bot.press("f:-:salary.overview", user_id=2002, lang="ru")
    assert calls[0].params["text"] == feedback_thanks("ru").text
    assert votes(bot) == [(2002, "salary.overview", -1)]


async def test_votes_show_up_in_admin_stats(bot: BotHarness) -> None:
    await bot.press("f:+:duties.bank", user_id=1)
    await bot.press("f:+:duties.bank", user_id=2)
    await bot.press("f:-:duties.bank", user_id=3)
    (stats,) = await bot.command("stats", user_id=bot.admin_id)
    assert "👍 2 / 👎 1" in stats.text


async def test_share_button_sends_deep_link(bot: BotHarness, tg_html: TgHtml) -> None:
    calls = await bot.press("share:duties.bank")
    assert [c.method for c in calls] == ["answerCallbackQuery", "sendMessage"]
    visible = tg_html(calls[1].text)
    assert visible == "Saite uz „Konta pārvaldnieks bankā”:\nhttps://t.me/TestAmBot?start=duties-bank"


async def test_share_command_without_a_topic_asks_for_a_question_first(bot: BotHarness) -> None:
    (msg,) = await bot.command("share", lang="ru")
    assert msg.text == share_reply(bot.state.current.kb, None, "ru", bot.bot_username).text
    await bot.say("Какая зарплата у аккаунт-менеджера?", lang="ru")
    (msg,) = await bot.command("share", lang="ru")
    assert msg.text == ("Ссылка на «Зарплата аккаунт-менеджера»:\n"
                        "https://t.me/TestAmBot?start=salary-overview")


async def test_one_vote_per_user_and_topic_the_last_one_counts(bot: BotHarness) -> None:
    from bot.telegram.flood import FloodGuard

    bot.app.bot_data.services.flood = FloodGuard(limit=100)  # presses count towards it
    for _ in range(20):
        await bot.press("f:-:duties.bank", user_id=5)
    await bot.press("f:+:salary.overview", user_id=5)
    assert votes(bot) == [(5, "duties.bank", -1), (5, "salary.overview", 1)]
    await bot.press("f:+:duties.bank", user_id=5)  # changed their mind
    assert sorted(votes(bot)) == [(5, "duties.bank", 1), (5, "salary.overview", 1)]
    (stats,) = await bot.command("stats", user_id=bot.admin_id)
    assert "👍 2 / 👎 0" in stats.text


async def test_an_older_database_keeps_the_last_vote_of_each_user_and_topic(make_bot: MakeBot,
                                                                            tmp_path: Path) -> None:
    data = tmp_path / "old"
    data.mkdir()
    with sqlite3.connect(data / "bot.sqlite3") as db:  # as the bot wrote it before
        db.execute("CREATE TABLE feedback (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, "
                   "ts REAL NOT NULL, topic TEXT NOT NULL, vote INTEGER NOT NULL)")
        db.executemany("INSERT INTO feedback(user_id, ts, topic, vote) VALUES(?,?,?,?)",
                       [(7, 1.0, "duties.bank", -1)] * 5 + [(7, 2.0, "duties.bank", 1),
                                                            (8, 3.0, "duties.bank", -1)])
    bot = await make_bot(data_dir=data)
    (stats,) = await bot.command("stats", user_id=bot.admin_id)
    assert "👍 1 / 👎 1" in stats.text
    await bot.press("f:-:duties.bank", user_id=7)
    assert sorted(votes(bot)) == [(7, "duties.bank", -1), (8, "duties.bank", -1)]
