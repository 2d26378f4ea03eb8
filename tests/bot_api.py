"""The one stand-in for Telegram's Bot API that every test talks to.

Only Telegram's server is fake. `FakeBotAPI` answers Bot API methods as Telegram does
(getMe, getUpdates with offset and long-poll timeout, sendMessage, editMessageText; True
for the rest), keeps every call it was given, and refuses the methods named in
`failures` with Telegram's error. It is reached one of two ways, both at the HTTP
boundary of python-telegram-bot:

- in the test's own process, without a socket: `OfflineRequest`, a `BaseRequest` given to
  `build_application(request=...)` (tests/telegram: hundreds of updates a second);
- over real HTTP on 127.0.0.1: `serve(api)` runs a small server, for the bot as a
  subprocess (`python -m bot`) or in-process with python-telegram-bot's own HTTP client,
  with transport faults from a `FaultPlan` (an HTTP error, a connection reset, an answer
  later than the client waits) and client-side ones from `FaultyRequest`.

Updates are built as the JSON Telegram sends (`message`, `callback`, `inline_query`, …).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple, TypeVar
from urllib.parse import parse_qs

from telegram.request import BaseRequest, HTTPXRequest, RequestData

BOT_ID = 123456
TOKEN = f"{BOT_ID}:" + "A" * 35  # shaped like a BotFather token, is none
BOT_USERNAME = "TestAmBot"
BOT_USER: dict[str, Any] = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "Account manager bot",
    "username": BOT_USERNAME,
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": True,
    "can_connect_to_business": False,
    "has_main_web_app": False,
}
BOT_SENDER = {k: BOT_USER[k] for k in ("id", "is_bot", "first_name", "username")}
ADMIN_ID = 900_001
ADMIN_USERNAME = "ilze_admin"
USER_ID = 424242
GROUP_ID = -1001234567890
MAX_MESSAGE = 4096  # Telegram refuses a longer text
MAX_POLL_WAIT = 1.0  # a getUpdates long poll waits at most this long (keeps shutdown quick)
# Fields that Telegram receives as plain strings even when they look like JSON or numbers.
_STRING_FIELDS = {"text", "caption", "query", "parse_mode", "callback_query_id",
                  "inline_query_id", "language_code", "next_offset", "url", "secret_token",
                  "start_parameter"}
T = TypeVar("T")


# -- what the bot sent ---------------------------------------------------------------------


class Call(NamedTuple):
    """One Bot API request as Telegram received it (unpacks as `method, params`)."""

    method: str
    params: dict[str, Any]

    @property
    def text(self) -> str:
        return str(self.params.get("text", ""))

    @property
    def chat_id(self) -> int | None:
        cid = self.params.get("chat_id")
        return int(cid) if cid is not None else None

    @property
    def keyboard(self) -> list[list[tuple[str, str]]]:
        """Inline keyboard as rows of (label, callback_data) pairs ("" for a button without
        data); [] when there is none."""
        markup = self.params.get("reply_markup") or {}
        return [[(b["text"], b.get("callback_data") or "") for b in row]
                for row in markup.get("inline_keyboard", [])]

    @property
    def button_labels(self) -> list[str]:
        return [label for row in self.keyboard for label, _ in row]

    @property
    def button_data(self) -> list[str]:
        return [data for row in self.keyboard for _, data in row if data]


def decode(fields: Mapping[str, str]) -> dict[str, Any]:
    """The form fields python-telegram-bot puts on the wire, JSON-encoded ones decoded."""
    out: dict[str, Any] = {}
    for key, raw in fields.items():
        value: Any = raw
        if key not in _STRING_FIELDS:
            try:
                value = json.loads(raw)
            except ValueError:
                value = raw
        out[key] = value
    return out


# -- the fake server -------------------------------------------------------------------------


class FakeBotAPI:
    """Telegram's side: updates waiting to be fetched, every call the bot made, and the
    methods Telegram should refuse. Thread-safe: the HTTP server answers from threads."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.pending: list[dict[str, Any]] = []
        self.calls: list[Call] = []
        self.next_update_id = 100
        self.last_offset: int | None = None
        self._message_ids = itertools.count(5000)
        # method name -> (HTTP status, description): Telegram refuses every such call
        self.failures: dict[str, tuple[int, str]] = {}

    # -- the test's side --------------------------------------------------------------------

    def queue(self, **payload: Any) -> int:
        """An update for getUpdates (`message=…`, `callback_query=…`); its update_id."""
        with self.cond:
            update_id = self.next_update_id
            self.next_update_id += 1
            self.pending.append({"update_id": update_id, **payload})
            self.cond.notify_all()
            return update_id

    def wait_for(self, predicate: Callable[[list[Call]], T], timeout: float) -> T | None:
        """Wait (bounded) until predicate(calls) is truthy; return its value."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                found = predicate(self.calls)
                if found:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(min(left, 0.2))

    def of(self, method: str, since: int = 0) -> list[Call]:
        return [c for c in self.calls[since:] if c.method == method]

    def replies(self, since: int = 0) -> list[Call]:
        """Everything the user would see appear or change in a chat."""
        return [c for c in self.calls[since:] if c.method in ("sendMessage", "editMessageText")]

    # -- Telegram's side --------------------------------------------------------------------

    def handle(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """The HTTP status and JSON body Telegram would answer a call with."""
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._get_updates(params)}
        with self.cond:
            self.calls.append(Call(method, params))
            self.cond.notify_all()
            if method in self.failures:
                code, description = self.failures[method]
                return code, {"ok": False, "error_code": code, "description": description}
            if method in ("sendMessage", "editMessageText") and "chat_id" not in params \
                    and "inline_message_id" not in params:
                # Telegram's answer; here a body cut short by a kill -9 mid-request
                return 400, {"ok": False, "error_code": 400,
                             "description": "Bad Request: chat_id is empty"}
            if method in ("sendMessage", "editMessageText") and \
                    len(params.get("text", "")) > MAX_MESSAGE:
                return 400, {"ok": False, "error_code": 400,
                             "description": "Bad Request: message is too long"}
            return 200, {"ok": True, "result": self._result(method, params)}

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "sendMessage":
            return self._message(params)
        if method == "editMessageText":
            if "inline_message_id" in params:
                return True
            return self._message(params, int(params["message_id"]))
        return True  # answerCallbackQuery, setMyCommands, answerInlineQuery, deleteWebhook…

    def _message(self, params: dict[str, Any], message_id: int | None = None) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        chat: dict[str, Any] = {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}
        if chat_id < 0:
            chat["title"] = "Group"
        else:
            chat["first_name"] = "User"
        msg: dict[str, Any] = {"message_id": message_id or next(self._message_ids),
                               "date": int(time.time()), "chat": chat, "from": BOT_SENDER,
                               "text": params.get("text", "")}
        if params.get("reply_markup"):
            msg["reply_markup"] = params["reply_markup"]
        return msg

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        deadline = time.monotonic() + min(timeout, MAX_POLL_WAIT)
        with self.cond:
            self.calls.append(Call("getUpdates", params))
            self.last_offset = offset
            # the offset confirms everything below it, as on Telegram
            self.pending = [u for u in self.pending if u["update_id"] >= offset]
            while not self.pending and time.monotonic() < deadline:
                self.cond.wait(max(0.0, deadline - time.monotonic()))
            self.cond.notify_all()
            return list(self.pending[: int(params.get("limit") or 100)])


def _unauthorized() -> tuple[int, dict[str, Any]]:
    return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}


# -- in process: the bot's request object ---------------------------------------------------


class OfflineRequest(BaseRequest):
    """python-telegram-bot's HTTP boundary answered by `api` in this process."""

    def __init__(self, api: FakeBotAPI) -> None:
        self.api = api

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = None, write_timeout: Any = None,
                         connect_timeout: Any = None, pool_timeout: Any = None,
                         ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        if f"/bot{TOKEN}/" not in url:
            code, body = _unauthorized()
        else:
            params = decode(request_data.json_parameters if request_data else {})
            if name == "getUpdates":  # a long poll: wait in a thread, not in the loop
                code, body = await asyncio.to_thread(self.api.handle, name, params)
            else:
                code, body = self.api.handle(name, params)
        return code, json.dumps(body).encode()


