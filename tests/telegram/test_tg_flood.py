"""Flood guard: a user hammering the bot gets at most the limit of answers and one notice;
other users are served as usual."""

from __future__ import annotations

import asyncio

SLOW_DOWN_LV = "Jūs sūtāt ziņas pārāk ātri — lūdzu, brīdi pagaidiet."


async def test_flooding_user_is_limited_and_warned_once(bot):
    limit = bot.app.bot_data["svc"].flood.limit
    flooder, other = 1001, 2002
    calls = []
    for i in range(20):
        calls += await bot.say(f"Ko dara bankas klientu menedžeris? {i}", user_id=flooder)
    to_flooder = [c for c in calls if c.chat_id == flooder]
    assert all(c.method == "sendMessage" for c in to_flooder)
    notices = [c for c in to_flooder if c.text == SLOW_DOWN_LV]
    answers = [c for c in to_flooder if c.text.startswith("<b>Konta pārvaldnieks bankā</b>")]
    assert len(notices) == 1
    assert 1 <= len(answers) <= limit
    assert len(to_flooder) == len(answers) + 1
    # the notice comes right after the last answer, nothing after it
    assert to_flooder[-1].text == SLOW_DOWN_LV
    assert bot.rows("questions", flooder) == len(answers)

    (msg,) = await bot.say("Какая зарплата у аккаунт-менеджера?", user_id=other, lang="ru")
    assert msg.chat_id == other
    assert msg.text.startswith("<b>Зарплата аккаунт-менеджера</b>")


async def test_flood_notice_in_russian(bot):
    calls = []
    for _ in range(12):
        calls += await bot.say("Какая зарплата у аккаунт-менеджера?", user_id=7, lang="ru")
    assert calls[-1].text == ("Вы отправляете сообщения слишком быстро — пожалуйста, "
                              "подождите немного.")


async def test_buttons_still_work_while_messages_are_limited(bot):
    for _ in range(12):
        await bot.say("alga", user_id=8)
    calls = await bot.press("s:duties", user_id=8)
    assert [c.method for c in calls] == ["answerCallbackQuery", "editMessageText"]


async def test_burst_processed_concurrently_gives_one_notice(bot):
    """getUpdates delivers a burst at once and the Application handles it concurrently."""
    limit = bot.app.bot_data["svc"].flood.limit
    mark = len(bot.telegram.calls)
    burst = [bot.updates.text(f"alga {i}", user_id=9) for i in range(20)]
    await asyncio.gather(*(bot.app.process_update(u) for u in burst))
    await bot.app.bot_data["svc"].drain()
    sent = bot.telegram.of("sendMessage", mark)
    assert len([c for c in sent if c.text == SLOW_DOWN_LV]) == 1
    assert len(sent) == limit + 1
