"""One flood limit per user for everything that makes the bot work: messages, button
presses and inline queries. It runs before every handler (group -1 in app.py)."""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from typing import TYPE_CHECKING, Literal

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from .. import replies
from .sending import ack, send

if TYPE_CHECKING:
    from .context import BotContext

LIMIT = 8  # actions…
WINDOW = 10.0  # …per this many seconds
MAX_TRACKED_USERS = 50_000  # users whose recent actions are remembered
INLINE_COST = 0.5  # of a message: Telegram sends an inline query at each pause in typing
Verdict = Literal["ok", "warn", "drop"]


class FloodGuard:
    """Per-user sliding window: up to `limit` actions per `window` seconds, then one
    polite notice, then silence until the window has room again. One budget for every
    route a user can make the bot work by: messages, button presses, inline queries (an
    action may cost less than 1: an inline query is sent at every pause while typing)."""

    def __init__(self, limit: int = LIMIT, window: float = WINDOW,
                 max_users: int = MAX_TRACKED_USERS) -> None:
        self.limit, self.window, self.max_users = limit, window, max_users
        self._hits: OrderedDict[int, deque[tuple[float, float]]] = OrderedDict()
        self._warned: set[int] = set()

    def check(self, user_id: int, now: float | None = None, cost: float = 1.0,
              can_warn: bool = True) -> Verdict:
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


async def guard(update: Update, context: BotContext) -> None:
    """Over the limit, the first message gets a "slow down" reply and the first press a
    "slow down" toast; the rest is dropped unanswered until there is room."""
    user = update.effective_user
    if user is None:
        return
    if update.message is not None or update.callback_query is not None:
        cost = 1.0
    elif update.inline_query is not None:
        cost = INLINE_COST
    else:
        return
    verdict = context.services.flood.check(user.id, cost=cost,
                                           can_warn=update.inline_query is None)
    if verdict == "ok":
        return
    if verdict == "warn":
        notice = replies.slow_down_reply(await context.lang(update))
        if update.message is not None:
            await send(update.message, notice)
        elif update.callback_query is not None:
            await ack(update.callback_query, notice)
    raise ApplicationHandlerStop
