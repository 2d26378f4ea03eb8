"""/forget deletes every row about the user, and only about that user."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.replies import forget_reply, help_reply
from tests.telegram.harness import BotHarness


def count_rows(path: Path, user_id: int) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        return {t: db.execute(f"SELECT COUNT(*) FROM {t} WHERE user_id=?",
                              (user_id,)).fetchone()[0]
                for t in ("users", "questions", "feedback")}


async def test_forget_deletes_everything_about_the_user(bot: BotHarness) -> None:
    me, other = 1001, 2002
    await bot.say("Ko dara bankas klientu menedžeris?", user_id=me)
    await bot.say("Kā audzēt gurķus uz balkona?", user_id=me)
    await bot.press("f:+:duties.bank", user_id=me)
    await bot.press("lang:lv", user_id=me)
    await bot.say("Какая зарплата у аккаунт-менеджера?", user_id=other, lang="ru")
    before = count_rows(bot.storage.path, me)
    assert before == {"users": 1, "questions": 2, "feedback": 1}
    total = sum(before.values())

    calls = await bot.command("forget", user_id=me)
    assert [c.method for c in calls] == ["sendMessage"]
    assert calls[0].text == f"Darīts: izdzēsu {total} ierakstus par jums."
    assert count_rows(bot.storage.path, me) == {"users": 0, "questions": 0, "feedback": 0}
    assert count_rows(bot.storage.path, other) == {"users": 1, "questions": 1, "feedback": 0}

    # nothing comes back from the cache: the chosen language is gone too
    (helpmsg,) = await bot.command("help", user_id=me, lang="ru")
    assert helpmsg.text == help_reply("ru").text
    assert count_rows(bot.storage.path, me)["users"] == 0


async def test_forget_right_after_a_question_leaves_nothing_behind(bot: BotHarness) -> None:
    """The question's write is still in flight when /forget arrives."""
    me = 3003
    await bot.app.process_update(bot.updates.text("Ko dara bankas klientu menedžeris?",
                                                  user_id=me))
    calls = await bot.command("forget", user_id=me)
    assert calls[0].text == forget_reply("lv", 2).text  # users + questions
    assert sum(count_rows(bot.storage.path, me).values()) == 0


async def test_forget_with_nothing_stored_says_so(bot: BotHarness) -> None:
    (msg,) = await bot.command("forget", user_id=4004, lang="ru")
    assert msg.text == "Данных о вас нет."
    (msg,) = await bot.command("forget", user_id=4005, lang="lv")
    assert msg.text == "Par jums nekas nav saglabāts."


@pytest.mark.parametrize(("n", "lv", "ru"), [
    (1, "Darīts: izdzēsu 1 ierakstu par jums.", "Готово: удалена 1 запись о вас."),
    (3, "Darīts: izdzēsu 3 ierakstus par jums.", "Готово: удалены 3 записи о вас."),
    (11, "Darīts: izdzēsu 11 ierakstus par jums.", "Готово: удалено 11 записей о вас."),
    (21, "Darīts: izdzēsu 21 ierakstu par jums.", "Готово: удалена 21 запись о вас."),
])
def test_forget_counts_in_both_languages_plural_forms(n: int, lv: str, ru: str) -> None:
    """Wording is the point here: the count agrees with its noun in both languages."""
    assert forget_reply("lv", n).text == lv
    assert forget_reply("ru", n).text == ru
