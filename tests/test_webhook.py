"""Webhook mode: the bot's own web server (bot.telegram.webhook.serve) in front of the real
Application, with real HTTP from the test and the fake Bot API of test_e2e_polling behind.

What a request gets: 403 without the secret; 413 above WEBHOOK_MAX_BODY; 400 with a log
line for malformed, empty, too deeply nested or non-object JSON; an update with fields of
the wrong type is dropped with a log line (200, so Telegram would not resend it) and no
traceback; a good update is answered once even if it is posted twice; /healthz says 200.
Users' words never reach a log line at INFO or above.
"""

from __future__ import annotations

import asyncio
import dataclasses
import http.client
import json
import logging
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.state import KnowledgeState
from bot.telegram import webhook
from tests.bot_api import message
from tests.live_telegram import LiveBot, live_bot

ROOT = Path(__file__).resolve().parents[1]
SECRET = "s3cret"
QUESTION = "Ko dara bankas klientu menedžeris?"
ANSWER_START = "<b>Konta pārvaldnieks bankā</b>"
PRIVATE_WORD = "Zebrakolibri"


@dataclasses.dataclass
class Hook:
    bot: LiveBot
    port: int

    def post(self, body: bytes, secret: str | None = SECRET,
             headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        h = {"Content-Type": "application/json", **(headers or {})}
        if secret is not None:
            h["X-Telegram-Bot-Api-Secret-Token"] = secret
        try:
            conn.request("POST", webhook.PATH, body=body, headers=h)
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            conn.close()

    async def send(self, body: bytes | dict[str, Any], **kw: Any) -> int:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        return (await asyncio.to_thread(self.post, raw, **kw))[0]

    def get(self, path: str) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", path)
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            conn.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def hook(shipped_state: KnowledgeState,
               tmp_path: Path) -> AsyncIterator[Callable[..., Awaitable[Hook]]]:
    running: list[tuple[LiveBot, asyncio.Event, asyncio.Task[None]]] = []

    async def start(**extra: str) -> Hook:
        bot = await live_bot(shipped_state, tmp_path / f"data{len(running)}",
                             WEBHOOK_URL="https://bot.example.invalid/hook",
                             WEBHOOK_SECRET=SECRET, **extra)
        port = _free_port()
        settings = dataclasses.replace(bot.settings, port=port)
        stop = asyncio.Event()
        task = asyncio.create_task(webhook.serve(bot.app, settings, "127.0.0.1", stop))
        running.append((bot, stop, task))
        for _ in range(200):
            if bot.calls_of("setWebhook") and bot.app.running:
                break
            await asyncio.sleep(0.05)
        assert bot.app.running, "the webhook server did not start"
        return Hook(bot, port)

    yield start
    for bot, stop, task in running:
        stop.set()
        await asyncio.wait_for(task, 15)
        bot.server.shutdown()
        bot.server.server_close()


def update(update_id: int, user_id: int, text: str = QUESTION) -> dict[str, Any]:
    return {"update_id": update_id, "message": message(text, user_id)}


async def test_the_webhook_is_set_with_the_secret_and_refuses_requests_without_it(hook) -> None:
    h = await hook()
    (call,) = h.bot.calls_of("setWebhook")
    assert call["url"] == "https://bot.example.invalid/hook/telegram"
    assert call["secret_token"] == SECRET
    codes = await asyncio.gather(h.send(update(1, 51), secret=None),
                                 h.send(update(2, 52), secret="wrong"),
                                 h.send(update(3, 53), secret="S3CRET"),
                                 h.send(update(4, 54), secret=""),
                                 h.send(update(5, 55)))
    assert codes == [403, 403, 403, 403, 200]
    good = await h.bot.wait_for_sends(55, 1, 10)
    assert good and good[0]["text"].startswith(ANSWER_START)
    await asyncio.sleep(0.3)
    await h.bot.app.bot_data.services.drain()
    assert [int(p["chat_id"]) for p in h.bot.calls_of("sendMessage")] == [55]
    assert h.bot.rows("questions") == 1


@pytest.mark.parametrize("body, problem", [
    (b"{not json", "is not JSON"),
    (b"", "is not JSON"),
    (b"[" * 100_000 + b"]" * 100_000, "is not JSON"),  # nesting deeper than json can follow
    (b"[1, 2, 3]", "not an object"),
    (b"42", "not an object"),
    (b'"update"', "not an object"),
])
async def test_malformed_json_is_a_400_with_a_log_line(hook, caplog, body: bytes,
                                                       problem: str) -> None:
    caplog.set_level(logging.INFO)
    h = await hook()
    assert await h.send(body) == 400
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.telegram.webhook"]
    assert any(problem in line for line in lines), lines
    assert not any(r.exc_info for r in caplog.records)
    assert await h.send(update(9, 59)) == 200  # and the next good update is answered
    assert await h.bot.wait_for_sends(59, 1, 10)


async def test_a_body_above_the_limit_is_a_413_and_is_not_processed(hook, caplog) -> None:
    caplog.set_level(logging.INFO)
    h = await hook()
    big = update(10, 60, "alga " * 1_000_000)  # 5 MB
    assert await h.send(big) == 413
    assert any("413" in r.getMessage() for r in caplog.records)
    small = await hook(WEBHOOK_MAX_BODY="4096")  # the limit is a setting
    assert await small.send(update(11, 61, "alga " * 1000)) == 413
    assert await small.send(update(12, 62)) == 200
    assert await small.bot.wait_for_sends(62, 1, 10)
    await asyncio.sleep(0.3)
    assert h.bot.sends(60) == [] and small.bot.sends(61) == []


def _text_as_number(u: dict[str, Any]) -> None:
    u["message"]["text"] = 12345


def _user_id_as_string(u: dict[str, Any]) -> None:
    u["message"]["from"]["id"] = str(u["message"]["from"]["id"])


def _no_chat(u: dict[str, Any]) -> None:
    del u["message"]["chat"]


def _chat_as_list(u: dict[str, Any]) -> None:
    u["message"]["chat"] = [1, 2]


def _update_id_as_string(u: dict[str, Any]) -> None:
    u["update_id"] = "77"


def _entities_garbage(u: dict[str, Any]) -> None:
    u["message"]["entities"] = [{"type": "bot_command", "offset": "0", "length": 6}]


def _photo_not_a_list(u: dict[str, Any]) -> None:
    u["message"]["photo"] = "not a list of sizes"


WRONG_TYPES = {
    "text-as-number": _text_as_number,
    "user-id-as-string": _user_id_as_string,
    "no-chat": _no_chat,
    "chat-as-list": _chat_as_list,
    "update-id-as-string": _update_id_as_string,
    "entities-garbage": _entities_garbage,
    "photo-not-a-list": _photo_not_a_list,
}


@pytest.mark.parametrize("fault", list(WRONG_TYPES))
async def test_wrong_field_types_are_dropped_with_a_log_line(hook, caplog, fault: str) -> None:
    caplog.set_level(logging.INFO)
    h = await hook()
    bad = update(20, 70, f"{PRIVATE_WORD} cik maksā konta pārvaldniekam?")
    WRONG_TYPES[fault](bad)
    assert await h.send(bad) == 200  # Telegram must not send it again and again
    assert await h.send(update(21, 71)) == 200
    assert await h.bot.wait_for_sends(71, 1, 10)
    await asyncio.sleep(0.2)
    await h.bot.app.bot_data.services.drain()
    assert h.bot.sends(70) == []  # no apology, no answer to a malformed update
    assert h.bot.rows("questions") == 1  # only the good one; no user stored as text
    dropped = [r.getMessage() for r in caplog.records if "dropped" in r.getMessage()]
    assert len(dropped) == 1, dropped
    assert not any(r.exc_info for r in caplog.records)
    assert "Traceback" not in caplog.text
    assert PRIVATE_WORD not in caplog.text


async def test_an_update_posted_twice_is_answered_once(hook) -> None:
    h = await hook()
    assert await h.send(update(30, 80)) == 200
    assert await h.send(update(30, 80)) == 200  # Telegram retries when a 200 got lost
    assert await h.bot.wait_for_sends(80, 1, 10)
    await asyncio.sleep(0.5)
    assert len(h.bot.sends(80)) == 1


async def test_healthz(hook) -> None:
    h = await hook()
    status, body = await asyncio.to_thread(h.get, "/healthz")
    assert status == 200 and json.loads(body)["status"] == "ok"
