"""Wire the python-telegram-bot Application: every handler in one place, in order.

Usage: `python -m bot` with TELEGRAM_BOT_TOKEN set (long polling), plus WEBHOOK_URL for a
webhook. Tests build the same Application with an offline request object.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from telegram import BotCommand, Update
from telegram.error import BadRequest, Forbidden, NetworkError, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest

from ..heartbeat import Heartbeat
from ..i18n import gettext_for
from ..journal import UpdateJournal
from ..knowledge.errors import Problem
from ..settings import Settings
from ..state import KnowledgeState
from ..storage import Storage
from ..watcher import KnowledgeWatcher
from . import admin, handlers, webhook
from .intake import Intake, JournalingProcessor, JournalingRequest
from .services import Services

log = logging.getLogger(__name__)
HEARTBEAT_EVERY = 15.0
CONCURRENT_UPDATES = 16

try:  # httpcore tries `import sniffio` on every request it sends; without the package that
    import sniffio  # noqa: F401  # search walks sys.path (~13 failed imports per reply).
except ImportError:  # A None entry makes the retry fail at once (benchmarks/load.py).
    sys.modules["sniffio"] = None  # type: ignore[assignment]



def N_(message: str) -> str:  # noqa: N802 - marks a string for pybabel extract only
    return message


_COMMANDS = (
    ("start", N_("Start and main sections")),
    ("topics", N_("Browse topics")),
    ("salary", N_("Salary overview")),
    ("language", N_("Change language")),
    ("share", N_("Link to the last topic")),
    ("help", N_("How to ask")),
    ("forget", N_("Delete my data")),
)


_TOKEN_RE = re.compile(r"\d{3,20}:[A-Za-z0-9_-]{30,100}")  # BotFather's token format
_tokens: set[str] = set()


def redact(text: str) -> str:
    """`text` without the bot token (the configured one, and anything shaped like one)."""
    for token in _tokens:
        text = text.replace(token, "<token>")
    return _TOKEN_RE.sub("<token>", text)


def _redacting_factory(factory: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        try:
            msg = record.getMessage()
        except Exception:  # a malformed call; the handler will report it
            return record
        clean = redact(msg)
        if clean != msg:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            # the traceback carries exception messages (URLs…): format it now, redacted
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return record

    make.redacts_tokens = True  # type: ignore[attr-defined]
    return make


def install_log_redaction(token: str | None) -> None:
    """Keep the bot token out of every log record of the process, whichever logger or
    handler (httpx logs request URLs; network errors may quote them): messages,
    tracebacks and stack traces are redacted when the record is created."""
    if token:
        _tokens.add(token)
    if not getattr(logging.getLogRecordFactory(), "redacts_tokens", False):
        logging.setLogRecordFactory(_redacting_factory(logging.getLogRecordFactory()))
    logging.getLogger("httpx").setLevel(logging.WARNING)


def _scrub(exc: BaseException | None) -> None:
    """Redact the token from an exception (and its causes) before it is logged, so no
    formatter or error tracker sees it in str(), repr() or a traceback."""
    seen = 0
    while exc is not None and seen < 10:
        seen += 1
        try:
            exc.args = tuple(redact(a) if isinstance(a, str) else a for a in exc.args)
            message = getattr(exc, "message", None)  # TelegramError keeps its own copy
            if isinstance(message, str):
                exc.message = redact(message)  # type: ignore[attr-defined]
        except Exception:  # an exception type that refuses changes: leave it
            pass
        exc = exc.__cause__ or exc.__context__


def _lang_of(update: Update) -> str:
    code = (update.effective_user.language_code or "") if update.effective_user else ""
    return "ru" if code.startswith(("ru", "uk", "be", "kk")) else "lv"


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log, and tell the user something went wrong — never a traceback.

    A user who blocked the bot (Forbidden) is logged in one line and dropped; a reply that
    timed out may have been delivered, so no apology follows it (see handlers.send)."""
    err = context.error
    _scrub(err)
    private = isinstance(update, Update) and update.effective_chat is not None \
        and update.effective_chat.type == "private"
    if isinstance(err, Forbidden):
        log.warning("cannot write to the chat (blocked by the user?): %s", str(err)[:300])
        return
    if isinstance(err, TimedOut):
        log.warning("a Bot API call timed out; not repeated, it may have gone through: %s",
                    str(err)[:300])
        return
    if isinstance(err, NetworkError) and not isinstance(err, BadRequest):
        log.error("error while handling an update: %s: %s (Telegram unreachable; gave up "
                  "after retries)", type(err).__name__, str(err)[:300])
    else:
        log.error("error while handling an update: %s: %s", type(err).__name__,
                  str(err)[:300], exc_info=(type(err), err, err.__traceback__) if err else None)
    if isinstance(update, Update) and update.effective_message and private:
        with contextlib.suppress(Exception):
            await update.effective_message.reply_text(
                gettext_for(_lang_of(update), "Sorry, something went wrong. Please try again."))


