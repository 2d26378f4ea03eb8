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
import time
from pathlib import Path

from telegram import BotCommand, Update
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
from telegram.request import BaseRequest

from ..i18n import gettext_for
from ..settings import Settings
from ..state import KnowledgeState
from ..storage import Storage
from . import admin, handlers
from .services import Services

log = logging.getLogger(__name__)
HEARTBEAT_EVERY = 15.0

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


class _RedactToken(logging.Filter):
    """Keep the bot token out of every log line (httpx logs request URLs)."""

    def __init__(self, token: str | None) -> None:
        super().__init__()
        self.token = token
        self._re = re.compile(r"bot\d{3,20}:[A-Za-z0-9_-]{30,100}")

    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.getMessage()
        clean = self._re.sub("bot<token>", msg)
        if self.token:
            clean = clean.replace(self.token, "<token>")
        if clean != msg:
            record.msg, record.args = clean, None
        return True


def install_log_redaction(token: str | None) -> None:
    f = _RedactToken(token)
    for handler in logging.getLogger().handlers:
        handler.addFilter(f)
    logging.getLogger().addFilter(f)
    for name in ("httpx", "telegram", "telegram.ext", "bot"):
        logging.getLogger(name).addFilter(f)
    logging.getLogger("httpx").setLevel(logging.WARNING)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log, and tell the user something went wrong — never a traceback."""
    err = context.error
    log.error("error while handling an update: %s: %s", type(err).__name__,
              str(err)[:300], exc_info=(type(err), err, err.__traceback__) if err else None)
    if isinstance(update, Update) and update.effective_message and update.effective_chat \
            and update.effective_chat.type == "private":
        lang = "ru" if (update.effective_user and (update.effective_user.language_code or "")
                        .startswith(("ru", "uk", "be", "kk"))) else "lv"
        with contextlib.suppress(Exception):
            await update.effective_message.reply_text(
                gettext_for(lang, "Sorry, something went wrong. Please try again."))


async def _set_commands(app: Application) -> None:
    for lang in (None, "lv", "ru"):
        cmds = [BotCommand(c, gettext_for(lang or "lv", d) if lang else d) for c, d in _COMMANDS]
        try:
            await app.bot.set_my_commands(cmds, language_code=lang)
        except Exception as exc:
            log.warning("set_my_commands(%s) failed: %s", lang, type(exc).__name__)


async def _watch_knowledge(app: Application) -> None:
    """Reload when a knowledge file changes; bad edits are reported, never served."""
    from watchfiles import awatch

    s: Services = app.bot_data["svc"]
    try:
        async for _changes in awatch(s.state.directory, debounce=800, step=200):
            problems = await asyncio.to_thread(s.state.reload)
            if problems:
                await admin.notify_admins(app, problems)
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        log.error("knowledge watcher stopped: %s", exc)


async def _heartbeat(app: Application, path: Path) -> None:
    """Touch a file while updates are being fetched; the Docker HEALTHCHECK reads its age.
    Checks every second until the first beat (the app starts running after post_init)."""
    beat = False
    while True:
        updater = app.updater
        alive = app.running and (updater is None or updater.running or app.bot_data.get("webhook"))
        if alive:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(f"{time.time():.0f}\n")
                beat = True
            except OSError as exc:
                log.warning("heartbeat not written: %s", exc)
        await asyncio.sleep(HEARTBEAT_EVERY if beat else 1.0)


async def _post_init(app: Application) -> None:
    s: Services = app.bot_data["svc"]
    await _set_commands(app)
    tasks = app.bot_data.setdefault("tasks", [])
    if app.bot_data.get("watch", True):
        tasks.append(asyncio.get_running_loop().create_task(_watch_knowledge(app)))
    tasks.append(asyncio.get_running_loop().create_task(_heartbeat(app, s.settings.heartbeat)))


async def _post_shutdown(app: Application) -> None:
    for task in app.bot_data.get("tasks", []):
        task.cancel()
    s: Services = app.bot_data["svc"]
    await s.drain()


def build_application(
    settings: Settings,
    state: KnowledgeState,
    storage: Storage | None = None,
    request: BaseRequest | None = None,
    watch: bool = True,
) -> Application:
    """The bot as an Application; `request` replaces the network (tests)."""
    builder = (
        Application.builder()
        .token(settings.token or "")
        .base_url(settings.api_base_url)
        .rate_limiter(AIORateLimiter(overall_max_rate=settings.rate_limit_overall,
                                     max_retries=3))
        .concurrent_updates(64)
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    app = builder.build()
    app.bot_data["svc"] = Services(settings, state, storage or Storage(settings.database))
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


def run_telegram(settings: Settings, state: KnowledgeState) -> int:
    """Long polling by default; a webhook with a secret token when WEBHOOK_URL is set."""
    install_log_redaction(settings.token)
    app = build_application(settings, state)
    log.info("starting on Telegram (%s)", "webhook" if settings.webhook_url else "polling")
    if settings.webhook_url:
        app.bot_data["webhook"] = True
        app.run_webhook(
            listen="0.0.0.0",
            port=settings.port,
            url_path="telegram",
            webhook_url=settings.webhook_url.rstrip("/") + "/telegram",
            secret_token=settings.webhook_secret,
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0
