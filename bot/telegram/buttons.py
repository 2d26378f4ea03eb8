"""Button presses: one callback per kind of action (bot/actions.py), each registered with
`CallbackQueryHandler(pattern=Kind.pattern)` through `on_button` (app.py), as
python-telegram-bot's rules-bot routes its buttons.

Callback data is untrusted: `on_button` parses it into the typed action again (the
pattern only routes), and a press that names nothing — forged, stale, oversized, an
id a reload removed, an admin's button pressed by someone else — is answered with the
same "this button has expired" toast and changes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import CallbackQuery, Update
from telegram.ext import CallbackQueryHandler

from .. import conversation, replies
from ..actions import Action, Navigation, OpenTopic, SetLanguage, Share, Vote
from .admin import is_admin
from .context import BotContext
from .sending import ack, message_of, send, show_in_place

A = TypeVar("A", bound=Action)
ButtonCallback = Callable[[Update, BotContext, CallbackQuery, A], Awaitable[None]]


def on_button(kind: type[A], callback: ButtonCallback[A]) -> CallbackQueryHandler[BotContext, None]:
    """The handler of one kind of button: presses whose data parses as `kind` (and, for an
    admin kind, come from an admin) reach `callback` with the typed action."""

    async def press(update: Update, context: BotContext) -> None:
        query = update.callback_query
        if query is None:
            return
        action = kind.parse(query.data or "")
        if action is None or (kind.admin and not is_admin(update, context)):
            await expired(update, context)
            return
        await callback(update, context, query, action)

    press.__doc__ = callback.__doc__
    return CallbackQueryHandler(press, pattern=kind.pattern)


async def expired(update: Update, context: BotContext) -> None:
    """Any press that names nothing: a toast, nothing else."""
    if update.callback_query is not None:
        await ack(update.callback_query, replies.expired_reply(await context.lang(update)))


async def navigate(update: Update, context: BotContext, query: CallbackQuery,
                   action: Navigation) -> None:
    """The menu, a section, a topic: the menu is browsed in one message (edited in
    place); a topic opened from a reply comes as a new message under it."""
    lang = await context.lang(update)
    reply = conversation.act(context.services.state.current, action, lang)
    if reply is None:
        await expired(update, context)
        return
    await ack(query)
    if reply.topic and query.from_user:
        context.services.update_prefs(query.from_user.id, last_topic=reply.topic)
    msg = message_of(query)
    if msg is None:
        return
    if isinstance(action, OpenTopic) and not action.from_menu:
        await send(msg, reply)
    else:
        await show_in_place(msg, reply)


async def set_language(update: Update, context: BotContext, query: CallbackQuery,
                       action: SetLanguage) -> None:
    """🇱🇻 / 🇷🇺: answer in this language from now on, whatever the question's."""
    context.services.update_prefs(query.from_user.id, lang=action.lang, lang_fixed=True)
    await ack(query)
    if msg := message_of(query):
        await send(msg, replies.language_set_reply(action.lang))


async def vote(update: Update, context: BotContext, query: CallbackQuery, action: Vote) -> None:
    """👍 / 👎: stored (the user's last vote per topic counts), thanked with a toast."""
    if action.topic not in context.services.state.current.kb.topics:
        await expired(update, context)
        return
    s = context.services
    s.spawn(s.storage.record_feedback, query.from_user.id, action.topic, 1 if action.up else -1)
    await ack(query, replies.feedback_thanks(await context.lang(update)))


async def share(update: Update, context: BotContext, query: CallbackQuery,
                action: Share) -> None:
    """🔗: a deep link to the topic, to forward."""
    kb = context.services.state.current.kb
    if action.topic not in kb.topics:
        await expired(update, context)
        return
    await ack(query)
    if msg := message_of(query):
        reply = replies.share_reply(kb, action.topic, await context.lang(update),
                                    context.bot.username)
        await send(msg, reply)
