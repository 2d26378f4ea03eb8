"""Wire the python-telegram-bot Application: every handler in one place, in order.

Usage: `python -m bot` with TELEGRAM_BOT_TOKEN set (long polling), plus WEBHOOK_URL for a
webhook. Tests build the same Application with an offline request object.

Where things are: handlers.py (commands, questions), buttons.py (one callback per kind
of button, bot/actions.py), inline.py, admin.py, filing.py (admins file unanswered
questions into the knowledge base), flood.py (the guard before everything),
errors.py (the error handler); context.py (the typed context every callback gets),
services.py (what it holds); sending.py (replies into chats); intake.py and webhook.py
(updates in, journaled); startup.py (reaching Telegram first).
"""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path
from typing import Any

from telegram import BotCommand, Update
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest

from .. import replies
from ..actions import (
    ChooseTopic,
    FileOffTopic,
    FileUnder,
    OpenSection,
    OpenTopic,
    SetLanguage,
    Share,
    ShowMenu,
    ShowQuestion,
    SkipQuestion,
    UnansweredPage,
    Unlearn,
    Vote,
)
from ..heartbeat import Heartbeat
from ..i18n import LOCALES
from ..journal import UpdateJournal
from ..knowledge.errors import Problem
from ..redact import install_log_redaction
from ..settings import Settings
from ..state import KnowledgeState
from ..storage import Storage
from ..watcher import KnowledgeWatcher
from . import admin, buttons, filing, handlers, webhook
from .buttons import on_button
from .context import CONTEXT_TYPES, BotApp
from .errors import on_error
from .flood import guard
from .inline import inline
from .intake import Intake, JournalingProcessor, JournalingRequest
from .services import Services

log = logging.getLogger(__name__)
HEARTBEAT_EVERY = 15.0  # seconds between heartbeats while updates are fetched
WAIT_TO_RUN = 1.0  # seconds between checks until the Application runs
CONCURRENT_UPDATES = 16
RATE_LIMIT_RETRIES = 3  # a 429 is waited out this many times, then the send fails

try:  # httpcore tries `import sniffio` on every request it sends; without the package that
    import sniffio  # noqa: F401  # search walks sys.path (~13 failed imports per reply).
except ImportError:  # A None entry makes the retry fail at once (benchmarks/load.py).
    sys.modules["sniffio"] = None  # type: ignore[assignment]

async def _set_commands(app: BotApp) -> None:
    """The command menu: a default one (English) and one per language; admins' commands
    are not advertised."""
    for lang in (None, *LOCALES):
        cmds = [BotCommand(c, d) for c, d in replies.command_menu(lang)]
        try:
            await app.bot.set_my_commands(cmds, language_code=lang)
        except Exception as exc:
            log.warning("set_my_commands(%s) failed: %s", lang, type(exc).__name__)


def _start_watcher(app: BotApp) -> KnowledgeWatcher:
    """Reload when a knowledge file changes; bad edits are reported to the admins, never
    served. The watcher thread hands problems to the event loop while it runs."""
    loop = asyncio.get_running_loop()

    def report(problems: list[Problem]) -> None:
        if loop.is_running():  # not while stopping: the message could never be sent
            asyncio.run_coroutine_threadsafe(admin.notify_admins(app, problems), loop)

    watcher = KnowledgeWatcher(app.bot_data.services.state, report)
    watcher.start()
    return watcher


async def _heartbeat(app: BotApp, path: Path) -> None:
    """Beat while updates are being fetched; the Docker HEALTHCHECK reads its age (see
    bot/heartbeat.py: a data directory that cannot be written is logged once and the beat
    goes elsewhere). Checks every second until the app runs (it starts after post_init)."""
    heartbeat = Heartbeat(path)
    while True:
        updater = app.updater
        alive = app.running and (updater is None or updater.running or app.bot_data.webhook)
        if alive:
            await asyncio.to_thread(heartbeat.beat)
        await asyncio.sleep(HEARTBEAT_EVERY if alive else WAIT_TO_RUN)


async def _post_init(app: BotApp) -> None:
    data = app.bot_data
    await data.intake.replay(app)  # before the first getUpdates
    await _set_commands(app)
    if data.watch:
        data.watcher = _start_watcher(app)
    heartbeat = _heartbeat(app, data.services.settings.heartbeat)
    data.tasks.append(asyncio.get_running_loop().create_task(heartbeat))


async def _post_shutdown(app: BotApp) -> None:
    data = app.bot_data
    if data.watcher is not None:
        data.watcher.stop()
    for task in data.tasks:
        task.cancel()
    await data.services.drain()
    await data.intake.drain()


def _rate_limiter(per_second: float) -> AIORateLimiter:
    """At most `per_second` messages in any second, 429s waited out (3 retries).

    aiolimiter is a leaky bucket: AsyncLimiter(30, 1) lets a burst of 30 out at once and
    then 30/s, i.e. up to 60 in the first second (benchmarks/load.py saw it). A bucket of
    one message that drains every 1/30 s never exceeds the rate."""
    if per_second <= 0:
        return AIORateLimiter(overall_max_rate=0, max_retries=RATE_LIMIT_RETRIES)
    return AIORateLimiter(overall_max_rate=1, overall_time_period=1 / per_second,
                          max_retries=RATE_LIMIT_RETRIES)