async def _set_commands(app: Application) -> None:
    for lang in (None, "lv", "ru"):
        cmds = [BotCommand(c, gettext_for(lang or "lv", d) if lang else d) for c, d in _COMMANDS]
        try:
            await app.bot.set_my_commands(cmds, language_code=lang)
        except Exception as exc:
            log.warning("set_my_commands(%s) failed: %s", lang, type(exc).__name__)


def _start_watcher(app: Application) -> KnowledgeWatcher:
    """Reload when a knowledge file changes; bad edits are reported to the admins, never
    served. The watcher thread hands problems to the event loop while it runs."""
    s: Services = app.bot_data["svc"]
    loop = asyncio.get_running_loop()

    def report(problems: list[Problem]) -> None:
        if loop.is_running():  # not while stopping: the message could never be sent
            asyncio.run_coroutine_threadsafe(admin.notify_admins(app, problems), loop)

    watcher = KnowledgeWatcher(s.state, report)
    watcher.start()
    return watcher


async def _heartbeat(app: Application, path: Path) -> None:
    """Beat while updates are being fetched; the Docker HEALTHCHECK reads its age (see
    bot/heartbeat.py: a data directory that cannot be written is logged once and the beat
    goes elsewhere). Checks every second until the app runs (it starts after post_init)."""
    heartbeat = Heartbeat(path)
    while True:
        updater = app.updater
        alive = app.running and (updater is None or updater.running or app.bot_data.get("webhook"))
        if alive:
            await asyncio.to_thread(heartbeat.beat)
        await asyncio.sleep(HEARTBEAT_EVERY if alive else 1.0)


async def _post_init(app: Application) -> None:
    s: Services = app.bot_data["svc"]
    await app.bot_data["intake"].replay(app)  # before the first getUpdates
    await _set_commands(app)
    if app.bot_data.get("watch", True):
        app.bot_data["watcher"] = _start_watcher(app)
    tasks = app.bot_data.setdefault("tasks", [])
    tasks.append(asyncio.get_running_loop().create_task(_heartbeat(app, s.settings.heartbeat)))


async def _post_shutdown(app: Application) -> None:
    watcher: KnowledgeWatcher | None = app.bot_data.get("watcher")
    if watcher is not None:
        watcher.stop()
    for task in app.bot_data.get("tasks", []):
        task.cancel()
    s: Services = app.bot_data["svc"]
    await s.drain()
    await app.bot_data["intake"].drain()


def _rate_limiter(per_second: float) -> AIORateLimiter:
    """At most `per_second` messages in any second, 429s waited out (3 retries).

    aiolimiter is a leaky bucket: AsyncLimiter(30, 1) lets a burst of 30 out at once and
    then 30/s, i.e. up to 60 in the first second (benchmarks/load.py saw it). A bucket of
    one message that drains every 1/30 s never exceeds the rate."""
    if per_second <= 0:
        return AIORateLimiter(overall_max_rate=0, max_retries=3)
    return AIORateLimiter(overall_max_rate=1, overall_time_period=1 / per_second, max_retries=3)


