"""What every handler needs, kept in `application.bot_data["svc"]`."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import ContextTypes

from ..replies import Reply
from ..settings import Settings
from ..state import KnowledgeState
from ..storage import Storage, UserPrefs, Writer

log = logging.getLogger(__name__)
T = TypeVar("T")


class FloodGuard:
    """Per-user sliding window: up to `limit` actions per `window` seconds, then one
    polite notice, then silence until the window has room again. One budget for every
    route a user can make the bot work by: messages, button presses, inline queries (an
    action may cost less than 1: an inline query is sent at every pause while typing)."""

    def __init__(self, limit: int = 8, window: float = 10.0, max_users: int = 50_000) -> None:
        self.limit, self.window, self.max_users = limit, window, max_users
        self._hits: OrderedDict[int, deque[tuple[float, float]]] = OrderedDict()
        self._warned: set[int] = set()

    def check(self, user_id: int, now: float | None = None, cost: float = 1.0,
              can_warn: bool = True) -> str:
        """'ok', 'warn' (first action over the limit that can carry a notice) or 'drop'."""
        now = time.monotonic() if now is None else now
        hits = self._hits.pop(user_id, None) or deque()
        self._hits[user_id] = hits
        while hits and now - hits[0][0] > self.window:
            hits.popleft()
        if len(self._hits) > self.max_users:
            self._hits.popitem(last=False)
        if sum(c for _, c in hits) + cost <= self.limit:
            hits.append((now, cost))
            self._warned.discard(user_id)
            return "ok"
        if user_id in self._warned or not can_warn:
            return "drop"
        self._warned.add(user_id)
        return "warn"


@dataclass
class Services:
    settings: Settings
    state: KnowledgeState
    storage: Storage
    flood: FloodGuard = field(default_factory=FloodGuard)
    prefs: OrderedDict[int, UserPrefs] = field(default_factory=OrderedDict)
    writer: Writer = field(init=False)

    def __post_init__(self) -> None:
        self.writer = Writer(self.storage)

    async def user_prefs(self, user_id: int) -> UserPrefs | None:
        """Cached preferences; the database is asked once per user and may fail."""
        if user_id in self.prefs:
            self.prefs.move_to_end(user_id)
            return self.prefs[user_id]
        try:
            found = await asyncio.wait_for(asyncio.to_thread(self.storage.get_user, user_id), 2)
        except Exception as exc:  # locked, read-only, missing: answer anyway
            log.warning("could not read user preferences: %s", type(exc).__name__)
            return None
        if found is not None:
            self._remember(user_id, found)
        return found

    def _remember(self, user_id: int, prefs: UserPrefs) -> None:
        self.prefs[user_id] = prefs
        self.prefs.move_to_end(user_id)
        while len(self.prefs) > 100_000:
            self.prefs.popitem(last=False)

    def set_prefs(self, user_id: int, prefs: UserPrefs) -> None:
        self._remember(user_id, prefs)
        self.spawn(self.storage.save_user, user_id, prefs)

    def forget_cached(self, user_id: int) -> None:
        self.prefs.pop(user_id, None)

    def spawn(self, func: Callable[..., object], *args: object) -> None:
        """Queue a storage write for the writer thread; a failure is logged, never raised."""
        self.writer.submit(func, *args)

    async def write_now(self, func: Callable[..., T], *args: object) -> T:
        """A write after every write queued so far; its result, or its exception."""
        return await asyncio.wrap_future(self.writer.call(func, *args))

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait (bounded) until queued storage writes are done (tests and shutdown)."""
        if self.writer.pending:
            await asyncio.to_thread(self.writer.flush, timeout)


def svc(context: ContextTypes.DEFAULT_TYPE) -> Services:
    services: Services = context.application.bot_data["svc"]
    return services


def markup(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.action) for b in row]
         for row in reply.buttons]
    )
