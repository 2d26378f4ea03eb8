"""The real bot in-process, talking real HTTP to the fake Bot API of test_e2e_polling, with
faults injected at the HTTP boundary.

Used by test_telegram_faults.py and test_security.py (a plain module, not a conftest: the
two conftest.py files share one module name). Everything above the HTTP boundary is real:
`build_application`, python-telegram-bot's HTTPXRequest (httpx), its Updater polling loop
or webhook server, AIORateLimiter, the SQLite file and the shipped knowledge. Only
127.0.0.1 is contacted.

Faults, consumed one per matching request, in order:
- server side (`FaultPlan.server(method, ...)`): `Status(code, description, retry_after)`
  answers with an HTTP error like Telegram's; `Reset()` drops the connection with a TCP
  RST before answering; `Slow(seconds)` handles the request (a sendMessage is delivered)
  but only answers after `seconds` — longer than the client's read timeout.
- client side (`FaultPlan.client(method, exc)`): the request object raises `exc` (e.g.
  `TimedOut` caused by `httpx.ConnectTimeout`) without touching the network.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import itertools
import socket
import sqlite3
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from telegram import Update
from telegram.ext import Application
from telegram.request import HTTPXRequest, RequestData
from test_e2e_polling import BOT_USER, TOKEN, FakeBotAPI, make_server

from bot.settings import Settings, load_settings
from bot.state import KnowledgeState
from bot.storage import Storage
from bot.telegram.app import build_application

ROOT = Path(__file__).resolve().parents[1]
KNOWLEDGE = ROOT / "knowledge"
ADMIN_ID = 900_001
ADMIN_USERNAME = "ilze_admin"
READ_TIMEOUT = 0.5  # the bot's HTTP read timeout here (python-telegram-bot's default is 5 s)
POLL_TIMEOUT = 0.5  # long-poll timeout passed to getUpdates


@dataclass(frozen=True)
class Status:
    code: int
    description: str
    retry_after: int | None = None


@dataclass(frozen=True)
class Reset:
    pass


@dataclass(frozen=True)
class Slow:
    seconds: float


ServerFault = Status | Reset | Slow


@dataclass
class FaultPlan:
    """Faults queued per Bot API method; each request takes at most one."""

    _server: dict[str, deque[tuple[ServerFault, int | None]]] = field(default_factory=dict)
    _client: dict[str, deque[Callable[[str], BaseException]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    injected: list[tuple[str, str]] = field(default_factory=list)

    def server(self, method: str, *faults: ServerFault, chat_id: int | None = None) -> None:
        """Queue faults for `method` (only for requests to `chat_id`, if given)."""
        with self.lock:
            self._server.setdefault(method, deque()).extend((f, chat_id) for f in faults)

    def client(self, method: str, *faults: Callable[[str], BaseException]) -> None:
        """`faults` build the exception from the request URL."""
        with self.lock:
            self._client.setdefault(method, deque()).extend(faults)

    def take_server(self, method: str, chat_id: int | None) -> ServerFault | None:
        with self.lock:
            q = self._server.get(method) or deque()
            for item in q:
                fault, target = item
                if target is None or target == chat_id:
                    q.remove(item)
                    self.injected.append((method, type(fault).__name__))
                    return fault
            return None

    def take_client(self, method: str) -> Callable[[str], BaseException] | None:
        with self.lock:
            q = self._client.get(method)
            if q:
                self.injected.append((method, "client"))
                return q.popleft()
            return None

    def left(self) -> int:
        with self.lock:
            return sum(len(q) for q in self._server.values()) + sum(
                len(q) for q in self._client.values())


def start_server(api: FakeBotAPI, plan: FaultPlan) -> Any:
    """The e2e fake Bot API server with `plan`'s faults in front of it."""
    server = make_server(api)
    base: Any = server.RequestHandlerClass

    class Faulty(base):  # type: ignore[misc, valid-type]
        def do_POST(self) -> None:  # noqa: N802
            method = self.path.rsplit("/", 1)[-1].split("?", 1)[0]
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.rfile = io.BytesIO(raw)  # the base handler reads the body again
            chat = parse_qs(raw.decode(errors="replace")).get("chat_id", [""])[0]
            fault = plan.take_server(method, int(chat) if chat.lstrip("-").isdigit() else None)
            if isinstance(fault, Slow):
                time.sleep(fault.seconds)  # the client gives up meanwhile
                fault = None
            if fault is None:
                super().do_POST()
                return
            if isinstance(fault, Reset):
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           struct.pack("ii", 1, 0))
                self.close_connection = True
                self.connection.close()
                return
            body: dict[str, Any] = {"ok": False, "error_code": fault.code,
                                    "description": fault.description}
            if fault.retry_after is not None:
                body["parameters"] = {"retry_after": fault.retry_after}
            self._reply(fault.code, body)

        def finish(self) -> None:
            with contextlib.suppress(OSError, ValueError):
                super().finish()

    server.RequestHandlerClass = Faulty
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()
    return server


