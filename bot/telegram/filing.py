"""Admins teach the bot from Telegram: /unanswered lists the questions it could not answer,
a page at a time, one message per question with a button per guess of the bot, "another
topic…" (the menu, whose last tap files it), "off-topic" and "skip"; a tap files the
question (bot/learning.py: learned.yaml, then the knowledge base reloads and the model
retrains) and the message turns into the confirmation with an undo button; /learned lists
the last filed questions, each with undo.

Only ADMIN_IDS in a private chat: the commands are registered with the admin filter and
every button here is an admin kind (bot/actions.py), refused to anyone else as forged data
is (buttons.on_button). Buttons carry a question's reference and topic ids, never text:
the question is found again in storage (`learning.unanswered_by_ref`), so a button under
a question filed meanwhile, by another admin or before a restart, has expired.

Filing retrains the model (a few seconds), so it runs off the event loop; other users are
answered meanwhile. Everything the admin reads is in admin_replies.py.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from telegram import CallbackQuery, Message, Update
from telegram.error import BadRequest

from .. import admin_replies, learning
from ..actions import (
    ChooseTopic,
    FileOffTopic,
    FileUnder,
    Order,
    ShowQuestion,
    SkipQuestion,
    UnansweredPage,
    Unlearn,
)
from ..admin_replies import LEARNED_SHOWN, PAGE
from ..knowledge.model import KnowledgeBase
from ..learning import LearningError, Unanswered
from ..replies import Reply
from ..state import Served
from ..storage import Storage
from .admin import admin_lang
from .buttons import expired
from .context import BotContext
from .sending import ack, message_of, send, show_in_place

log = logging.getLogger(__name__)


# -- commands --------------------------------------------------------------------------------


async def unanswered(update: Update, context: BotContext) -> None:
    """/unanswered: the first page of questions the bot could not answer, newest first."""
    msg = update.effective_message
    if msg is None:
        return
    await _send_page(msg, context, await admin_lang(update, context), "newest", 0)


async def learned(update: Update, context: BotContext) -> None:
    """/learned: the last filed questions, each with undo."""
    msg = update.effective_message
    if msg is None:
        return
    lang = await admin_lang(update, context)
    s = context.services
    try:
        entries = await asyncio.to_thread(learning.recent, s.state.directory, LEARNED_SHOWN)
    except LearningError as exc:  # learned.yaml does not read
        await send(msg, admin_replies.learning_error_reply(s.state.current.kb, exc, lang))
        return
    await send(msg, admin_replies.learned_list_reply(s.state.current.kb, entries, lang))


def _page(storage: Storage, served: Served, order: Order, offset: int
          ) -> tuple[list[Unanswered], int, int]:
    """The questions of a page, how many there are in all, and where the page starts (the
    last page if questions were filed meanwhile and `offset` is past the end)."""
    total = learning.count_unanswered(storage, served.matcher)
    offset = max(0, min(offset, (total - 1) // PAGE * PAGE)) if total else 0
    return learning.unanswered(storage, served.matcher, order, PAGE, offset), total, offset


async def _send_page(msg: Message, context: BotContext, lang: str, order: Order,
                     offset: int) -> None:
    """A message per question of the page, then (unless there is only one) one saying
    which questions these are, with the other pages and the other order."""
    s = context.services
    served = s.state.current
    page, total, offset = await asyncio.to_thread(_page, s.storage, served, order, offset)
    if not page:
        await send(msg, admin_replies.no_unanswered_reply(lang))
        return
    for number, question in enumerate(page, offset + 1):
        await send(msg, admin_replies.unanswered_card(served.kb, question, lang, number, total))
    if total > 1:  # one question: no other page, no other order
        await send(msg, admin_replies.unanswered_footer(order, offset, len(page), total, lang))


# -- buttons ---------------------------------------------------------------------------------


async def _question(context: BotContext, ref: str) -> Unanswered | None:
    """The unanswered question a button names (None once filed, or gone)."""
    s = context.services
    return await asyncio.to_thread(learning.unanswered_by_ref, s.storage,
                                   s.state.current.matcher, ref)


async def page(update: Update, context: BotContext, query: CallbackQuery,
               action: UnansweredPage) -> None:
    """"Next", "Previous", "Most asked first": that page as new messages; the buttons of
    the page message pressed go (the questions above it stay)."""
    lang = await admin_lang(update, context)
    await ack(query)
    msg = message_of(query)
    if msg is None:
        return
    try:
        await msg.edit_reply_markup(None)
    except BadRequest as exc:  # too old to edit: the old buttons stay, and still work
        log.info("could not remove a page's buttons: %s", exc)
    await _send_page(msg, context, lang, action.order, action.offset)


async def _show_for_question(update: Update, context: BotContext, query: CallbackQuery,
                             ref: str, make: Callable[[KnowledgeBase, Unanswered, str],
                                                      Reply | None]) -> None:
    """`make`'s screen for the button's question, in place of the button's message; the
    buttons have expired when the question is gone (filed meanwhile) or `make` has none."""
    lang = await admin_lang(update, context)
    question = await _question(context, ref)
    kb = context.services.state.current.kb
    reply = None if question is None else make(kb, question, lang)
    if reply is None:
        await expired(update, context)
        return
    await ack(query)
    if msg := message_of(query):
        await show_in_place(msg, reply)


async def show_question(update: Update, context: BotContext, query: CallbackQuery,
                        action: ShowQuestion) -> None:
    """"Back" from choosing a topic, or after an undo: the question with its buttons."""
    await _show_for_question(update, context, query, action.ref, admin_replies.unanswered_card)


async def choose_topic(update: Update, context: BotContext, query: CallbackQuery,
                       action: ChooseTopic) -> None:
    """"Another topic…": the sections, then a section's topics, in place."""
    def screen(kb: KnowledgeBase, question: Unanswered, lang: str) -> Reply | None:
        if action.section:
            return admin_replies.choose_topic_reply(kb, question, action.section, lang)
        return admin_replies.choose_section_reply(kb, question, lang)

    await _show_for_question(update, context, query, action.ref, screen)


