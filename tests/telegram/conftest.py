"""Offline Telegram for the adapter tests.

Only Telegram's server is fake: `FakeTelegram` is a `BaseRequest` (the HTTP boundary of
python-telegram-bot) that records every Bot API call and answers like Telegram would.
Everything above it is real: the Application from `build_application`, its handlers, the
SQLite storage in a temporary file and the knowledge files shipped in knowledge/.

Updates are built from the JSON Telegram sends (`Update.de_json`), so the tests exercise
the same parsing the bot does in production.

Test modules import nothing from here (two conftest.py files share one module name under
pytest's default import mode); they get everything through fixtures: `bot`, `make_bot`,
`knowledge_copy`, `tg_html`, and the constants on `BotHarness`.
"""

from __future__ import annotations

import html
import itertools
import json
import re
import shutil
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

from bot.settings import Settings, load_settings
from bot.state import KnowledgeState
from bot.storage import Storage
from bot.telegram.app import build_application

ROOT = Path(__file__).resolve().parents[2]
KNOWLEDGE = ROOT / "knowledge"
BOT_ID = 123456
TOKEN = f"{BOT_ID}:" + "A" * 35
BOT_USERNAME = "TestAmBot"
ADMIN_ID = 900_001
BOT_USER = {
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

# Fields that Telegram receives as plain strings even when they look like JSON/numbers.
_STRING_FIELDS = {"text", "caption", "query", "parse_mode", "callback_query_id",
                  "inline_query_id", "language_code", "next_offset", "url"}


# -- the fake server at the HTTP boundary -----------------------------------------------


@dataclass
class Call:
    """One Bot API request as Telegram would see it."""

    method: str
    params: dict[str, Any]

    @property
    def text(self) -> str | None:
        return self.params.get("text")

    @property
    def chat_id(self) -> int | None:
        cid = self.params.get("chat_id")
        return int(cid) if cid is not None else None

    @property
    def keyboard(self) -> list[list[tuple[str, str | None]]]:
        """Inline keyboard as rows of (label, callback_data) pairs; [] when there is none."""
        markup = self.params.get("reply_markup") or {}
        return [[(b["text"], b.get("callback_data")) for b in row]
                for row in markup.get("inline_keyboard", [])]

    @property
    def button_labels(self) -> list[str]:
        return [label for row in self.keyboard for label, _ in row]

    @property
    def button_data(self) -> list[str]:
        return [data for row in self.keyboard for _, data in row if data]


def _decode(request_data: RequestData | None) -> dict[str, Any]:
    """The form fields PTB puts on the wire, JSON-encoded fields decoded again."""
    if request_data is None:
        return {}
    out: dict[str, Any] = {}
    for key, raw in request_data.json_parameters.items():
        value: Any = raw
        if key not in _STRING_FIELDS:
            try:
                value = json.loads(raw)
            except ValueError:
                value = raw
        out[key] = value
    return out


class FakeTelegram(BaseRequest):
    """Answers Bot API calls offline and keeps a list of them."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._ids = itertools.count(5000)
        # method name -> (HTTP status, description) to make Telegram refuse a call
        self.failures: dict[str, tuple[int, str]] = {}

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
        assert f"/bot{TOKEN}/" in url, url
        params = _decode(request_data)
        self.calls.append(Call(name, params))
        if name in self.failures:
            code, description = self.failures[name]
            body = {"ok": False, "error_code": code, "description": description}
            return code, json.dumps(body).encode()
        if name in ("sendMessage", "editMessageText") and len(params.get("text", "")) > 4096:
            body = {"ok": False, "error_code": 400, "description": "Bad Request: message is too long"}
            return 400, json.dumps(body).encode()
        return 200, json.dumps({"ok": True, "result": self._result(name, params)}).encode()

    def _message(self, params: dict[str, Any], message_id: int | None = None) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        chat: dict[str, Any] = {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}
        if chat_id < 0:
            chat["title"] = "Group"
        else:
            chat["first_name"] = "User"
        msg: dict[str, Any] = {
            "message_id": message_id or next(self._ids),
            "date": int(time.time()),
            "chat": chat,
            "from": {k: BOT_USER[k] for k in ("id", "is_bot", "first_name", "username")},
            "text": params.get("text", ""),
        }
        if params.get("reply_markup"):
            msg["reply_markup"] = params["reply_markup"]
        return msg

    def _result(self, name: str, params: dict[str, Any]) -> Any:
        if name == "getMe":
            return BOT_USER
        if name == "sendMessage":
            return self._message(params)
        if name == "editMessageText":
            if "inline_message_id" in params:
                return True
            return self._message(params, int(params["message_id"]))
        if name == "getUpdates":
            return []
        return True  # answerCallbackQuery, setMyCommands, answerInlineQuery, deleteWebhook…

    # -- views for assertions ---------------------------------------------------------

    def of(self, method: str, since: int = 0) -> list[Call]:
        return [c for c in self.calls[since:] if c.method == method]

    def replies(self, since: int = 0) -> list[Call]:
        """Everything the user would see appear or change in a chat."""
        return [c for c in self.calls[since:] if c.method in ("sendMessage", "editMessageText")]


# -- Telegram HTML as a client would parse it ----------------------------------------------

_TG_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
            "tg-spoiler", "span", "blockquote", "tg-emoji"}
_BARE_AMP = re.compile(r"&(?!(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)")


class _TelegramHTML(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.visible: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _TG_TAGS:
            self.errors.append(f"unsupported tag <{tag}>")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unbalanced </{tag}> (open: {self.stack})")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.visible.append(data)


def parse_telegram_html(text: str) -> str:
    """Check `text` the way Telegram does for parse_mode=HTML and return the visible text."""
    assert not _BARE_AMP.search(text), f"unescaped '&' in {text[:200]!r}"
    assert "<" not in re.sub(r"</?[a-z-]+(?: [^<>]*)?>", "", text), f"stray '<' in {text[:200]!r}"
    parser = _TelegramHTML()
    parser.feed(text)
    parser.close()
    assert not parser.errors, parser.errors
    assert not parser.stack, f"unclosed tags {parser.stack}"
    return html.unescape("".join(parser.visible))


# -- Updates as Telegram sends them ---------------------------------------------------------


GROUP_ID = -1001234567890


class Updates:
    """Builds `Update` objects from Bot API JSON."""

    def __init__(self, bot: Any) -> None:
        self.bot = bot
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)

    @staticmethod
    def user(user_id: int, lang: str | None = "lv", name: str = "Anna") -> dict[str, Any]:
        u: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": name}
        if lang is not None:
            u["language_code"] = lang
        return u

    def _wrap(self, **payload: Any) -> Update:
        data = {"update_id": next(self._update_ids), **payload}
        update = Update.de_json(data, self.bot)
        assert update is not None
        return update

    def _message(self, user_id: int, lang: str | None, chat: dict[str, Any] | None = None,
                 **fields: Any) -> dict[str, Any]:
        user = self.user(user_id, lang)
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat or {"id": user_id, "type": "private", "first_name": user["first_name"]},
            "from": user,
            **fields,
        }

    def text(self, text: str, user_id: int = 1001, lang: str | None = "lv") -> Update:
        """A private text message."""
        return self._wrap(message=self._message(user_id, lang, text=text))

    def command(self, command: str, payload: str = "", user_id: int = 1001,
                lang: str | None = "lv") -> Update:
        """'/start' or '/start payload' with its bot_command entity."""
        cmd = command if command.startswith("/") else "/" + command
        text = f"{cmd} {payload}" if payload else cmd
        entities = [{"type": "bot_command", "offset": 0, "length": len(cmd)}]
        return self._wrap(message=self._message(user_id, lang, text=text, entities=entities))

    def callback(self, data: str, user_id: int = 1001, lang: str | None = "lv",
                 message_text: str = "Izvēlieties sadaļu:") -> Update:
        """A press on an inline button under a message the bot sent earlier."""
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "Anna"},
            "from": {k: BOT_USER[k] for k in ("id", "is_bot", "first_name", "username")},
            "text": message_text,
        }
        query = {"id": f"cq{next(self._update_ids)}", "from": self.user(user_id, lang),
                 "chat_instance": "42", "data": data, "message": message}
        return self._wrap(callback_query=query)

    def inline(self, query: str, user_id: int = 1001, lang: str | None = "lv") -> Update:
        iq = {"id": f"iq{next(self._update_ids)}", "from": self.user(user_id, lang),
              "query": query, "offset": "", "chat_type": "sender"}
        return self._wrap(inline_query=iq)

    def group(self, text: str, user_id: int = 1001, lang: str | None = "lv",
              mention: bool = False, reply_to_bot: bool = False) -> Update:
        """A group message; `mention` prefixes @TestAmBot with a mention entity."""
        chat = {"id": GROUP_ID, "type": "supergroup", "title": "Darba meklētāji"}
        fields: dict[str, Any] = {}
        if mention:
            tag = f"@{BOT_USERNAME}"
            text = f"{tag} {text}"
            fields["entities"] = [{"type": "mention", "offset": 0, "length": len(tag)}]
        if reply_to_bot:
            fields["reply_to_message"] = {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": chat,
                "from": {k: BOT_USER[k] for k in ("id", "is_bot", "first_name", "username")},
                "text": "Konta pārvaldnieka alga …",
            }
        return self._wrap(message=self._message(user_id, lang, chat=chat, text=text, **fields))

    def sticker(self, user_id: int = 1001, lang: str | None = "lv") -> Update:
        sticker = {"file_id": "CAACAgIAAxk", "file_unique_id": "AgADsticker", "width": 512,
                   "height": 512, "is_animated": False, "is_video": False, "type": "regular",
                   "emoji": "👍"}
        return self._wrap(message=self._message(user_id, lang, sticker=sticker))

    def photo(self, user_id: int = 1001, lang: str | None = "lv", caption: str | None = None,
              group: bool = False, mention: bool = False) -> Update:
        """A photo; with `caption`, its text (in a group, `mention` starts it with
        @TestAmBot)."""
        sizes = [{"file_id": f"AgACAgIAAxk{i}", "file_unique_id": f"AQADphoto{i}",
                  "width": w, "height": w, "file_size": w * 40} for i, w in enumerate((90, 320))]
        return self._media(user_id, lang, {"photo": sizes}, caption, group, mention)

    def document(self, user_id: int = 1001, lang: str | None = "lv", caption: str | None = None,
                 group: bool = False, mention: bool = False) -> Update:
        doc = {"file_id": "BQACAgIAAxk", "file_unique_id": "AgADdoc", "file_name": "vakance.pdf",
               "mime_type": "application/pdf", "file_size": 20480}
        return self._media(user_id, lang, {"document": doc}, caption, group, mention)

    def voice(self, user_id: int = 1001, lang: str | None = "lv") -> Update:
        voice = {"file_id": "AwACAgIAAxk", "file_unique_id": "AgADvoice", "duration": 3,
                 "mime_type": "audio/ogg"}
        return self._media(user_id, lang, {"voice": voice}, None, False, False)

    def _media(self, user_id: int, lang: str | None, media: dict[str, Any], caption: str | None,
               group: bool, mention: bool) -> Update:
        fields = dict(media)
        if caption is not None:
            if mention:
                tag = f"@{BOT_USERNAME}"
                caption = f"{tag} {caption}"
                fields["caption_entities"] = [{"type": "mention", "offset": 0,
                                               "length": len(tag)}]
            fields["caption"] = caption
        chat = {"id": GROUP_ID, "type": "supergroup", "title": "Darba meklētāji"} if group else None
        return self._wrap(message=self._message(user_id, lang, chat=chat, **fields))


# -- the bot under test -------------------------------------------------------------------


@dataclass
class BotHarness:
    app: Application  # type: ignore[type-arg]
    telegram: FakeTelegram
    state: KnowledgeState
    storage: Storage
    settings: Settings
    updates: Updates
    admin_id: int = ADMIN_ID
    bot_id: int = BOT_ID
    bot_username: str = BOT_USERNAME
    group_id: int = GROUP_ID

    async def feed(self, update: Update) -> list[Call]:
        """Process one update like the Application would, finish background writes, and
        return the Bot API calls it caused."""
        start = len(self.telegram.calls)
        await self.app.process_update(update)
        await self.app.bot_data.services.drain()
        return self.telegram.calls[start:]

    async def say(self, text: str, **kw: Any) -> list[Call]:
        return await self.feed(self.updates.text(text, **kw))

    async def command(self, command: str, payload: str = "", **kw: Any) -> list[Call]:
        return await self.feed(self.updates.command(command, payload, **kw))

    async def press(self, data: str, **kw: Any) -> list[Call]:
        return await self.feed(self.updates.callback(data, **kw))

    def rows(self, table: str, user_id: int | None = None) -> int:
        """Rows in a table of the bot's SQLite file, read with plain sqlite3."""
        if not self.storage.path.exists():
            return 0
        with sqlite3.connect(self.storage.path) as db:
            if user_id is None:
                return int(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
            return int(db.execute(f"SELECT COUNT(*) FROM {table} WHERE user_id=?",
                                  (user_id,)).fetchone()[0])


def make_settings(data_dir: Path, knowledge_dir: Path = KNOWLEDGE, **extra: str) -> Settings:
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "ADMIN_IDS": str(ADMIN_ID),
        "DATA_DIR": str(data_dir),
        "KNOWLEDGE_DIR": str(knowledge_dir),
        # The overall AIORateLimiter is real but off, so tests are not paced at 30 msg/s.
        "RATE_LIMIT_OVERALL": "0",
        "LOG_LEVEL": "WARNING",
        **extra,
    }
    return load_settings(env)


@pytest.fixture(scope="session")
def shipped_state() -> KnowledgeState:
    """The shipped knowledge; tests that edit or reload use `knowledge_copy` instead."""
    return KnowledgeState(KNOWLEDGE)


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    return target


MakeBot = Callable[..., Awaitable[BotHarness]]


@pytest.fixture
async def make_bot(tmp_path: Path, shipped_state: KnowledgeState) -> AsyncIterator[MakeBot]:
    """Build and initialize bots; each is shut down after the test."""
    started: list[Application] = []  # type: ignore[type-arg]

    async def factory(knowledge_dir: Path | None = None, data_dir: Path | None = None,
                      watch: bool = False, **extra: str) -> BotHarness:
        state = KnowledgeState(knowledge_dir) if knowledge_dir else shipped_state
        settings = make_settings(data_dir or tmp_path / "data", state.directory, **extra)
        storage = Storage(settings.database)
        fake = FakeTelegram()
        app = build_application(settings, state, storage, request=fake, watch=watch)
        await app.initialize()
        started.append(app)
        return BotHarness(app, fake, state, storage, settings, Updates(app.bot))

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
def tg_html() -> Callable[[str], str]:
    """Validate Telegram HTML (balanced supported tags, escaped & and <); return what the
    user sees."""
    return parse_telegram_html
