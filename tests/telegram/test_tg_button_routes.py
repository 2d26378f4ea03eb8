"""Buttons are routed by kind: one CallbackQueryHandler per kind of action, its pattern the
kind's own (bot/actions.py), and an admin's kind refused to everyone else like forged
data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Self

from telegram import CallbackQuery, Update
from telegram.ext import CallbackQueryHandler

from bot.actions import KINDS, Action
from bot.replies import expired_reply
from bot.telegram.buttons import on_button
from bot.telegram.context import BotContext


def test_every_kind_of_button_has_its_handler(bot: Any) -> None:
    handlers = [h for h in bot.app.handlers[0] if isinstance(h, CallbackQueryHandler)]
    routed = [h.pattern for h in handlers if h.pattern is not None]
    assert routed == [kind.pattern for kind in KINDS]
    assert handlers[-1].pattern is None  # the last one: anything else has expired


@dataclass(frozen=True, slots=True)
class Approve(Action):
    """An admin's button, as issue 15's admin screens will add them."""

    question: int
    prefix: ClassVar[str] = "test-approve:"
    fields: ClassVar[str] = r"(?P<question>[0-9]{1,12})"
    admin: ClassVar[bool] = True

    def encode(self) -> str:
        return f"{self.prefix}{self.question}"

    @classmethod
    def from_fields(cls, found: dict[str, str]) -> Self:
        return cls(int(found["question"]))


async def test_an_admin_kind_reaches_its_callback_only_from_an_admin(bot: Any) -> None:
    pressed: list[tuple[int, Approve]] = []

    async def approve(update: Update, context: BotContext, query: CallbackQuery,
                      action: Approve) -> None:
        pressed.append((query.from_user.id, action))
        await query.answer("ok")

    bot.app.add_handler(on_button(Approve, approve), group=0)
    # registered after the catch-all in this test, so it goes first in a group of its own
    bot.app.handlers[0].insert(0, bot.app.handlers[0].pop())

    calls = await bot.press(Approve(42).encode(), user_id=bot.admin_id)
    assert pressed == [(bot.admin_id, Approve(42))]
    assert calls[0].params["text"] == "ok"

    for user_id in (1001, 1002):
        calls = await bot.press(Approve(43).encode(), user_id=user_id)
        assert [c.method for c in calls] == ["answerCallbackQuery"]
        assert calls[0].params["text"] == expired_reply("lv").text
    assert len(pressed) == 1

    # an admin's press in a group (a message forwarded there) is refused too
    update = bot.updates.callback(Approve(44).encode(), user_id=bot.admin_id)
    data = update.to_dict()
    data["callback_query"]["message"]["chat"] = {"id": bot.group_id, "type": "supergroup",
                                                 "title": "G"}
    calls = await bot.feed(Update.de_json(data, bot.app.bot))
    assert calls[0].params["text"] == expired_reply("lv").text
    assert len(pressed) == 1
