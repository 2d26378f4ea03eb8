"""Webhook mode: the bot's own small web server (tornado, which python-telegram-bot's
webhook support already installs), as python-telegram-bot's `customwebhookbot` example
does, because the built-in one cannot journal an update before answering 200, check
what it is given, or serve a health route.

- POST /telegram: refused with 403 without the secret header; 413 above WEBHOOK_MAX_BODY
  (the body is read and dropped, never parsed); 400 with a log line for JSON that is
  malformed, too deeply nested or not an object; an update with fields of the wrong type
  is dropped with a log line and answered 200 (Telegram would otherwise send it again and
  again); otherwise it is journaled, then queued, then answered 200.
- GET /healthz: 200 while the bot is running, 503 otherwise (for a load balancer or an
  orchestrator's probe).
Nothing of an update's content is logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import signal
from typing import Any

import tornado.httpserver
import tornado.web
from telegram import Update
from telegram.ext import Application

from ..settings import Settings
from . import update_shape
from .context import BotApp
from .intake import Intake

log = logging.getLogger(__name__)
PATH = "/telegram"
HARD_BODY_CAP = 64 * 1024 * 1024  # beyond this tornado drops the connection unanswered


@tornado.web.stream_request_body
class UpdateHandler(tornado.web.RequestHandler):
    app: Application
    intake: Intake
    secret: str
    max_body: int

    def initialize(self, app: Application, intake: Intake,
                   secret: str, max_body: int) -> None:
        self.app, self.intake, self.secret, self.max_body = app, intake, secret, max_body
        self._chunks: list[bytes] = []
        self._size = 0

    def prepare(self) -> None:
        given = self.request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            log.warning("webhook: a request without the right secret token from %s (403)",
                        self.request.remote_ip)
            self._reply(403, "forbidden")

    def data_received(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._size <= self.max_body:
            self._chunks.append(chunk)
        else:
            self._chunks.clear()  # read to the end and dropped, so the sender gets a 413

    async def post(self) -> None:
        if self._size > self.max_body:
            log.warning("webhook: a request of %d bytes refused (the limit is %d; 413)",
                        self._size, self.max_body)
            self._reply(413, "request too large")
            return
        body = b"".join(self._chunks)
        try:
            data = json.loads(body)
        except (ValueError, RecursionError) as exc:
            log.warning("webhook: a request of %d bytes is not JSON (%s; 400)", len(body),
                        type(exc).__name__)
            self._reply(400, "malformed JSON")
            return
        if not isinstance(data, dict):
            log.warning("webhook: a request is JSON but not an object (%s; 400)",
                        type(data).__name__)
            self._reply(400, "not an update")
            return
        found = update_shape.problem(data)
        uid = data.get("update_id")
        if found is not None:
            log.warning("webhook: update %s dropped: %s", uid if isinstance(uid, int) else "?",
                        found)
            self._reply(200, "dropped")
            return
        if not await self.intake.accept(data):
            log.info("webhook: update %s was received before; not processed again", uid)
            self._reply(200, "duplicate")
            return
        try:
            update = Update.de_json(data, self.app.bot)
        except Exception as exc:
            log.warning("webhook: update %s dropped: python-telegram-bot cannot read it (%s)",
                        uid, type(exc).__name__)
            self.intake.finished(data["update_id"])
            self._reply(200, "dropped")
            return
        await self.app.update_queue.put(update)
        self._reply(200, "ok")

    def _reply(self, code: int, text: str) -> None:
        self.set_status(code)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"ok": code == 200, "description": text}))

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        log.error("webhook: %s: %s", getattr(typ, "__name__", typ), str(value)[:200])


class HealthHandler(tornado.web.RequestHandler):
    def initialize(self, app: Application) -> None:
        self.app = app

    def get(self) -> None:
        running = self.app.running
        self.set_status(200 if running else 503)
        self.finish({"status": "ok" if running else "stopped"})


def make_server(app: Application, intake: Intake,
                settings: Settings) -> tornado.httpserver.HTTPServer:
    assert settings.webhook_secret  # load_settings requires it with WEBHOOK_URL
    web = tornado.web.Application([
        (PATH, UpdateHandler, {"app": app, "intake": intake, "secret": settings.webhook_secret,
                               "max_body": settings.webhook_max_body}),
        ("/healthz", HealthHandler, {"app": app}),
    ])
    return tornado.httpserver.HTTPServer(web, max_body_size=HARD_BODY_CAP)


async def serve(app: BotApp, settings: Settings,
                listen: str = "0.0.0.0", stop: asyncio.Event | None = None) -> None:
    """Run until SIGINT/SIGTERM (or `stop` is set): set the webhook, serve, stop cleanly."""
    from .app import webhook_options

    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, stop.set)
    options = webhook_options(settings)
    intake = app.bot_data.intake
    await app.initialize()
    try:
        if app.post_init:
            await app.post_init(app)
        await app.bot.set_webhook(options["webhook_url"], secret_token=options["secret_token"],
                                  allowed_updates=options["allowed_updates"])
        await app.start()
        server = make_server(app, intake, settings)
        try:
            server.listen(settings.port, listen)  # OSError: the port is taken or not ours
            log.info("webhook: listening on %s:%d%s", listen, settings.port, PATH)
            await stop.wait()
        finally:
            server.stop()
            await app.stop()
            if app.post_stop:
                await app.post_stop(app)
    finally:
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)
