"""The bot under test in tests/telegram: the real Application from `build_application`, its
handlers, a SQLite file in a temporary directory and the shipped knowledge — and Telegram
answered in process by the tests' one fake Bot API (tests/bot_api.py).

Updates are built from the JSON Telegram sends (`Update.de_json`), so the tests exercise
the same parsing the bot does in production. Fixtures are in conftest.py; test modules
import the types from here for their annotations.
"""

from __future__ import annotations

import html
import itertools
import re
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from telegram import Bot, Update

from bot.settings import Settings, load_settings
from bot.state import KnowledgeState
from bot.storage import Storage
from bot.telegram.context import BotApp
from tests import bot_api
from tests.bot_api import (
    ADMIN_ID,
    BOT_ID,
    BOT_USERNAME,
    GROUP_ID,
    TOKEN,
    Call,
    FakeBotAPI,
    group_chat,
)

ROOT = Path(__file__).resolve().parents[2]
KNOWLEDGE = ROOT / "knowledge"
DEFAULT_USER = 1001


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


TgHtml = Callable[[str], str]


# -- updates as Telegram sends them ---------------------------------------------------------


class Updates:
    """`Update` objects from the JSON Telegram sends (tests/bot_api.py builds it)."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self._update_ids = itertools.count(1)

    def _wrap(self, **payload: Any) -> Update:
        update = Update.de_json({"update_id": next(self._update_ids), **payload}, self.bot)
        assert update is not None
        return update

    def text(self, text: str, user_id: int = DEFAULT_USER, lang: str | None = "lv") -> Update:
        """A private text message."""
        return self._wrap(message=bot_api.message(text, user_id, lang))

    def command(self, command: str, payload: str = "", user_id: int = DEFAULT_USER,
                lang: str | None = "lv") -> Update:
        """'/start' or '/start payload' with its bot_command entity."""
        cmd = command if command.startswith("/") else "/" + command
        text = f"{cmd} {payload}" if payload else cmd
        return self._wrap(message=bot_api.message(text, user_id, lang, command=True))

    def callback(self, data: str, user_id: int = DEFAULT_USER, lang: str | None = "lv",
                 message_text: str = "…") -> Update:
        """A press on an inline button under a message the bot sent earlier."""
        return self._wrap(callback_query=bot_api.callback(data, user_id, lang, message_text))

    def inline(self, query: str, user_id: int = DEFAULT_USER, lang: str | None = "lv") -> Update:
        return self._wrap(inline_query=bot_api.inline_query(query, user_id, lang))

    def group(self, text: str, user_id: int = DEFAULT_USER, lang: str | None = "lv",
              mention: bool = False, reply_to_bot: bool = False) -> Update:
        """A group message; `mention` prefixes @TestAmBot with a mention entity."""
        chat = group_chat()
        fields: dict[str, Any] = {}
        if mention:
            tag = f"@{BOT_USERNAME}"
            text = f"{tag} {text}"
            fields["entities"] = [{"type": "mention", "offset": 0, "length": len(tag)}]
        if reply_to_bot:
            fields["reply_to_message"] = bot_api.bot_message(chat, "Konta pārvaldnieka alga …")
        return self._wrap(message=bot_api.message(text, user_id, lang, chat=chat, **fields))

    def sticker(self, user_id: int = DEFAULT_USER, lang: str | None = "lv") -> Update:
        sticker = {"file_id": "CAACAgIAAxk", "file_unique_id": "AgADsticker", "width": 512,
                   "height": 512, "is_animated": False, "is_video": False, "type": "regular",
                   "emoji": "👍"}
        return self._media(user_id, lang, {"sticker": sticker})

    def photo(self, user_id: int = DEFAULT_USER, lang: str | None = "lv",
              caption: str | None = None, group: bool = False, mention: bool = False) -> Update:
        """A photo; with `caption`, its text (in a group, `mention` starts it with
        @TestAmBot)."""
        sizes = [{"file_id": f"AgACAgIAAxk{i}", "file_unique_id": f"AQADphoto{i}",
                  "width": w, "height": w, "file_size": w * 40} for i, w in enumerate((90, 320))]
        return self._media(user_id, lang, {"photo": sizes}, caption, group, mention)

    def document(self, user_id: int = DEFAULT_USER, lang: str | None = "lv",
                 caption: str | None = None, group: bool = False, mention: bool = False) -> Update:
        doc = {"file_id": "BQACAgIAAxk", "file_unique_id": "AgADdoc", "file_name": "vakance.pdf",
               "mime_type": "application/pdf", "file_size": 20480}
        return self._media(user_id, lang, {"document": doc}, caption, group, mention)

    def voice(self, user_id: int = DEFAULT_USER, lang: str | None = "lv") -> Update:
        voice = {"file_id": "AwACAgIAAxk", "file_unique_id": "AgADvoice", "duration": 3,
                 "mime_type": "audio/ogg"}
        return self._media(user_id, lang, {"voice": voice})

    def _media(self, user_id: int, lang: str | None, media: dict[str, Any],
               caption: str | None = None, group: bool = False, mention: bool = False) -> Update:
        fields = dict(media)
        if caption is not None:
            if mention:
                tag = f"@{BOT_USERNAME}"
                caption = f"{tag} {caption}"
                fields["caption_entities"] = [{"type": "mention", "offset": 0,
                                               "length": len(tag)}]
            fields["caption"] = caption
        chat = group_chat() if group else None
        return self._wrap(message=bot_api.message(None, user_id, lang, chat=chat, **fields))


# -- the bot under test -------------------------------------------------------------------


@dataclass
class BotHarness:
    app: BotApp
    telegram: FakeBotAPI
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

    async def post_init(self) -> None:
        """What run_polling and the webhook do before the first update (replay, command
        menus, the file watcher, the heartbeat); Application.initialize() does not."""
        assert self.app.post_init is not None
        await self.app.post_init(self.app)

    async def post_shutdown(self) -> None:
        assert self.app.post_shutdown is not None
        await self.app.post_shutdown(self.app)

    async def say(self, text: str, **kw: Any) -> list[Call]:
        return await self.feed(self.updates.text(text, **kw))

    async def command(self, command: str, payload: str = "", **kw: Any) -> list[Call]:
        return await self.feed(self.updates.command(command, payload, **kw))

    async def press(self, data: str, **kw: Any) -> list[Call]:
        return await self.feed(self.updates.callback(data, **kw))

    def rows(self, table: str, user_id: int | None = None) -> int:
        return count_rows(self.storage.path, table, user_id)


def count_rows(path: Path, table: str, user_id: int | None = None) -> int:
    """Rows in a table of the bot's SQLite file (of a user), read with plain sqlite3."""
    if not path.exists():
        return 0
    with sqlite3.connect(path) as db:
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


MakeBot = Callable[..., Awaitable[BotHarness]]
