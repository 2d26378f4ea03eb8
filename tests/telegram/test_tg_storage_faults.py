"""The SQLite file misbehaving while the bot runs: locked by another process, read-only,
its directory deleted or replaced. The user always gets the answer, the failure is
logged, nothing crashes, and writing resumes by itself once the fault clears.

(test_tg_storage_failure.py covers a data directory that is broken from the start.)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.replies import feedback_thanks, forget_failed_reply, forget_reply, start_reply
from tests.telegram.harness import BotHarness

QUESTION = "Ko dara bankas klientu menedžeris?"
ANSWER_START = "<b>Konta pārvaldnieks bankā</b>"
RU_QUESTION = "Какая зарплата у аккаунт-менеджера?"
RU_ANSWER_START = "<b>Зарплата аккаунт-менеджера</b>"


@contextlib.contextmanager
def exclusive_lock(path: Path) -> Iterator[sqlite3.Connection]:
    """Another process's EXCLUSIVE transaction: nobody else may read or write."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        yield other
    finally:
        other.execute("ROLLBACK")
        other.close()


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """The database file cannot be written (chmod; for root, which ignores modes, also the
    immutable attribute)."""
    mode = path.stat().st_mode
    path.chmod(0o444)
    immutable = False
    try:
        if os.geteuid() == 0:
            done = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
            if done.returncode != 0:
                pytest.skip("running as root without chattr: cannot make a file read-only")
            immutable = True
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        path.chmod(mode)


def failures(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.getMessage().startswith("storage write")]


@pytest.mark.slow
async def test_locked_database(bot: BotHarness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    await bot.say(QUESTION, user_id=1)
    assert bot.rows("questions") == 1

    svc = bot.app.bot_data.services
    with exclusive_lock(bot.storage.path):
        started = time.monotonic()
        await bot.app.process_update(bot.updates.text(RU_QUESTION, user_id=2, lang="ru"))
        await bot.app.process_update(bot.updates.text(QUESTION, user_id=3))
        # both answered without waiting for the database (only the preferences lookup
        # waits, at most its 0.5 s busy timeout)
        assert time.monotonic() - started < 2.5
        sent = bot.telegram.of("sendMessage")
        assert [c.chat_id for c in sent[-2:]] == [2, 3]
        assert sent[-2].text.startswith(RU_ANSWER_START)
        assert sent[-1].text.startswith(ANSWER_START)
        # the writer gives up after its busy timeout and logs it
        deadline = time.monotonic() + 5
        while not any("database is locked" in m for m in failures(caplog)):
            assert time.monotonic() < deadline, "the failed write was not logged"
            await asyncio.sleep(0.05)
    await svc.drain()
    assert "Traceback" not in caplog.text

    # the lock is gone: writes resume by themselves
    (msg,) = await bot.say(QUESTION, user_id=4)
    assert msg.text.startswith(ANSWER_START)
    assert bot.rows("questions", 4) == 1
    assert bot.rows("users", 4) == 1


async def test_short_lock_loses_nothing(bot: BotHarness, caplog: pytest.LogCaptureFixture) -> None:
    """A lock shorter than the writer's busy timeout only delays the write: the answer goes
    out at once, the write waits for the lock instead of failing, and lands after it."""
    caplog.set_level(logging.WARNING)
    await bot.say(QUESTION, user_id=1)
    svc = bot.app.bot_data.services
    with exclusive_lock(bot.storage.path):
        await asyncio.wait_for(
            bot.app.process_update(bot.updates.text(QUESTION, user_id=5)), 5)
        sent = bot.telegram.of("sendMessage")
        assert sent[-1].chat_id == 5 and sent[-1].text.startswith(ANSWER_START)
        await asyncio.sleep(0.5)
        assert svc.writer.pending >= 1  # still waiting for the lock, not given up
    await svc.drain()
    assert bot.rows("questions", 5) == 1
    assert not failures(caplog)


@pytest.mark.slow
async def test_forget_under_a_lock_apologises_then_works(bot: BotHarness) -> None:
    await bot.say(QUESTION, user_id=1)
    with exclusive_lock(bot.storage.path):
        (msg,) = await bot.command("forget", user_id=1)
        assert msg.text == forget_failed_reply("lv").text
    (msg,) = await bot.command("forget", user_id=1)
    assert msg.text == forget_reply("lv", 2).text  # the user's row and the question
    assert bot.rows("questions", 1) == 0


async def test_read_only_database(bot: BotHarness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    await bot.say(QUESTION, user_id=1)
    with read_only(bot.storage.path):
        (msg,) = await bot.say(RU_QUESTION, user_id=2, lang="ru")
        assert msg.text.startswith(RU_ANSWER_START)
        calls = await bot.press("f:+:duties.bank", user_id=1)
        assert calls[0].params["text"] == feedback_thanks("lv").text
        assert any("readonly database" in m for m in failures(caplog))
        assert bot.rows("questions", 2) == 0
    (msg,) = await bot.say(QUESTION, user_id=3)
    assert msg.text.startswith(ANSWER_START)
    assert bot.rows("questions", 3) == 1


async def test_data_directory_deleted_while_running(bot: BotHarness,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    await bot.say(QUESTION, user_id=1)
    data_dir = bot.storage.path.parent
    shutil.rmtree(data_dir)
    (msg,) = await bot.say(RU_QUESTION, user_id=2, lang="ru")
    assert msg.text.startswith(RU_ANSWER_START)
    # logged, and the database is created anew: the next row lands in a working file
    assert any("is gone; creating a new one" in r.getMessage() for r in caplog.records)
    assert bot.rows("questions", 2) == 1


async def test_data_directory_replaced_by_a_file(bot: BotHarness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    await bot.say(QUESTION, user_id=1)
    data_dir = bot.storage.path.parent
    shutil.rmtree(data_dir)
    data_dir.write_text("not a directory\n")
    (msg,) = await bot.say(RU_QUESTION, user_id=2, lang="ru")
    assert msg.text.startswith(RU_ANSWER_START)
    (msg,) = await bot.command("start", user_id=3)
    assert msg.text == start_reply(bot.state.current.kb, "lv").text
    assert failures(caplog)
    data_dir.unlink()
    (msg,) = await bot.say(QUESTION, user_id=4)
    assert msg.text.startswith(ANSWER_START)
    assert bot.rows("questions", 4) == 1


async def test_burst_of_questions_loses_no_row(bot: BotHarness, caplog: pytest.LogCaptureFixture) -> None:
    """Many users at once: the bot's own writes never lock each other out (they used to
    run in parallel threads and some failed with "database is locked")."""
    caplog.set_level(logging.WARNING)
    burst = [bot.updates.text(QUESTION if i % 2 else RU_QUESTION, user_id=10_000 + i,
                              lang="lv" if i % 2 else "ru") for i in range(400)]
    await asyncio.gather(*(bot.app.process_update(u) for u in burst))
    await bot.app.bot_data.services.drain()
    assert len(bot.telegram.of("sendMessage")) == 400
    assert bot.rows("questions") == 400
    assert bot.rows("users") == 400
    assert not failures(caplog)
