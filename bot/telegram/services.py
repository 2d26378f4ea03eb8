"""What every handler needs (`context.services`, see context.py): settings, the knowledge
being served, storage behind one writer thread, users' preferences cached, the flood
guard."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypedDict, TypeVar, Unpack

from telegram import User

from ..conversation import language_for
from ..knowledge.model import LANGS
from ..settings import Settings
from ..state import KnowledgeState
from ..storage import Storage, UserPrefs, Writer
from .flood import FloodGuard

log = logging.getLogger(__name__)
T = TypeVar("T")
PREFS_READ_TIMEOUT = 2.0  # seconds: past it a user is answered with the default language
MAX_CACHED_USERS = 100_000  # preferences kept in memory, least recently used dropped


@dataclass(frozen=True, slots=True)
class UserLanguage:
    """The language to answer a user in, and how it was chosen."""

    code: str  # "lv" or "ru"
    fixed: bool  # chosen with /language or a deep link: the question's language is ignored
    guessed: bool  # neither chosen nor known from Telegram: the greeting offers a switch


class PrefChanges(TypedDict, total=False):
    lang: str | None
    lang_fixed: bool
    last_topic: str | None


@dataclass
class Services:
    """One per Application, in `bot_data.services`."""

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
            found = await asyncio.wait_for(asyncio.to_thread(self.storage.get_user, user_id),
                                           PREFS_READ_TIMEOUT)
        except Exception as exc:  # locked, read-only, missing: answer anyway
            log.warning("could not read user preferences: %s", type(exc).__name__)
            return None
        if found is not None:
            self._remember(user_id, found)
        return found

    def _remember(self, user_id: int, prefs: UserPrefs) -> None:
        self.prefs[user_id] = prefs
        self.prefs.move_to_end(user_id)
        while len(self.prefs) > MAX_CACHED_USERS:
            self.prefs.popitem(last=False)

    async def language_of(self, user: User | None) -> UserLanguage:
        """The user's chosen language, else the one their Telegram speaks (lv for anyone
        else, a guess)."""
        if user is None:
            return UserLanguage("lv", False, True)
        prefs = await self.user_prefs(user.id)
        if prefs and prefs.lang in LANGS:
            return UserLanguage(prefs.lang, prefs.lang_fixed, False)
        code, guessed = language_for(user.language_code)
        return UserLanguage(code, False, guessed)

    def update_prefs(self, user_id: int, **changes: Unpack[PrefChanges]) -> None:
        """Change some of a user's preferences (cached, written in the background). The
        cache holds them: the handler looked the user's language up first."""
        old = self.prefs.get(user_id) or UserPrefs(None, False, None)
        new = dataclasses.replace(old, **changes)
        if new != old:
            self._remember(user_id, new)
            self.spawn(self.storage.save_user, user_id, new)

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
