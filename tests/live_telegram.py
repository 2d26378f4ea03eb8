"""The real bot in-process, talking real HTTP (python-telegram-bot's HTTPXRequest) to the
tests' one fake Bot API on 127.0.0.1 (tests/bot_api.py), with faults injected at the HTTP
boundary: server side through a `FaultPlan`, client side through `FaultyRequest`.

Used by test_telegram_faults.py, test_security.py, test_update_journal.py and
test_webhook.py. Everything above the HTTP boundary is real: `build_application`, its
Updater polling loop or webhook server, AIORateLimiter, the SQLite file and the shipped
knowledge.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from telegram import Update

from bot.settings import Settings, load_settings
from bot.state import KnowledgeState
from bot.storage import Storage
from bot.telegram.app import build_application
from bot.telegram.context import BotApp
from tests.bot_api import (
    ADMIN_ID,
    TOKEN,
    Call,
    FakeBotAPI,
    FaultPlan,
    FaultyRequest,
    base_url,
    serve,
    stop,
)
from tests.telegram.harness import count_rows

ROOT = Path(__file__).resolve().parents[1]
KNOWLEDGE = ROOT / "knowledge"
READ_TIMEOUT = 0.5  # the bot's HTTP read timeout here (python-telegram-bot's default is 5 s)
POLL_TIMEOUT = 0.5  # long-poll timeout passed to getUpdates


# -- the bot ----------------------------------------------------------------------------------


@dataclass
class LiveBot:
    app: BotApp
    api: FakeBotAPI
    plan: FaultPlan
    settings: Settings
    storage: Storage
    server: ThreadingHTTPServer
    _update_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(10_000))

    async def feed(self, **payload: Any) -> list[Call]:
        """Process one update (no polling) and return the Bot API calls it caused."""
        start = len(self.api.calls)
        update = Update.de_json({"update_id": next(self._update_ids), **payload}, self.app.bot)
        await self.app.process_update(update)
        await self.app.bot_data.services.drain()
        return self.api.calls[start:]

    async def wait_for_sends(self, chat_id: int, n: int = 1, timeout: float = 15.0,
                             since: int = 0) -> list[dict[str, Any]]:
        """The first `n` sendMessage calls to `chat_id` (waits, bounded; [] … on timeout)."""
        def found(calls: list[Call]) -> list[dict[str, Any]] | None:
            sent = [p for m, p in calls[since:]
                    if m == "sendMessage" and int(p["chat_id"]) == chat_id]
            return sent if len(sent) >= n else None

        return await asyncio.to_thread(self.api.wait_for, found, timeout) or \
            [p for m, p in self.api.calls[since:]
             if m == "sendMessage" and int(p["chat_id"]) == chat_id]

    def sends(self, chat_id: int, since: int = 0) -> list[dict[str, Any]]:
        return [p for m, p in self.api.calls[since:]
                if m == "sendMessage" and int(p["chat_id"]) == chat_id]

    def calls_of(self, method: str, since: int = 0) -> list[dict[str, Any]]:
        return [p for m, p in self.api.calls[since:] if m == method]

    def rows(self, table: str, user_id: int | None = None) -> int:
        return count_rows(self.storage.path, table, user_id)

    async def start_polling(self) -> None:
        await self.app.start()
        assert self.app.updater is not None
        await self.app.updater.start_polling(poll_interval=0,
                                             timeout=timedelta(seconds=POLL_TIMEOUT),
                                             allowed_updates=Update.ALL_TYPES)
        polled = await asyncio.to_thread(
            self.api.wait_for, lambda calls: any(m == "getUpdates" for m, _ in calls), 10)
        assert polled, "the bot never polled"

    async def stop(self) -> None:
        updater = self.app.updater
        if updater is not None and updater.running:
            await updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.bot_data.services.drain()
        await self.app.shutdown()
        stop(self.server)


def settings_for(server: ThreadingHTTPServer, data_dir: Path, **extra: str) -> Settings:
    return load_settings({
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": base_url(server),
        "ADMIN_IDS": str(ADMIN_ID),
        "DATA_DIR": str(data_dir),
        "KNOWLEDGE_DIR": str(KNOWLEDGE),
        "RATE_LIMIT_OVERALL": "0",
        "LOG_LEVEL": "INFO",
        **extra,
    })


async def live_bot(state: KnowledgeState, data_dir: Path, **extra: str) -> LiveBot:
    """Start the fake server and an initialized (not yet polling) bot against it."""
    api = FakeBotAPI()
    plan = FaultPlan()
    server = serve(api, plan)
    settings = settings_for(server, data_dir, **extra)
    storage = Storage(settings.database)
    no_proxy = {"trust_env": False}  # 127.0.0.1 directly, whatever *_PROXY says
    request = FaultyRequest(plan, connection_pool_size=8, read_timeout=READ_TIMEOUT,
                            connect_timeout=2.0, pool_timeout=2.0, httpx_kwargs=no_proxy)
    polling = FaultyRequest(plan, connection_pool_size=1, read_timeout=READ_TIMEOUT,
                            connect_timeout=2.0, httpx_kwargs=no_proxy)
    app = build_application(settings, state, storage, request=request, watch=False,
                            get_updates_request=polling)
    await app.initialize()
    return LiveBot(app, api, plan, settings, storage, server)
