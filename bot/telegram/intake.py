"""Updates in: checked, journaled before Telegram is told they arrived, crossed off once
answered, and answered after a crash (see bot/journal.py for the journal itself).

Where each step happens, all at python-telegram-bot's documented extension points:
- polling: `JournalingRequest` wraps the HTTP request object. A getUpdates answer is
  checked and journaled *inside* that call, so before python-telegram-bot can ask for the
  next batch with a higher offset (which is what confirms the batch to Telegram).
- webhook: `bot.telegram.webhook` calls `Intake.accept` before answering 200.
- an update's first reply: when Telegram has accepted it, `JournalingRequest` marks the
  update "replied" (not answered again after a crash: the user has a reply).
- done: `JournalingProcessor` (the update processor) crosses the update off when its
  handlers have finished, whatever they did.
- start: `Intake.replay` puts what the last run left unanswered in the update queue.

An update already in the journal (Telegram sends the last unconfirmed batch again after
a restart; a webhook may be retried) and an update the bot cannot handle are replaced by
an empty update with the same id, so the polling offset still moves past it.

If the journal cannot be written the bot answers anyway (a broken disk must not silence
it) and says once in the log that updates are not protected against a crash meanwhile.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable
from contextvars import ContextVar
from typing import Any

from telegram import Update
from telegram.ext import Application, SimpleUpdateProcessor
from telegram.request import BaseRequest, RequestData

from ..journal import UpdateJournal
from ..storage import Writer
from . import update_shape

log = logging.getLogger(__name__)
SKIP = "journal_skip"  # marks a stand-in update (api_kwargs): nothing to do, nothing to record
# what a user sees as the answer (a bare answerCallbackQuery only stops the spinner)
REPLY_METHODS = frozenset({"sendMessage", "editMessageText", "answerInlineQuery"})
PRUNE_EVERY = 10_000
_current: ContextVar[int | None] = ContextVar("journaled_update", default=None)


class Intake:
    def __init__(self, journal: UpdateJournal, max_age: float) -> None:
        self.journal = journal
        self.max_age = max_age
        self.writer = Writer(journal)
        self._replied: set[int] = set()
        self._finished = 0
        self._journal_ok = True

    # -- the journal, failures logged once per outage --------------------------------------

    async def _write(self, func: Any, *args: Any) -> Any:
        try:
            result = await asyncio.wrap_future(self.writer.call(func, *args))
        except Exception as exc:
            if self._journal_ok:
                self._journal_ok = False
                log.error("the update journal %s cannot be written (%s: %s); updates are "
                          "answered but not protected against a crash until it can",
                          self.journal.path, type(exc).__name__, exc)
            raise
        if not self._journal_ok:
            self._journal_ok = True
            log.warning("the update journal works again")
        return result

    # -- in ---------------------------------------------------------------------------------

    async def admit(self, updates: list[Any]) -> list[dict[str, Any]]:
        """A getUpdates batch as it should reach python-telegram-bot: new, valid updates
        unchanged (now journaled); duplicates and invalid ones as empty stand-ins."""
        valid: list[tuple[int, str]] = []
        out: list[dict[str, Any]] = []
        for data in updates:
            found = update_shape.problem(data)
            if found is None:
                try:  # what python-telegram-bot will do with it, before it logs the text
                    Update.de_json(data, None)
                except Exception as exc:
                    found = f"python-telegram-bot cannot read it ({type(exc).__name__})"
            if found is not None:
                uid = data.get("update_id") if isinstance(data, dict) else None
                log.warning("update %s dropped: %s", uid if isinstance(uid, int) else "?", found)
                if isinstance(uid, int) and not isinstance(uid, bool):
                    out.append({"update_id": uid, SKIP: "invalid"})
                continue
            valid.append((data["update_id"], json.dumps(data, ensure_ascii=False)))
            out.append(data)
        if not valid:
            return out
        try:
            new = set(await self._write(self.journal.admit, valid, time.time()))
        except Exception:
            return out  # answered anyway, unprotected (logged)
        return [u if SKIP in u or u["update_id"] in new
                else {"update_id": u["update_id"], SKIP: "duplicate"} for u in out]

    async def accept(self, data: dict[str, Any]) -> bool:
        """One update from the webhook, already checked: True to process it, False if it
        was seen before. Returns once it is journaled (or the journal failed)."""
        try:
            new = await self._write(self.journal.admit,
                                    [(data["update_id"], json.dumps(data, ensure_ascii=False))],
                                    time.time())
        except Exception:
            return True
        return bool(new)

    # -- replies and completion ---------------------------------------------------------------

    def replied(self) -> None:
        """Telegram accepted a reply to the current update: mark it, once, in the
        background (a crash before the mark is written may answer it twice)."""
        uid = _current.get()
        if uid is None or uid in self._replied:
            return
        self._replied.add(uid)
        self.writer.submit(self.journal.mark_replied, uid)

    def finished(self, uid: int) -> None:
        self._replied.discard(uid)
        self.writer.submit(self.journal.finish, uid, time.time())
        self._finished += 1
        if self._finished % PRUNE_EVERY == 0:  # ids older than a day, without a restart
            self.writer.submit(self.journal.prune, time.time())

    # -- start ------------------------------------------------------------------------------

    async def replay(self, app: Application) -> int:
        """Queue what the last run received but did not answer; return how many."""
        try:
            left = await self._write(self.journal.take_unfinished, self.max_age, time.time())
        except Exception:
            return 0
        for uid, payload in left.replay:
            try:
                update = Update.de_json(json.loads(payload), app.bot)
            except Exception as exc:  # checked when admitted; a changed library may differ
                log.warning("update %s from the journal not replayed: %s", uid,
                            type(exc).__name__)
                self.finished(uid)
                continue
            await app.update_queue.put(update)
        if left.replay or left.expired or left.replied:
            log.warning("after the last stop: %d unanswered updates answered now, %d skipped "
                        "as older than %.0f s, %d already replied to", len(left.replay),
                        left.expired, self.max_age, left.replied)
        return len(left.replay)

    async def drain(self, timeout: float = 10.0) -> None:
        if self.writer.pending:
            await asyncio.to_thread(self.writer.flush, timeout)


def journaled_id(update: object) -> int | None:
    """The id to cross off when `update` is done; None for stand-ins and non-updates."""
    if not isinstance(update, Update) or SKIP in (update.api_kwargs or {}):
        return None
    return update.update_id


class JournalingProcessor(SimpleUpdateProcessor):
    """Runs each update with its id known to the request layer, and crosses it off when
    its handlers (and the error handler) are done."""

    def __init__(self, intake: Intake, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self.intake = intake

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        uid = journaled_id(update)
        token = _current.set(uid)
        try:
            await coroutine
        finally:
            _current.reset(token)
            if uid is not None:
                self.intake.finished(uid)


class JournalingRequest(BaseRequest):
    """python-telegram-bot's HTTP request object (`inner`), with the journal at the two
    moments that matter: a getUpdates answer, and an update's first accepted reply."""

    def __init__(self, inner: BaseRequest, intake: Intake) -> None:
        self.inner = inner
        self.intake = intake

    @property
    def read_timeout(self) -> float | None:
        return self.inner.read_timeout

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        code, payload = await self.inner.do_request(
            url, method, request_data, read_timeout=read_timeout, write_timeout=write_timeout,
            connect_timeout=connect_timeout, pool_timeout=pool_timeout)
        if endpoint == "getUpdates" and code == 200:
            payload = await self._admit(payload)
        elif code == 200 and (endpoint in REPLY_METHODS or (
                endpoint == "answerCallbackQuery" and request_data is not None
                and "text" in request_data.parameters)):
            self.intake.replied()
        return code, payload

    async def _admit(self, payload: bytes) -> bytes:
        try:
            body = json.loads(payload)
        except (ValueError, RecursionError):
            return payload  # python-telegram-bot reports it
        if not isinstance(body, dict) or body.get("ok") is not True \
                or not isinstance(body.get("result"), list):
            return payload
        body["result"] = await self.intake.admit(body["result"])
        return json.dumps(body, ensure_ascii=False).encode()