async def skip(update: Update, context: BotContext, query: CallbackQuery,
               action: SkipQuestion) -> None:
    """"Skip": the question's message shrinks to one line; it stays in /unanswered."""
    await _show_for_question(update, context, query, action.ref,
                             lambda _kb, question, lang: admin_replies.skipped_reply(question,
                                                                                     lang))


async def file_question(update: Update, context: BotContext, query: CallbackQuery,
                        action: FileUnder | FileOffTopic) -> None:
    """A topic (or "off-topic") tapped: file the question, reload, and turn its message
    into the confirmation — saved, and whether the bot now answers it that way — with
    undo. A refusal (known already, a reload refused, a directory it cannot write) comes
    as a message of its own and the question keeps its buttons."""
    lang = await admin_lang(update, context)
    s = context.services
    topic = action.topic if isinstance(action, FileUnder) else None
    question = await _question(context, action.ref)
    if question is None or (topic is not None and topic not in s.state.current.kb.topics):
        await expired(update, context)
        return
    await ack(query, admin_replies.filing_toast(lang))
    try:
        done = await asyncio.to_thread(learning.learn, s.state, topic, question.language,
                                       question.text, query.from_user.id)
    except LearningError as exc:
        log.info("admin %s: nothing filed: %s", query.from_user.id, type(exc).__name__)
        await _say(query, admin_replies.learning_error_reply(s.state.current.kb, exc, lang))
        return
    log.info("admin %s filed %s under %s: %s", query.from_user.id, done.entry.id,
             topic or "off-topic", "reload refused" if done.problems else
             "settled" if done.settled else "not settled")
    reply = admin_replies.filed_reply(s.state.current.kb, done, lang)
    msg = message_of(query)
    if done.problems or msg is None:
        await _say(query, reply)
    else:
        await show_in_place(msg, reply)


async def unlearn(update: Update, context: BotContext, query: CallbackQuery,
                  action: Unlearn) -> None:
    """"Undo": take the filed question out again and reload; under a confirmation it
    becomes what the bot does now (and a way back to the question), in the /learned list
    the list is shown again without it."""
    lang = await admin_lang(update, context)
    s = context.services
    await ack(query, admin_replies.undoing_toast(lang))
    try:
        done = await asyncio.to_thread(learning.unlearn, s.state, action.entry)
    except LearningError as exc:
        await _say(query, admin_replies.learning_error_reply(s.state.current.kb, exc, lang))
        return
    log.info("admin %s undid %s", query.from_user.id, action.entry)
    kb = s.state.current.kb
    msg = message_of(query)
    if done.problems or msg is None:
        await _say(query, admin_replies.unlearned_reply(kb, done, lang))
        return
    if action.listed:
        note = admin_replies.unlearned_reply(kb, done, lang).text
        try:
            entries = await asyncio.to_thread(learning.recent, s.state.directory, LEARNED_SHOWN)
        except LearningError:  # edited meanwhile into something unreadable
            entries = []
        await show_in_place(msg, admin_replies.learned_list_reply(kb, entries, lang, note))
        return
    again = await _question(context, learning.reference(learning.question_key(done.entry.text)))
    await show_in_place(msg, admin_replies.unlearned_reply(kb, done, lang, again is not None))


async def _say(query: CallbackQuery, reply: Reply) -> None:
    """A message of its own in the admin's chat (the pressed message stays as it is)."""
    if msg := message_of(query):
        await send(msg, reply)
