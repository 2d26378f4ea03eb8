"""The SQLite file heals from any state it is found in while the bot runs — missing,
emptied (truncated, or left at 0 bytes by a full disk), garbage, tables dropped — on the
next write, without a restart; meanwhile every user still gets the answer."""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.admin_replies import stats_reply
from bot.replies import feedback_thanks
from tests.telegram.harness import BotHarness

QUESTION = "Ko dara bankas klientu menedžeris?"
ANSWER_START = "<b>Konta pārvaldnieks bankā</b>"


def _emptied(path: Path) -> None:
    path.write_bytes(b"")  # truncated while the bot runs


def _deleted_leaving_an_empty_file(path: Path) -> None:
    path.unlink()  # deleted while the disk was full: SQLite left a 0-byte file
    path.touch()


def _garbage(path: Path) -> None:
    path.write_bytes(os.urandom(8192))


def _text_file(path: Path) -> None:
    path.write_text("backup of the stats, see the wiki\n" * 200)


def _questions_dropped(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE questions")


def _every_table_dropped(path: Path) -> None:
    with sqlite3.connect(path) as db:
        for table in ("questions", "feedback", "users"):
            db.execute(f"DROP TABLE {table}")


def _header_damaged(path: Path) -> None:
    raw = bytearray(path.read_bytes())
    raw[:16] = b"not sqlite here\x00"
    path.write_bytes(bytes(raw))


FAULTS: dict[str, Callable[[Path], None]] = {
    "emptied": _emptied,
    "deleted-leaving-0-bytes": _deleted_leaving_an_empty_file,
    "garbage": _garbage,
    "text-file": _text_file,
    "questions-table-dropped": _questions_dropped,
    "every-table-dropped": _every_table_dropped,
    "header-damaged": _header_damaged,
}


@pytest.mark.parametrize("fault", list(FAULTS))
async def test_storage_heals_without_a_restart(bot: BotHarness, fault: str,
                                               caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    await bot.say(QUESTION, user_id=1)
    await bot.press("f:+:duties.bank", user_id=1)
    assert bot.rows("questions") == 1
    FAULTS[fault](bot.storage.path)

    (msg,) = await bot.say(QUESTION, user_id=2)  # the user is answered whatever the file
    assert msg.text.startswith(ANSWER_START)
    (msg,) = await bot.say(QUESTION, user_id=3)
    assert msg.text.startswith(ANSWER_START)
    calls = await bot.press("f:-:duties.bank", user_id=3)
    assert calls[0].params["text"] == feedback_thanks("lv").text
    # the file works again: the question after the fault is stored (the one that met the
    # fault may be lost with it), and so are the vote and the user's preferences
    assert bot.rows("questions", 3) == 1
    assert bot.rows("feedback", 3) == 1
    assert bot.rows("users", 3) == 1
    (stats,) = await bot.command("stats", user_id=bot.admin_id)
    assert stats.text == stats_reply(bot.storage.stats(), bot.state.current.kb, "lv").text
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "no such table" not in logged.split("creating them again")[-1]
    if fault in ("garbage", "text-file", "header-damaged"):
        aside = list(bot.storage.path.parent.glob("bot.sqlite3.broken-*"))
        assert len(aside) == 1  # kept for a look, not deleted
        assert "is damaged" in logged


async def test_storage_heals_once_the_directory_can_be_written(bot: BotHarness,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    """The data directory is replaced by a file (nothing can be created), then fixed."""
    caplog.set_level(logging.WARNING)
    await bot.say(QUESTION, user_id=1)
    data_dir = bot.storage.path.parent
    for p in data_dir.iterdir():
        p.unlink()
    data_dir.rmdir()
    data_dir.write_text("")
    (msg,) = await bot.say(QUESTION, user_id=2)
    assert msg.text.startswith(ANSWER_START)
    data_dir.unlink()
    (msg,) = await bot.say(QUESTION, user_id=3)
    assert msg.text.startswith(ANSWER_START)
    assert bot.rows("questions", 3) == 1