def build_application(
    settings: Settings,
    state: KnowledgeState,
    storage: Storage | None = None,
    request: BaseRequest | None = None,
    watch: bool = True,
    get_updates_request: BaseRequest | None = None,
) -> Application:
    """The bot as an Application; `request` replaces the network (tests), for getUpdates
    too unless `get_updates_request` is given."""
    install_log_redaction(settings.token)
    builder = (
        Application.builder()
        .token(settings.token or "")
        .base_url(settings.api_base_url)
        .rate_limiter(_rate_limiter(settings.rate_limit_overall))
        # 16 updates at a time is far more than the 30 msg/s limit needs (30/s × ~0.1 s per
        # Bot API call); a small HTTP pool matters: httpcore scans every pooled connection on
        # each request, so 256 connections (the default) cost ~15% throughput
        # (benchmarks/load.py).
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    # Every update is journaled before Telegram learns it arrived and crossed off once
    # answered (intake.py): through the HTTP request objects and the update processor.
    intake = Intake(UpdateJournal(settings.journal), settings.replay_max_age)
    inner = request or HTTPXRequest(connection_pool_size=CONCURRENT_UPDATES * 2)
    polling_inner = get_updates_request or request or HTTPXRequest(connection_pool_size=1)
    builder = (builder.request(JournalingRequest(inner, intake))
               .get_updates_request(JournalingRequest(polling_inner, intake))
               .concurrent_updates(JournalingProcessor(intake, CONCURRENT_UPDATES)))
    app = builder.build()
    app.bot_data["svc"] = Services(settings, state, storage or Storage(settings.database))
    app.bot_data["intake"] = intake
    app.bot_data["watch"] = watch

    # Order matters. Group -1 runs first for every update: heartbeat and flood guard; it
    # stops a flooding user's update before any handler.
    app.add_handler(TypeHandler(Update, handlers.guard), group=-1)
    # Commands before free text; admin commands before the unknown-command catch-all.
    app.add_handler(CommandHandler("start", handlers.start))
    app.add_handler(CommandHandler("help", handlers.help_command))
    app.add_handler(CommandHandler("topics", handlers.topics))
    app.add_handler(CommandHandler("salary", handlers.salary))
    app.add_handler(CommandHandler("language", handlers.language))
    app.add_handler(CommandHandler("share", handlers.share))
    app.add_handler(CommandHandler("forget", handlers.forget))
    app.add_handler(CommandHandler("stats", admin.stats))
    app.add_handler(CommandHandler("unanswered", admin.unanswered))
    app.add_handler(CommandHandler("reload", admin.reload_command))
    app.add_handler(MessageHandler(filters.COMMAND, handlers.unknown_command))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND & ~filters.UpdateType.EDITED,
                                   handlers.question))
    app.add_handler(MessageHandler(
        filters.ChatType.PRIVATE & ~filters.TEXT & ~filters.StatusUpdate.ALL
        & ~filters.UpdateType.EDITED, handlers.non_text))
    app.add_handler(CallbackQueryHandler(handlers.button))
    app.add_handler(InlineQueryHandler(handlers.inline))
    app.add_error_handler(on_error)
    return app


def webhook_options(settings: Settings) -> dict[str, Any]:
    """How the webhook server listens: only requests carrying WEBHOOK_SECRET in the
    X-Telegram-Bot-Api-Secret-Token header are accepted (others get 403)."""
    assert settings.webhook_url and settings.webhook_secret  # load_settings enforces both
    return {
        "listen": "0.0.0.0",
        "port": settings.port,
        "url_path": "telegram",
        "webhook_url": settings.webhook_url.rstrip("/") + "/telegram",
        "secret_token": settings.webhook_secret,
        "allowed_updates": Update.ALL_TYPES,
    }


def run_telegram(settings: Settings, state: KnowledgeState) -> int:
    """Long polling by default; a webhook with a secret token when WEBHOOK_URL is set.

    Telegram is reached first (bot.telegram.startup: retried while unreachable, one line
    when refused), then python-telegram-bot runs on the same event loop and handles
    SIGINT/SIGTERM. Raises StartupFailed."""
    from .startup import StartupFailed, connect_until_stopped

    install_log_redaction(settings.token)
    app = build_application(settings, state)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    if not connect_until_stopped(loop, app, settings):
        loop.run_until_complete(app.shutdown())
        loop.close()
        return 0
    log.info("starting on Telegram (%s)", "webhook" if settings.webhook_url else "polling")
    if settings.webhook_url:
        app.bot_data["webhook"] = True
        try:
            loop.run_until_complete(webhook.serve(app, settings))
        except OSError as exc:  # the port is taken or not ours to bind
            raise StartupFailed(f"cannot listen for the webhook on port {settings.port}: "
                                f"{exc.strerror or exc}") from None
        finally:
            loop.close()
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0
