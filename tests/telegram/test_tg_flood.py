"""Flood guard: a user hammering the bot gets at most the limit of answers and one notice;
other users are served as usual."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.replies import slow_down_reply
from tests.bot_api import Call
from tests.telegram.harness import BotHarness

SLOW_DOWN_LV = slow_down_reply("lv").text


async def test_flooding_user_is_limited_and_warned_once(bot: BotHarness) -> None:
    limit = bot.app.bot_data.services.flood.limit
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


async def test_flood_notice_in_russian(bot: BotHarness) -> None:
    calls = []
    for _ in range(12):
        calls += await bot.say("Какая зарплата у аккаунт-менеджера?", user_id=7, lang="ru")
    assert calls[-1].text == slow_down_reply("ru").text


async def test_button_presses_share_the_limit_with_messages(bot: BotHarness) -> None:
    limit = bot.app.bot_data.services.flood.limit
    for _ in range(limit):
        await bot.say("alga", user_id=8)
    calls = await bot.press("s:duties", user_id=8)
    assert [(c.method, c.params.get("text")) for c in calls] == [
        ("answerCallbackQuery", SLOW_DOWN_LV)]  # a toast, once
    assert await bot.press("s:duties", user_id=8) == []  # then nothing


async def test_three_hundred_presses_get_the_limit_and_others_are_not_kept_waiting(bot: BotHarness) -> None:
    """A client scripted to press a topic button 300 times (each press a full answer
    before), all at once, while another user asks."""
    limit = bot.app.bot_data.services.flood.limit
    flooder, other = 5001, 5002
    mark = len(bot.telegram.calls)
    presses = [bot.updates.callback("t:duties.bank", user_id=flooder) for _ in range(300)]
    votes = [bot.updates.callback("f:-:duties.bank", user_id=flooder) for _ in range(20)]
    await asyncio.gather(*(bot.app.process_update(u) for u in presses + votes))
    await bot.app.bot_data.services.drain()
    answers = [c for c in bot.telegram.of("sendMessage", mark) if c.chat_id == flooder]
    toasts = [c for c in bot.telegram.of("answerCallbackQuery", mark)
              if c.params.get("text") == SLOW_DOWN_LV]
    assert len(answers) == limit and len(toasts) == 1
    assert len(bot.telegram.calls) - mark == 2 * limit + 1  # answer+ack per press, 1 toast
    assert bot.rows("feedback", flooder) == 0  # the votes came after the limit
    (msg,) = await bot.say("Какая зарплата у аккаунт-менеджера?", user_id=other, lang="ru")
    assert msg.text.startswith("<b>Зарплата аккаунт-менеджера</b>")


async def test_inline_queries_are_limited_too(bot: BotHarness) -> None:
    limit = bot.app.bot_data.services.flood.limit
    mark = len(bot.telegram.calls)
    for i in range(300):
        await bot.feed(bot.updates.inline(f"alga {i}", user_id=5003))
    answered = bot.telegram.of("answerInlineQuery", mark)
    from bot.telegram.flood import INLINE_COST

    assert len(answered) == int(limit / INLINE_COST)
    # and the same budget: a message right after is over the limit
    (notice,) = await bot.say("alga", user_id=5003)
    assert notice.text == SLOW_DOWN_LV


async def test_burst_processed_concurrently_gives_one_notice(bot: BotHarness) -> None:
    """getUpdates delivers a burst at once and the Application handles it concurrently."""
    limit = bot.app.bot_data.services.flood.limit
    mark = len(bot.telegram.calls)
    burst = [bot.updates.text(f"alga {i}", user_id=9) for i in range(20)]
    await asyncio.gather(*(bot.app.process_update(u) for u in burst))
    await bot.app.bot_data.services.drain()
    sent = bot.telegram.of("sendMessage", mark)
    assert len([c for c in sent if c.text == SLOW_DOWN_LV]) == 1
    assert len(sent) == limit + 1


async def _wait_for(predicate: Callable[[], object], timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def test_hundred_messages_while_others_ask(bot: BotHarness) -> None:
    """100 messages from one user within a second or two, through the Application's own
    update queue (processed 16 at a time), interleaved with two other users' questions:
    the flooder gets answers up to the limit and exactly one notice; the others get every
    answer; the questions stored are exactly the answered ones."""
    limit = bot.app.bot_data.services.flood.limit
    flooder, lv_user, ru_user = 4001, 4002, 4003
    updates = []
    for i in range(100):
        updates.append(bot.updates.text(f"Ko dara bankas klientu menedžeris? {i}",
                                        user_id=flooder))
        if i % 20 == 0:
            updates.append(bot.updates.text("Kāda ir konta pārvaldnieka alga?", user_id=lv_user))
            updates.append(bot.updates.text("Какая зарплата у аккаунт-менеджера?",
                                            user_id=ru_user, lang="ru"))
    mark = len(bot.telegram.calls)
    started = asyncio.get_running_loop().time()
    await bot.app.start()
    try:
        for u in updates:
            await bot.app.update_queue.put(u)

        def to(chat: int) -> list[Call]:
            return [c for c in bot.telegram.of("sendMessage", mark) if c.chat_id == chat]

        await _wait_for(lambda: len(to(flooder)) >= limit + 1 and len(to(lv_user)) == 5
                        and len(to(ru_user)) == 5 and bot.app.update_queue.empty())
        await asyncio.sleep(0.3)  # anything extra would show up now
    finally:
        await bot.app.stop()
    await bot.app.bot_data.services.drain()
    assert asyncio.get_running_loop().time() - started < 5
    flood = to(flooder)
    assert len([c for c in flood if c.text == SLOW_DOWN_LV]) == 1
    assert len([c for c in flood if c.text.startswith("<b>Konta pārvaldnieks bankā</b>")]) == limit
    assert len(flood) == limit + 1
    assert all(c.text.startswith("<b>Konta pārvaldnieka alga</b>") for c in to(lv_user))
    assert all(c.text.startswith("<b>Зарплата аккаунт-менеджера</b>") for c in to(ru_user))
    assert bot.rows("questions", flooder) == limit
    assert bot.rows("questions", lv_user) == bot.rows("questions", ru_user) == 5


async def test_flooder_is_served_again_when_the_window_has_room(bot: BotHarness) -> None:
    from bot.telegram.flood import FloodGuard

    bot.app.bot_data.services.flood = FloodGuard(limit=3, window=0.4)
    replies = []
    for _ in range(6):
        replies += await bot.say("alga", user_id=4101)
    assert [c.text == SLOW_DOWN_LV for c in replies] == [False] * 3 + [True]
    await asyncio.sleep(0.5)
    again = []
    for _ in range(5):
        again += await bot.say("alga", user_id=4101)
    assert [c.text == SLOW_DOWN_LV for c in again] == [False] * 3 + [True]
