"""Handlers for candidates and recruiters: questions, menus, deep links, inline mode."""

from __future__ import annotations

import asyncio
import html
import logging

import httpx
from telegram import (
    CallbackQuery,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.ext import ApplicationHandlerStop, ContextTypes

from .. import conversation, replies
from ..i18n import gettext_for
from ..replies import Reply
from ..storage import UserPrefs
from .services import markup, svc

log = logging.getLogger(__name__)
_ACTION_PREFIXES = ("menu", "s:", "t:", "mt:", "lang:", "f:", "share:")


# -- helpers ---------------------------------------------------------------------------


async def _language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> tuple[str, bool, bool]:
    """(reply language, fixed by the user?, was it a guess?)"""
    user = update.effective_user
    if user is None:
        return "lv", False, True
    prefs = await svc(context).user_prefs(user.id)
    if prefs and prefs.lang in ("lv", "ru"):
        return prefs.lang, prefs.lang_fixed, False
    lang, guessed = conversation.language_for(user.language_code)
    return lang, False, guessed


def _update_prefs(context: ContextTypes.DEFAULT_TYPE, user_id: int, **changes: object) -> None:
    s = svc(context)
    old = s.prefs.get(user_id) or UserPrefs(None, False, None)
    new = UserPrefs(
        lang=changes.get("lang", old.lang),  # type: ignore[arg-type]
        lang_fixed=changes.get("lang_fixed", old.lang_fixed),  # type: ignore[arg-type]
        last_topic=changes.get("last_topic", old.last_topic),  # type: ignore[arg-type]
    )
    if new != old:
        s.set_prefs(user_id, new)


SEND_ATTEMPTS = 3
SEND_BACKOFF = (0.3, 1.0)  # seconds before the 2nd and the 3rd attempt


def _never_left(exc: TimedOut) -> bool:
    """A timeout that proves the request never reached Telegram: connecting, or waiting
    for a free connection of the pool, took too long."""
    return isinstance(exc.__cause__, httpx.ConnectTimeout | httpx.PoolTimeout)


async def _send_part(message: Message, text: str, markup_: InlineKeyboardMarkup | None) -> None:
    """One message, with a small bounded retry when Telegram could not be reached.

    - NetworkError (HTTP 5xx, connection refused or reset): retried up to SEND_ATTEMPTS
      times with a short backoff, then raised (on_error logs it and apologises).
    - TimedOut: the request may have reached Telegram and the message may have been
      delivered; python-telegram-bot does not resend, and neither do we — a duplicate
      answer is worse than a lost one the user can simply ask again. It is logged and the
      handler goes on. Only a timeout while connecting (nothing was sent) is retried.
    - RetryAfter (429) is waited out by AIORateLimiter (max_retries=3).
    - BadRequest and Forbidden are Telegram's final word: raised at once, never retried.
    """
    for attempt in range(1, SEND_ATTEMPTS + 1):
        try:
            await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=markup_,
                                     do_quote=False)
            return
        except BadRequest:
            raise
        except TimedOut as exc:
            if not _never_left(exc):
                log.warning("reply to chat %s timed out; it may have been delivered, so it is "
                            "not sent again", message.chat_id)
                return
            if attempt == SEND_ATTEMPTS:
                raise
            reason: Exception = exc
        except NetworkError as exc:
            if attempt == SEND_ATTEMPTS:
                raise
            reason = exc
        log.warning("reply to chat %s failed (%s: %s); attempt %d of %d in %.1f s",
                    message.chat_id, type(reason).__name__, str(reason)[:200], attempt + 1,
                    SEND_ATTEMPTS, SEND_BACKOFF[attempt - 1])
        await asyncio.sleep(SEND_BACKOFF[attempt - 1])


async def send(message: Message, reply: Reply) -> None:
    """Send a reply as HTML, split on paragraphs; the keyboard goes with the last part.
    Transient network failures are retried (see `_send_part`)."""
    parts = replies.split_message(reply.text)
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        await _send_part(message, part, markup(reply) if last else None)


async def _ack(query: CallbackQuery, text: str | None = None) -> None:
    """Answer a button press (stop its spinner, maybe a toast). A press answered late —
    replayed after a restart — is refused by Telegram ("query is too old"); the reply
    that follows it is still sent."""
    try:
        await query.answer(text)
    except BadRequest as exc:
        if "too old" not in str(exc) and "query id is invalid" not in str(exc).lower():
            raise
        log.info("a button press was answered too late for its spinner; replying anyway")


# -- guards (group -1) -----------------------------------------------------------------


INLINE_COST = 0.5  # of a message: Telegram sends an inline query at each pause in typing


