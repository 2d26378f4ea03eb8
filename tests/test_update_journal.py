"""The update journal, in-process: what the last run left is answered once on start (an
update Telegram sends again is not answered twice), one already replied to is not
answered again, old updates are skipped, and an update the bot cannot read is dropped with a
log line instead of stopping polling. The kill -9 test is test_crash_recovery.py.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.journal import UpdateJournal
from bot.state import KnowledgeState
from tests.bot_api import Status, callback, message
from tests.live_telegram import LiveBot, live_bot

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "Ko dara bankas klientu menedžeris?"
ANSWER_START = "<b>Konta pārvaldnieks bankā</b>"
PRIVATE_WORD = "Zebrakolibri"

MakeLive = Callable[..., Awaitable[LiveBot]]


@pytest.fixture
async def live(shipped_state: KnowledgeState, tmp_path: Path) -> AsyncIterator[MakeLive]:
    bots: list[LiveBot] = []

    async def make(**extra: str) -> LiveBot:
        bot = await live_bot(shipped_state, tmp_path / "data", **extra)
        bots.append(bot)
        return bot

    yield make
    for bot in bots:
        await bot.stop()


def left_by_a_crash(data_dir: Path, updates: list[dict[str, Any]],
                    replied: frozenset[int] = frozenset(), age: float = 0.0) -> None:
    """The journal as a killed run leaves it: admitted, some replied to, none done."""
    journal = UpdateJournal(data_dir / "updates.sqlite3")
    journal.admit([(u["update_id"], json.dumps(u)) for u in updates], time.time() - age)
    for uid in replied:
        journal.mark_replied(uid)


async def test_unanswered_updates_are_answered_once_on_start(live, tmp_path, caplog) -> None:
    caplog.set_level(logging.WARNING)
    users = [101, 102, 103, 104]
    updates = [{"update_id": 500 + i, "message": message(QUESTION, u)} for i, u in enumerate(users)]
    left_by_a_crash(tmp_path / "data", updates, replied=frozenset({503}))
    bot = await live()
    for u in updates:  # Telegram sends the unconfirmed batch again after the restart
        bot.api.queue(message=u["message"])
        bot.api.pending[-1]["update_id"] = u["update_id"]
    bot.api.next_update_id = 504
    fresh = bot.api.queue(message=message(QUESTION, 105))
    assert await bot.app.bot_data.intake.replay(bot.app) == 3
    await bot.start_polling()
    for user in (101, 102, 103, 105):
        assert await bot.wait_for_sends(user, 1, 15), user
    await asyncio.sleep(0.5)
    assert [len(bot.sends(u)) for u in (101, 102, 103, 104, 105)] == [1, 1, 1, 0, 1]
    assert "3 unanswered updates answered now" in caplog.text
    assert "1 already replied to" in caplog.text
    await bot.app.bot_data.intake.drain()
    journal = UpdateJournal(tmp_path / "data" / "updates.sqlite3")
    assert journal.counts() == {"pending": 0, "done": 5}
    assert fresh == 504


async def test_updates_older_than_the_maximum_age_are_skipped(live, tmp_path, caplog) -> None:
    caplog.set_level(logging.WARNING)
    left_by_a_crash(tmp_path / "data", [{"update_id": 600, "message": message(QUESTION, 201)}],
                    age=120)
    left_by_a_crash(tmp_path / "data", [{"update_id": 601, "message": message(QUESTION, 202)}],
                    age=30)
    bot = await live(REPLAY_MAX_AGE="60")
    assert await bot.app.bot_data.intake.replay(bot.app) == 1
    await bot.start_polling()
    assert await bot.wait_for_sends(202, 1, 15)
    await asyncio.sleep(0.3)
    assert bot.sends(201) == []
    assert "1 skipped as older than 60 s" in caplog.text


async def test_an_update_the_bot_cannot_read_is_dropped_and_polling_goes_on(live, caplog) -> None:
    """python-telegram-bot would log it at CRITICAL with the user's text and ask for the
    same batch again, forever."""
    caplog.set_level(logging.INFO)
    bot = await live()
    await bot.start_polling()
    bad = message(f"{PRIVATE_WORD} cik maksā?", 301)
    bad["photo"] = "not a list of sizes"
    bot.api.queue(message=bad)
    worse = message(f"{PRIVATE_WORD} alga", 302)
    worse["text"] = 12345
    bot.api.queue(message=worse)
    bot.api.queue(message=message(QUESTION, 303))
    assert await bot.wait_for_sends(303, 1, 15)
    await asyncio.sleep(0.3)
    assert bot.sends(301) == [] and bot.sends(302) == []
    assert len([r for r in caplog.records if "dropped" in r.getMessage()]) == 2
    assert not [r for r in caplog.records if r.levelno >= logging.CRITICAL]
    assert PRIVATE_WORD not in caplog.text
    assert bot.api.last_offset is not None and bot.api.last_offset > 102


async def test_the_journal_keeps_no_text_once_answered(live, tmp_path,
                                                       secure_delete_off_by_default) -> None:
    bot = await live()
    await bot.start_polling()
    bot.api.queue(message=message(f"{PRIVATE_WORD} cik maksā konta pārvaldniekam?", 401))
    assert await bot.wait_for_sends(401, 1, 15)
    await asyncio.sleep(0.2)
    await bot.app.bot_data.intake.drain()
    raw = (tmp_path / "data" / "updates.sqlite3").read_bytes()
    assert PRIVATE_WORD.encode() not in raw


async def test_an_update_whose_reply_went_out_is_not_answered_again(live, tmp_path,
                                                                    monkeypatch) -> None:
    """Killed after the reply reached Telegram but before the update was crossed off."""
    bot = await live()
    intake = bot.app.bot_data.intake
    monkeypatch.setattr(intake, "finished", lambda uid: None)  # the kill comes first
    await bot.start_polling()
    bot.api.queue(message=message(QUESTION, 501))
    assert await bot.wait_for_sends(501, 1, 15)
    await asyncio.sleep(0.2)
    await intake.drain()
    left = UpdateJournal(tmp_path / "data" / "updates.sqlite3").take_unfinished(3600)
    assert (left.replay, left.replied) == ([], 1)


@pytest.mark.slow
async def test_a_press_without_its_answer_yet_is_answered_again(live, tmp_path,
                                                                monkeypatch) -> None:
    """Stopping a button's spinner is not its answer: killed between the two, the press is
    answered after the restart."""
    bot = await live()
    intake = bot.app.bot_data.intake
    monkeypatch.setattr(intake, "finished", lambda uid: None)
    # the answer and the apology after it both fail: only the spinner was stopped
    bot.plan.server("sendMessage", *[Status(500, "Internal Server Error")] * 4)
    await bot.start_polling()
    bot.api.queue(callback_query=callback("t:duties.bank", 502))
    await asyncio.to_thread(bot.api.wait_for, lambda calls: bot.plan.left() == 0, 15)
    await asyncio.sleep(1.5)
    await intake.drain()
    left = UpdateJournal(tmp_path / "data" / "updates.sqlite3").take_unfinished(3600)
    assert len(left.replay) == 1 and left.replied == 0