class FaultyRequest(HTTPXRequest):
    """python-telegram-bot's own HTTP client, with client-side faults in front of it."""

    def __init__(self, plan: FaultPlan, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.plan = plan

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         **kwargs: Any) -> tuple[int, bytes]:
        fault = self.plan.take_client(url.rsplit("/", 1)[-1])
        if fault is not None:
            raise fault(url)
        return await super().do_request(url, method, request_data, **kwargs)


# -- updates as Telegram sends them ---------------------------------------------------------

_message_ids = itertools.count(1)


def user(user_id: int, lang: str | None = "lv", username: str | None = None,
         first_name: str = "Ilze") -> dict[str, Any]:
    u: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
    if lang:
        u["language_code"] = lang
    if username:
        u["username"] = username
    return u


def message(text: str, user_id: int, lang: str | None = "lv", command: bool = False,
            **user_fields: Any) -> dict[str, Any]:
    msg: dict[str, Any] = {
        "message_id": next(_message_ids), "date": int(time.time()), "text": text,
        "from": user(user_id, lang, **user_fields),
        "chat": {"id": user_id, "type": "private", "first_name": "Ilze"},
    }
    if command:
        length = len(text.split(" ", 1)[0])
        msg["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return msg


def callback(data: str, user_id: int, lang: str | None = "lv") -> dict[str, Any]:
    return {"id": f"cq{next(_message_ids)}", "chat_instance": "1", "data": data,
            "from": user(user_id, lang),
            "message": {"message_id": next(_message_ids), "date": int(time.time()),
                        "text": "…", "from": BOT_USER,
                        "chat": {"id": user_id, "type": "private", "first_name": "Ilze"}}}


# -- the bot ----------------------------------------------------------------------------------


@dataclass
class LiveBot:
    app: Application  # type: ignore[type-arg]
    api: FakeBotAPI
    plan: FaultPlan
    settings: Settings
    storage: Storage
    server: Any
    _update_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(10_000))

    async def feed(self, **payload: Any) -> list[tuple[str, dict[str, Any]]]:
        """Process one update (no polling) and return the Bot API calls it caused."""
        start = len(self.api.calls)
        update = Update.de_json({"update_id": next(self._update_ids), **payload}, self.app.bot)
        await self.app.process_update(update)
        await self.app.bot_data.services.drain()
        return self.api.calls[start:]

    async def wait_for_sends(self, chat_id: int, n: int = 1, timeout: float = 15.0,
                             since: int = 0) -> list[dict[str, Any]]:
        """The first `n` sendMessage calls to `chat_id` (waits, bounded; [] … on timeout)."""
        def found(calls: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]] | None:
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
        if not self.storage.path.exists():
            return 0
        with sqlite3.connect(self.storage.path) as db:
            if user_id is None:
                return int(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
            return int(db.execute(f"SELECT COUNT(*) FROM {table} WHERE user_id=?",
                                  (user_id,)).fetchone()[0])

    async def start_polling(self) -> None:
        await self.app.start()
        assert self.app.updater is not None
        await self.app.updater.start_polling(poll_interval=0, timeout=POLL_TIMEOUT,
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
        self.server.shutdown()
        self.server.server_close()


def settings_for(port: int, data_dir: Path, **extra: str) -> Settings:
    return load_settings({
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{port}/bot",
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
    server = start_server(api, plan)
    settings = settings_for(server.server_address[1], data_dir, **extra)
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