def build_application(
    settings: Settings,
    state: KnowledgeState,
    storage: Storage | None = None,
    request: BaseRequest | None = None,
    watch: bool = True,
    get_updates_request: BaseRequest | None = None,
) -> BotApp:
    """The bot as an Application; `request` replaces the network (tests), for getUpdates
    too unless `get_updates_request` is given."""
    install_log_redaction(settings.token)
    # Every update is journaled before Telegram learns it arrived and crossed off once
    # answered (intake.py): through the HTTP request objects and the update processor.
    intake = Intake(UpdateJournal(settings.journal), settings.replay_max_age)
    # 16 updates at a time is far more than the 30 msg/s limit needs (30/s × ~0.1 s per
    # Bot API call); a small HTTP pool matters: httpcore scans every pooled connection on
    # each request, so 256 connections (the default) cost ~15% throughput
    # (benchmarks/load.py).
    inner = request or HTTPXRequest(connection_pool_size=CONCURRENT_UPDATES * 2)
    polling_inner = get_updates_request or request or HTTPXRequest(connection_pool_size=1)
    app = (
        Application.builder()
        .token(settings.token or "")
        .base_url(settings.api_base_url)
        .context_types(CONTEXT_TYPES)
        # every reply is Telegram HTML (replies.py escapes what users and admins typed),
        # sent as a plain message, not as a quote of the question
        .defaults(Defaults(parse_mode=ParseMode.HTML, do_quote=False))
        .rate_limiter(_rate_limiter(settings.rate_limit_overall))
        .job_queue(None)
        .request(JournalingRequest(inner, intake))
        .get_updates_request(JournalingRequest(polling_inner, intake))
        .concurrent_updates(JournalingProcessor(intake, CONCURRENT_UPDATES))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    app.bot_data.services = Services(settings, state, storage or Storage(settings.database))
    app.bot_data.intake = intake
    app.bot_data.watch = watch
    add_handlers(app, admin.admin_filter(settings.admin_ids))
    return app


def add_handlers(app: BotApp, admins: filters.BaseFilter) -> None:
    """Every handler, in order. Order matters: python-telegram-bot runs the first matching
    handler of each group."""
    # Group -1 runs first for every update: the flood guard stops a flooding user's update
    # before any handler.
    app.add_handler(TypeHandler(Update, guard), group=-1)
    # Commands before free text.
    app.add_handler(CommandHandler("start", handlers.start))
    app.add_handler(CommandHandler("help", handlers.help_command))
    app.add_handler(CommandHandler("topics", handlers.topics))
    app.add_handler(CommandHandler("salary", handlers.salary))
    app.add_handler(CommandHandler("language", handlers.language))
    app.add_handler(CommandHandler("share", handlers.share))
    app.add_handler(CommandHandler("forget", handlers.forget))
    # Admins' commands, for ADMIN_IDS in a private chat only: anyone else falls through to
    # the unknown-command reply below, exactly as for a command the bot does not have.
    app.add_handler(CommandHandler("stats", admin.stats, filters=admins))
    app.add_handler(CommandHandler("unanswered", filing.unanswered, filters=admins))
    app.add_handler(CommandHandler("learned", filing.learned, filters=admins))
    app.add_handler(CommandHandler("reload", admin.reload_command, filters=admins))
    app.add_handler(MessageHandler(filters.COMMAND, handlers.unknown_command))
    # A question is a text, or the caption of a photo or a document ("alga?").
    app.add_handler(MessageHandler((filters.TEXT | filters.CAPTION) & ~filters.COMMAND
                                   & ~filters.UpdateType.EDITED, handlers.question))
    app.add_handler(MessageHandler(
        filters.ChatType.PRIVATE & ~filters.TEXT & ~filters.CAPTION & ~filters.StatusUpdate.ALL
        & ~filters.UpdateType.EDITED, handlers.non_text))
    # Buttons: one handler per kind of action (bot/actions.py), routed by its pattern; a
    # new kind is one line here. Anything else (forged, stale, oversized) is answered
    # "expired" by the last one.
    app.add_handler(on_button(ShowMenu, buttons.navigate))
    app.add_handler(on_button(OpenSection, buttons.navigate))
    app.add_handler(on_button(OpenTopic, buttons.navigate))
    app.add_handler(on_button(SetLanguage, buttons.set_language))
    app.add_handler(on_button(Vote, buttons.vote))
    app.add_handler(on_button(Share, buttons.share))
    # Admins' buttons (filing unanswered questions): on_button refuses anyone else.
    app.add_handler(on_button(UnansweredPage, filing.page))
    app.add_handler(on_button(ShowQuestion, filing.show_question))
    app.add_handler(on_button(FileUnder, filing.file_question))
    app.add_handler(on_button(FileOffTopic, filing.file_question))
    app.add_handler(on_button(ChooseTopic, filing.choose_topic))
    app.add_handler(on_button(SkipQuestion, filing.skip))
    app.add_handler(on_button(Unlearn, filing.unlearn))
    app.add_handler(CallbackQueryHandler(buttons.expired))
    app.add_handler(InlineQueryHandler(inline))
    app.add_error_handler(on_error)


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
        app.bot_data.webhook = True
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