async def guard(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs before every handler: one per-user flood limit for messages, button presses
    and inline queries. Over it, the first message gets a "slow down" reply and the
    first press a "slow down" toast; the rest is dropped unanswered until there is room."""
    s = svc(context)
    user = update.effective_user
    if user is None:
        return
    if update.message is not None or update.callback_query is not None:
        cost = 1.0
    elif update.inline_query is not None:
        cost = INLINE_COST
    else:
        return
    verdict = s.flood.check(user.id, cost=cost, can_warn=update.inline_query is None)
    if verdict == "ok":
        return
    if verdict == "warn":
        lang, _, _ = await _language(update, context)
        notice = replies.slow_down_reply(lang)
        if update.message is not None:
            await send(update.message, notice)
        elif update.callback_query is not None:
            await _ack(update.callback_query, notice.text)
    raise ApplicationHandlerStop


# -- commands --------------------------------------------------------------------------


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start [payload]: greeting, or a topic / a language straight from a deep link."""
    msg = update.effective_message
    user = update.effective_user
    if msg is None or user is None:
        return
    served = svc(context).state.current
    lang, _, guessed = await _language(update, context)
    # a deep link's payload is one word of [A-Za-z0-9_-]; more words were typed by hand
    payload = context.args[0] if context.args and len(context.args) == 1 else ""
    topic, chosen = replies.parse_payload(payload, served.kb) if payload else (None, None)
    if chosen:
        _update_prefs(context, user.id, lang=chosen, lang_fixed=True)
        await send(msg, replies.start_reply(served.kb, chosen))
        return
    if topic:
        _update_prefs(context, user.id, last_topic=topic)
        await send(msg, replies.answer_reply(served.kb, topic, lang))
        return
    await send(msg, replies.start_reply(served.kb, lang, offer_switch=guessed))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/help: how to ask, with two examples."""
    if update.effective_message:
        lang, _, _ = await _language(update, context)
        await send(update.effective_message, replies.help_reply(lang))


async def topics(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/topics: the browse menu."""
    if update.effective_message:
        lang, _, _ = await _language(update, context)
        await send(update.effective_message, replies.topics_reply(svc(context).state.current.kb,
                                                                   lang))


async def salary(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/salary: the computed salary overview."""
    if update.effective_message and update.effective_user:
        lang, _, _ = await _language(update, context)
        _update_prefs(context, update.effective_user.id, last_topic="salary.overview")
        await send(update.effective_message, conversation.salary(svc(context).state.current, lang))


async def language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/language: lv/ru buttons."""
    if update.effective_message:
        lang, _, _ = await _language(update, context)
        await send(update.effective_message, replies.language_reply(lang))


async def share(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/share: deep link to the topic shown last."""
    msg, user = update.effective_message, update.effective_user
    if msg is None or user is None:
        return
    s = svc(context)
    lang, _, _ = await _language(update, context)
    prefs = await s.user_prefs(user.id)
    last = prefs.last_topic if prefs else None
    await send(msg, replies.share_reply(s.state.current.kb, last, lang, context.bot.username))


async def forget(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/forget: delete everything stored about the user."""
    msg, user = update.effective_message, update.effective_user
    if msg is None or user is None:
        return
    s = svc(context)
    lang, _, _ = await _language(update, context)
    s.forget_cached(user.id)
    try:  # queued behind pending writes, so nothing reappears after the delete
        n = await s.write_now(s.storage.forget, user.id)
    except Exception as exc:
        log.warning("forget failed: %s", type(exc).__name__)
        await send(msg, Reply(gettext_for(lang, "Sorry, I could not delete your data right "
                                                "now. Please try again later."), (), lang))
        return
    await send(msg, replies.forget_reply(lang, n))


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any command the user may not or cannot use."""
    if update.effective_message is None:
        return
    if update.effective_chat and update.effective_chat.type != ChatType.PRIVATE:
        return  # in groups stay quiet about other bots' commands
    lang, _, _ = await _language(update, context)
    await send(update.effective_message, Reply(
        gettext_for(lang, "I don't know this command. /help shows what I can do."), (), lang))


# -- questions -------------------------------------------------------------------------


def _addressed_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """The question text, or None when a group message is not meant for the bot."""
    msg = update.effective_message
    if msg is None or msg.text is None:
        return None
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        return msg.text
    me = context.bot.username or ""
    if msg.reply_to_message and msg.reply_to_message.from_user and \
            msg.reply_to_message.from_user.id == context.bot.id:
        return msg.text
    mention = f"@{me}".lower()
    for ent, value in msg.parse_entities([MessageEntity.MENTION]).items():
        if value.lower() == mention:
            return (msg.text[: ent.offset] + msg.text[ent.offset + ent.length :]).strip()
    return None


async def question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Free text: answer, "did you mean", or an honest "I don't know"."""
    text = _addressed_text(update, context)
    msg, user = update.effective_message, update.effective_user
    if text is None or msg is None or user is None:
        return
    s = svc(context)
    served = s.state.current
    lang, fixed, _ = await _language(update, context)
    answered = conversation.ask(served, text, lang, fixed)
    d = answered.decision
    log.info("question user=%s lang=%s outcome=%s topic=%s score=%.2f len=%d",
             user.id, d.lang, d.outcome, d.topic, d.score, len(text))
    # recorded once, whatever happens to the reply (retried, timed out, blocked user)
    s.spawn(s.storage.record_question, user.id, text, d.lang, d.outcome, d.topic, d.score)
    changes: dict[str, object] = {}
    if not fixed:
        changes["lang"] = d.lang
    if d.topic:
        changes["last_topic"] = d.topic
    _update_prefs(context, user.id, **changes)
    await send(msg, answered.reply)


async def non_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice, documents: say that only text is understood."""
    if update.effective_message is None:
        return
    lang, _, _ = await _language(update, context)
    await send(update.effective_message, replies.non_text_reply(lang))


# -- buttons ---------------------------------------------------------------------------


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Inline keyboard presses: menus edit the message; answers, votes and links reply."""
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None:
        return
    s = svc(context)
    served = s.state.current
    lang, _, _ = await _language(update, context)
    data = query.data or ""
    # every action below is matched exactly (ids looked up whole), so forged, oversized
    # or stale data names nothing and expires
    if not data.startswith(_ACTION_PREFIXES):
        await _ack(query, replies.expired_reply(lang).text)
        return
    msg = query.message if isinstance(query.message, Message) else None
    if data.startswith("lang:"):
        chosen = data[5:]
        if chosen not in ("lv", "ru"):
            await _ack(query, replies.expired_reply(lang).text)
            return
        _update_prefs(context, user.id, lang=chosen, lang_fixed=True)
        await _ack(query)
        if msg:
            await send(msg, replies.language_set_reply(chosen))
        return
    if data.startswith("f:"):
        parts = data.split(":", 2)
        if len(parts) != 3 or parts[1] not in ("+", "-") or parts[2] not in served.kb.topics:
            await _ack(query, replies.expired_reply(lang).text)
            return
        s.spawn(s.storage.record_feedback, user.id, parts[2], 1 if parts[1] == "+" else -1)
        await _ack(query, replies.feedback_thanks(lang))
        return
    if data.startswith("share:"):
        tid = data[6:]
        if tid not in served.kb.topics:
            await _ack(query, replies.expired_reply(lang).text)
            return
        await _ack(query)
        if msg:
            await send(msg, replies.share_reply(served.kb, tid, lang, context.bot.username))
        return
    reply = conversation.act(served, data, lang)
    if reply is None:
        await _ack(query, replies.expired_reply(lang).text)
        return
    await _ack(query)
    if reply.topic:
        _update_prefs(context, user.id, last_topic=reply.topic)
    in_menu = data == "menu" or data.startswith(("s:", "mt:"))
    if msg and in_menu and len(reply.text) <= replies.MAX_MESSAGE:
        try:
            await msg.edit_text(reply.text, parse_mode=ParseMode.HTML, reply_markup=markup(reply))
            return
        except BadRequest as exc:  # unchanged text or too old to edit: send anew
            if "not modified" in str(exc).lower():
                return
    if msg:
        await send(msg, reply)


# -- inline mode -----------------------------------------------------------------------


async def inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """@bot query in any chat: the best matching topics as articles with a deep link."""
    iq = update.inline_query
    if iq is None:
        return
    s = svc(context)
    served = s.state.current
    kb = served.kb
    text = iq.query.strip()[:256]
    if text:
        ids = list(served.matcher.plausible(text))
        lang = served.matcher.reply_language(text, served.matcher.rank(text).index, "lv")
    else:
        lang, _, _ = await _language(update, context)
        try:
            ids = await asyncio.to_thread(s.storage.top_topics, 10)
        except Exception:
            ids = []
        ids = [t for t in ids if t in kb.topics] or [
            sec.topic_ids[0] for sec in kb.sections if sec.id != "chat" and sec.topic_ids]
    username = context.bot.username
    results = []
    for tid in ids:
        t = kb.topics[tid]
        link = replies.deep_link(username, tid)
        # a salary topic follows the filter the query names ("alga bankā"), as in a chat
        filtered = replies.salary_answer(kb, tid, lang, text) if text else None
        answer = filtered[0] if filtered else kb.answer(tid, lang)
        body = f"<b>{html.escape(t.title.get(lang))}</b>\n\n{html.escape(answer)}"
        ask_bot = html.escape(gettext_for(lang, "Ask the bot"))
        tail = f'\n\n<a href="{html.escape(link)}">{ask_bot}</a>'
        if len(body) + len(tail) > replies.MAX_MESSAGE:
            body = body[: replies.MAX_MESSAGE - len(tail) - 1].rsplit("\n", 1)[0] + "…"
        first = answer.split("\n", 1)[0][:120]
        results.append(InlineQueryResultArticle(
            id=tid, title=t.title.get(lang), description=first,
            input_message_content=InputTextMessageContent(body + tail, parse_mode=ParseMode.HTML),
        ))
    await iq.answer(results[:50], cache_time=30, is_personal=not text)
