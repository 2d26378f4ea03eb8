"""Fixtures for the Telegram adapter tests: `bot`, `make_bot`, `knowledge_copy`, `tg_html`.

What they build is in harness.py; Telegram is the tests' one fake Bot API
(tests/bot_api.py), answered in process.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.state import KnowledgeState
from bot.storage import Storage
from bot.telegram.app import build_application
from bot.telegram.context import BotApp
from tests.bot_api import FakeBotAPI, OfflineRequest
from tests.telegram.harness import (
    KNOWLEDGE,
    BotHarness,
    MakeBot,
    TgHtml,
    Updates,
    make_settings,
    parse_telegram_html,
)


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    return target


@pytest.fixture
async def make_bot(tmp_path: Path, shipped_state: KnowledgeState) -> AsyncIterator[MakeBot]:
    """Build and initialize bots; each is shut down after the test."""
    started: list[BotApp] = []

    async def factory(knowledge_dir: Path | None = None, data_dir: Path | None = None,
                      watch: bool = False, **extra: str) -> BotHarness:
        state = KnowledgeState(knowledge_dir) if knowledge_dir else shipped_state
        settings = make_settings(data_dir or tmp_path / "data", state.directory, **extra)
        storage = Storage(settings.database)
        telegram = FakeBotAPI()
        app = build_application(settings, state, storage, request=OfflineRequest(telegram),
                                watch=watch)
        await app.initialize()
        started.append(app)
        return BotHarness(app, telegram, state, storage, settings, Updates(app.bot))

    yield factory
    for app in started:
        for task in app.bot_data.tasks:  # started by post_init, if a test ran it
            task.cancel()
        await app.bot_data.services.drain()
        await app.shutdown()


@pytest.fixture
async def bot(make_bot: MakeBot) -> BotHarness:
    """The bot on the shipped knowledge with an empty SQLite file in tmp_path."""
    return await make_bot()


@pytest.fixture
def tg_html() -> TgHtml:
    """Validate Telegram HTML (balanced supported tags, escaped & and <); return what the
    user sees."""
    return parse_telegram_html