# -- over HTTP: a server on 127.0.0.1, with transport faults -----------------------------------


@dataclass(frozen=True)
class Status:
    """Answer with this HTTP error, as Telegram does (429 with retry_after, 5xx, 4xx)."""

    code: int
    description: str
    retry_after: int | None = None


@dataclass(frozen=True)
class Reset:
    """Drop the connection with a TCP RST before answering."""


@dataclass(frozen=True)
class Slow:
    """Handle the request (a sendMessage is delivered) but answer only after `seconds`."""

    seconds: float


ServerFault = Status | Reset | Slow


@dataclass
class FaultPlan:
    """Faults queued per Bot API method; each request takes at most one. A request met by
    a server fault other than Slow never reaches `FakeBotAPI` (it is not in `calls`)."""

    _server: dict[str, deque[tuple[ServerFault, int | None]]] = field(default_factory=dict)
    _client: dict[str, deque[Callable[[str], BaseException]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    injected: list[tuple[str, str]] = field(default_factory=list)

    def server(self, method: str, *faults: ServerFault, chat_id: int | None = None) -> None:
        """Queue faults for `method` (only for requests to `chat_id`, if given)."""
        with self.lock:
            self._server.setdefault(method, deque()).extend((f, chat_id) for f in faults)

    def client(self, method: str, *faults: Callable[[str], BaseException]) -> None:
        """`faults` build the exception from the request URL (FaultyRequest raises it)."""
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


def serve(api: FakeBotAPI, plan: FaultPlan | None = None, port: int = 0) -> ThreadingHTTPServer:
    """`api` over HTTP on 127.0.0.1:`port` (0: any free port), answering from a thread
    until `server.shutdown()`; `plan`'s server faults come first."""
    faults = plan or FaultPlan()

    class Handler(BaseHTTPRequestHandler):
        def _reply(self, code: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            try:
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the bot dropped a long poll while stopping, as clients do

        def do_POST(self) -> None:  # noqa: N802
            prefix = f"/bot{TOKEN}/"
            if not self.path.startswith(prefix):
                self._reply(*_unauthorized())
                return
            method = self.path[len(prefix):].split("?", 1)[0]
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.headers.get("Content-Type", "").startswith("application/json"):
                params = json.loads(raw or b"{}")
            else:
                params = decode({k: v[0] for k, v in parse_qs(raw.decode()).items()})
            chat = params.get("chat_id")
            fault = faults.take_server(method, int(chat) if isinstance(chat, int) else None)
            if isinstance(fault, Slow):
                time.sleep(fault.seconds)  # the client gives up meanwhile
                fault = None
            if isinstance(fault, Reset):
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           struct.pack("ii", 1, 0))
                self.close_connection = True
                self.connection.close()
                return
            if isinstance(fault, Status):
                body: dict[str, Any] = {"ok": False, "error_code": fault.code,
                                        "description": fault.description}
                if fault.retry_after is not None:
                    body["parameters"] = {"retry_after": fault.retry_after}
                self._reply(fault.code, body)
                return
            self._reply(*api.handle(method, params))

        do_GET = do_POST  # noqa: N815

        def finish(self) -> None:
            with contextlib.suppress(OSError, ValueError):
                super().finish()

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()
    return server


def stop(server: ThreadingHTTPServer) -> None:
    server.shutdown()
    server.server_close()


def base_url(server: ThreadingHTTPServer) -> str:
    """TELEGRAM_API_BASE_URL for a bot talking to `server`."""
    return f"http://127.0.0.1:{server.server_address[1]}/bot"


class FaultyRequest(HTTPXRequest):
    """python-telegram-bot's own HTTP client, with client-side faults in front of it."""

    def __init__(self, plan: FaultPlan, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.plan = plan

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = None, write_timeout: Any = None,
                         connect_timeout: Any = None, pool_timeout: Any = None,
                         ) -> tuple[int, bytes]:
        fault = self.plan.take_client(url.rsplit("/", 1)[-1])
        if fault is not None:
            raise fault(url)
        return await super().do_request(url, method, request_data, read_timeout=read_timeout,
                                        write_timeout=write_timeout,
                                        connect_timeout=connect_timeout,
                                        pool_timeout=pool_timeout)


# -- updates as Telegram sends them -----------------------------------------------------------

_message_ids = itertools.count(1)
_query_ids = itertools.count(1)


def user(user_id: int, lang: str | None = "lv", username: str | None = None,
         first_name: str = "Ilze") -> dict[str, Any]:
    u: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
    if lang:
        u["language_code"] = lang
    if username:
        u["username"] = username
    return u


def private_chat(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "type": "private", "first_name": "Ilze"}


def group_chat() -> dict[str, Any]:
    return {"id": GROUP_ID, "type": "supergroup", "title": "Darba meklētāji"}


def message(text: str | None, user_id: int = USER_ID, lang: str | None = "lv",
            command: bool = False, chat: dict[str, Any] | None = None,
            message_id: int | None = None, username: str | None = None,
            first_name: str = "Ilze", **fields: Any) -> dict[str, Any]:
    """A message from a user (private unless `chat` says otherwise); `command`: the text
    starts with a command, marked as Telegram marks it."""
    mid = message_id if message_id is not None else next(_message_ids)
    msg: dict[str, Any] = {"message_id": mid,
                           "date": int(time.time()),
                           "from": user(user_id, lang, username, first_name),
                           "chat": chat or private_chat(user_id), **fields}
    if text is not None:
        msg["text"] = text
    if command and text:
        msg["entities"] = [{"type": "bot_command", "offset": 0,
                            "length": len(text.split(" ", 1)[0])}]
    return msg


def bot_message(chat: dict[str, Any], text: str = "…") -> dict[str, Any]:
    """A message the bot sent earlier (buttons are under it; users reply to it)."""
    return {"message_id": next(_message_ids), "date": int(time.time()), "chat": chat,
            "from": BOT_SENDER, "text": text}


def callback(data: str, user_id: int = USER_ID, lang: str | None = "lv",
             message_text: str = "…") -> dict[str, Any]:
    """A press on an inline button under a message the bot sent in a private chat."""
    return {"id": f"cq{next(_query_ids)}", "chat_instance": "42", "data": data,
            "from": user(user_id, lang),
            "message": bot_message(private_chat(user_id), message_text)}


def inline_query(query: str, user_id: int = USER_ID, lang: str | None = "lv") -> dict[str, Any]:
    return {"id": f"iq{next(_query_ids)}", "from": user(user_id, lang), "query": query,
            "offset": "", "chat_type": "sender"}


def text_message(text: str, message_id: int, lang: str = "lv") -> dict[str, Any]:
    """A private text message from USER_ID (the subprocess tests' user)."""
    return message(text, USER_ID, lang, message_id=message_id)
