"""Handlers for candidates and recruiters: commands, deep links and questions.

Each takes the update and the bot's context (context.py), asks the core (conversation,
replies) what to say, and sends it (sending.py). Buttons are in buttons.py, inline mode
in inline.py, admins' commands in admin.py; app.py wires them all, in order.
"""

from __future__ import annotations

import logging

from telegram import Message, MessageEntity, Update
from telegram.constants import ChatType

from .. import conversation, replies
from .context import BotContext
from .sending import send
from .services import PrefChanges

log = logging.getLogger(__name__)


# -- commands --------------------------------------------------------------------------


async def start(update: Update, context: BotContext) -> None:
    """/start [payload]: greeting, or a topic / a language straight from a deep link."""
    msg = update.effective_message
    user = update.effective_user
    if msg is None or user is None:
        return
    served = context.services.state.current
    language = await context.language(update)
    # a deep link's payload is one word of [A-Za-z0-9_-]; more words were typed by hand
    payload = context.args[0] if context.args and len(context.args) == 1 else ""
    topic, chosen = replies.parse_payload(payload, served.kb) if payload else (None, None)
    if chosen:
        context.services.update_prefs(user.id, lang=chosen, lang_fixed=True)
        await send(msg, replies.start_reply(served.kb, chosen))
        return
    if topic:
        context.services.update_prefs(user.id, last_topic=topic)
        await send(msg, replies.answer_reply(served.kb, topic, language.code))
        return
    await send(msg, replies.start_reply(served.kb, language.code, offer_switch=language.guessed))


async def help_command(update: Update, context: BotContext) -> None:
    """/help: how to ask, with two examples."""
    if update.effective_message:
        await send(update.effective_message, replies.help_reply(await context.lang(update)))


async def topics(update: Update, context: BotContext) -> None:
    """/topics: the browse menu."""
    if update.effective_message:
        kb = context.services.state.current.kb
        await send(update.effective_message, replies.topics_reply(kb, await context.lang(update)))


async def salary(update: Update, context: BotContext) -> None:
    """/salary: the computed salary overview."""
    if update.effective_message and update.effective_user:
        lang = await context.lang(update)
        reply = conversation.salary(context.services.state.current, lang)
        context.services.update_prefs(update.effective_user.id, last_topic=reply.topic)
        await send(update.effective_message, reply)


async def language(update: Update, context: BotContext) -> None:
    """/language: lv/ru buttons."""
    if update.effective_message:
        await send(update.effective_message, replies.language_reply(await context.lang(update)))


async def share(update: Update, context: BotContext) -> None:
    """/share: deep link to the topic shown last."""
    msg, user = update.effective_message, update.effective_user
    if msg is None or user is None:
        return
    s = context.services
    lang = await context.lang(update)
    prefs = await s.user_prefs(user.id)
    last = prefs.last_topic if prefs else None
    await send(msg, replies.share_reply(s.state.current.kb, last, lang, context.bot.username))


async def forget(update: Update, context: BotContext) -> None:
    """/forget: delete everything stored about the user."""
    msg, user = update.effective_message, update.effective_user
    if msg is None or user is None:
        return
    s = context.services
    lang = await context.lang(update)
    s.forget_cached(user.id)
    try:  # queued behind pending writes, so nothing reappears after the delete
        n = await s.write_now(s.storage.forget, user.id)
    except Exception as exc:
        log.warning("forget failed: %s", type(exc).__name__)
        await send(msg, replies.forget_failed_reply(lang))
        return
    await send(msg, replies.forget_reply(lang, n))


async def unknown_command(update: Update, context: BotContext) -> None:
    """Any command the user may not or cannot use (admins' commands included, for anyone
    who is not an admin)."""
    if update.effective_message is None:
        return
    if update.effective_chat and update.effective_chat.type != ChatType.PRIVATE:
        return  # in groups stay quiet about other bots' commands
    await send(update.effective_message, replies.unknown_command_reply(await context.lang(update)))


# -- questions -------------------------------------------------------------------------


def _addressed_text(msg: Message, bot_id: int, username: str) -> str | None:
    """The question — a message's text, or a photo's or document's caption — or None when
    a group message is not meant for the bot (neither a reply to it nor mentioning it)."""
    text = msg.text if msg.text is not None else msg.caption
    if text is None:
        return None
    if msg.chat.type == ChatType.PRIVATE:
        return text
    if msg.reply_to_message and msg.reply_to_message.from_user and \
            msg.reply_to_message.from_user.id == bot_id:
        return text
    mention = f"@{username}".lower()
    found = (msg.parse_entities([MessageEntity.MENTION]) if msg.text is not None
             else msg.parse_caption_entities([MessageEntity.MENTION]))
    for ent, value in found.items():
        if value.lower() == mention:
            return (text[: ent.offset] + text[ent.offset + ent.length :]).strip()
    return None


async def question(update: Update, context: BotContext) -> None:
    """Free text (or a caption): answer, "did you mean", or an honest "I don't know"."""
    msg, user = update.effective_message, update.effective_user
    if msg is None or user is None:
        return
    text = _addressed_text(msg, context.bot.id, context.bot.username)
    if text is None:
        return
    s = context.services
    language = await context.language(update)
    if not text.strip() and msg.chat.type != ChatType.PRIVATE:
        # "@bot" alone in a group: how to ask, and nothing to record
        await send(msg, replies.help_reply(language.code))
        return
    answered = conversation.ask(s.state.current, text, language.code, language.fixed)
    d = answered.decision
    log.info("question user=%s lang=%s outcome=%s topic=%s score=%.2f len=%d",
             user.id, d.lang, d.outcome, d.topic, d.score, len(text))
    # recorded once, whatever happens to the reply (retried, timed out, blocked user)
    s.spawn(s.storage.record_question, user.id, conversation.stored_form(text), d.lang,
            d.outcome, d.topic, d.score)
    changes: PrefChanges = {} if language.fixed else {"lang": d.lang}
    if answered.reply.topic:  # small talk is no topic to /share
        changes["last_topic"] = answered.reply.topic
    s.update_prefs(user.id, **changes)
    await send(msg, answered.reply)


async def non_text(update: Update, context: BotContext) -> None:
    """Stickers, voice, photos without a caption: say that only text is understood."""
    if update.effective_message is None:
        return
    await send(update.effective_message, replies.non_text_reply(await context.lang(update)))
