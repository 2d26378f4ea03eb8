"""Health with a data directory that cannot be written: the bot answers, says so once in
the log (not every second), and the Docker health check stays healthy because the
heartbeat goes to a fallback file it also reads."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import healthcheck
from bot.heartbeat import fallback_for
from bot.telegram import app as tg_app
from tests.telegram.harness import MakeBot

QUESTION = "Ko dara bankas klientu menedžeris?"
ANSWER_START = "<b>Konta pārvaldnieks bankā</b>"


@contextlib.contextmanager
def unwritable(directory: Path) -> Iterator[None]:
    """Nothing can be created in `directory` (root ignores modes: immutable attribute)."""
    directory.mkdir(parents=True, exist_ok=True)
    mode = directory.stat().st_mode
    directory.chmod(0o555)
    immutable = False
    try:
        if os.geteuid() == 0:
            done = subprocess.run(["chattr", "+i", str(directory)], capture_output=True)
            if done.returncode != 0:
                pytest.skip("running as root without chattr: cannot make a directory read-only")
            immutable = True
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(directory)], check=True)
        directory.chmod(mode)


def healthy(monkeypatch: pytest.MonkeyPatch, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int,
            str]:
    monkeypatch.setenv("DATA_DIR", str(data_dir))
    for name in ("TELEGRAM_BOT_TOKEN", "ADMIN_IDS", "WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)
    code = healthcheck.main(["healthcheck", "60"])
    return code, capsys.readouterr().out


async def test_read_only_data_directory_at_start(make_bot: MakeBot, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 caplog: pytest.LogCaptureFixture,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.WARNING)
    data = tmp_path / "data"
    monkeypatch.setattr(tg_app, "HEARTBEAT_EVERY", 0.05)
    bot = None
    try:
        with unwritable(data):
            bot = await make_bot(data_dir=data, watch=False)
            fallback = fallback_for(bot.settings.heartbeat)
            fallback.unlink(missing_ok=True)
            bot.app.bot_data.webhook = True  # alive without a polling updater
            await bot.app.start()
            await bot.post_init()
            (msg,) = await bot.say(QUESTION)
            assert msg.text.startswith(ANSWER_START)  # answering all along
            await asyncio.sleep(0.6)  # a dozen beats
            code, out = healthy(monkeypatch, data, capsys)
            assert code == 0, out
            notes = [r.getMessage() for r in caplog.records if r.name == "bot.heartbeat"]
            assert len(notes) == 1, notes
            assert "cannot be written" in notes[0]
            journal = [r for r in caplog.records if r.name == "bot.telegram.intake"]
            assert len(journal) <= 1  # the journal says so once too
            assert fallback.exists()
        # writable again: the heartbeat goes back, once logged, and the fallback goes
        mark = len(caplog.records)
        await asyncio.sleep(0.3)
        assert bot.settings.heartbeat.exists() and not fallback.exists()
        back = [r for r in caplog.records[mark:] if r.name == "bot.heartbeat"]
        assert len(back) == 1 and "written again" in back[0].getMessage()
        assert healthy(monkeypatch, data, capsys)[0] == 0
    finally:
        if bot is not None:
            for task in bot.app.bot_data.tasks:
                task.cancel()
            if bot.app.running:
                await bot.app.stop()


def test_no_heartbeat_anywhere_is_unhealthy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    fallback_for(tmp_path / "data" / "heartbeat").unlink(missing_ok=True)
    code, out = healthy(monkeypatch, tmp_path / "data", capsys)
    assert code == 1 and out.startswith("unhealthy: no heartbeat")
