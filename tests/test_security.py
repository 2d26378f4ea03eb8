"""Security: admins by numeric id only, client-controlled input refused quietly, the bot
token never in a log line, the webhook refusing requests without the secret, /forget
leaving nothing behind, and INFO logs without users' words.

The bot is the real Application in-process, talking real HTTP to the fake Bot API of
test_e2e_polling on 127.0.0.1 (live_telegram.py).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from telegram.error import BadRequest, NetworkError

from bot.replies import expired_reply, forget_reply, unknown_command_reply
from bot.settings import SettingsError, load_settings
from bot.state import KnowledgeState
from bot.telegram import app as tg_app
from bot.telegram.sending import SEND_ATTEMPTS
from tests import bot_api
from tests.bot_api import (
    ADMIN_ID,
    ADMIN_USERNAME,
    TOKEN,
    Call,
    FakeBotAPI,
    Reset,
    callback,
    message,
)
from tests.live_telegram import LiveBot, live_bot

ROOT = Path(__file__).resolve().parents[1]
UNKNOWN_LV = unknown_command_reply("lv").text
EXPIRED_LV = expired_reply("lv").text
QUESTION = "Ko dara bankas klientu menedžeris?"
ANSWER_START = "<b>Konta pārvaldnieks bankā</b>"

MakeLive = Callable[..., Awaitable[LiveBot]]


@pytest.fixture
async def live(shipped_state: KnowledgeState, tmp_path: Path) -> AsyncIterator[MakeLive]:
    bots: list[LiveBot] = []

    async def make(**extra: str) -> LiveBot:
        bot = await live_bot(shipped_state, tmp_path / f"data{len(bots)}", **extra)
        bots.append(bot)
        return bot

    yield make
    for bot in bots:
        await bot.stop()


def sent_params(calls: list[Call]) -> list[dict[str, Any]]:
    return [p for m, p in calls if m == "sendMessage"]


# -- admins ---------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["stats", "unanswered", "learned", "reload"])
async def test_admin_name_without_admin_id_is_refused_like_an_unknown_command(
        live: MakeLive, command: str) -> None:
    bot = await live()
    await bot.feed(message=message(QUESTION, 5))
    impostor = 900_002  # same username and first name as the admin, another id
    disguise: dict[str, Any] = {"username": ADMIN_USERNAME, "first_name": "Admin"}
    unknown = sent_params(await bot.feed(message=message("/frobnicate", impostor,
                                                         command=True, **disguise)))
    refused = sent_params(await bot.feed(message=message(f"/{command}", impostor,
                                                         command=True, **disguise)))
    assert refused == unknown  # byte for byte the same request to Telegram
    assert [p["text"] for p in refused] == [UNKNOWN_LV]

    served = sent_params(await bot.feed(message=message(f"/{command}", ADMIN_ID, command=True,
                                                        username=ADMIN_USERNAME)))
    assert len(served) == 1 and served[0]["text"] != UNKNOWN_LV


async def test_admin_commands_in_a_group_leak_nothing(live: MakeLive) -> None:
    bot = await live()
    msg = message("/stats", ADMIN_ID, command=True, username=ADMIN_USERNAME)
    msg["chat"] = {"id": -100777, "type": "supergroup", "title": "Darba meklētāji"}
    assert sent_params(await bot.feed(message=msg)) == []


# -- client-controlled input ---------------------------------------------------------------


@pytest.mark.parametrize("payload", [
    "x" * 4000, "ru\x00", "\u202eur", "ru extra words", "duties-bank\nru", "DUTIES-BANK",
    "salary-overview' OR '1'='1", "<a href=\"https://evil.example\">x</a>", "lv" * 40,
    # a topic id typed by hand: a t.me link cannot carry a dot (A-Za-z0-9_- only)
    "duties.bank", "salary.overview",
])
async def test_forged_deep_link_payload_gives_the_plain_greeting(
        live: MakeLive, payload: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    bot = await live()
    plain = sent_params(await bot.feed(message=message("/start", 11, command=True)))
    forged = sent_params(await bot.feed(message=message(f"/start {payload}", 12,
                                                        command=True)))
    assert len(forged) == 1
    assert {k: v for k, v in forged[0].items() if k != "chat_id"} == \
        {k: v for k, v in plain[0].items() if k != "chat_id"}
    assert bot.rows("users", 12) == 0  # no language fixed, nothing stored
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.parametrize("data", ["t:" + "duties.bank" * 400, "f:+:duties.bank" + "\udcff",
                                  "mt:salary.overview\n", "s:duties" + "\u200b",
                                  "t:duties.bank" + " " * 60, "share:duties.bankx"])
async def test_oversized_or_odd_callback_data_expires_quietly(
        live: MakeLive, data: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    bot = await live()
    calls = await bot.feed(callback_query=callback(data, 21))
    assert [m for m, _ in calls] == ["answerCallbackQuery"]
    assert calls[0][1]["text"] == EXPIRED_LV
    assert bot.rows("feedback") == 0
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


EXTRA_TOPIC = """
  - id: duties.visiting_cards
    title:
      lv: Vizītkartes
      ru: Визитки
    answer:
      lv: Vizītkartes pasūta birojs.
      ru: Визитки заказывает офис.
    questions:
      lv:
        - Kas pasūta vizītkartes?
      ru:
        - Кто заказывает визитки?
"""


@pytest.mark.slow
async def test_button_of_a_topic_removed_by_a_reload_expires(
        shipped_state: KnowledgeState, tmp_path: Path) -> None:
    """Stale data: a topic that existed when the button was sent is gone after a reload."""
    import shutil

    kb_dir = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", kb_dir)
    duties = kb_dir / "duties.yaml"
    original = duties.read_text(encoding="utf-8")
    duties.write_text(original.rstrip("\n") + "\n" + EXTRA_TOPIC, encoding="utf-8")
    local = KnowledgeState(kb_dir)
    victim = "duties.visiting_cards"
    assert victim in local.current.kb.topics
    bot = await live_bot(local, tmp_path / "data")
    try:
        ok = await bot.feed(callback_query=callback(f"t:{victim}", 31))
        assert [m for m, _ in ok] == ["answerCallbackQuery", "sendMessage"]
        duties.write_text(original, encoding="utf-8")
        assert local.reload() == []
        assert victim not in local.current.kb.topics
        for data in (f"mt:{victim}", f"t:{victim}", f"f:+:{victim}", f"share:{victim}"):
            calls = await bot.feed(callback_query=callback(data, 31))
            assert [(m, p.get("text")) for m, p in calls] == [
                ("answerCallbackQuery", EXPIRED_LV)], data
        assert bot.rows("feedback") == 0
    finally:
        await bot.stop()


# -- the token never appears in a log line ----------------------------------------------------


def _url_error(kind: type[Exception]) -> Callable[[str], BaseException]:
    """An HTTP-layer failure that quotes the request URL, i.e. the token."""
    return lambda url: kind(f"httpx.ConnectError: cannot connect to {url}")


def _chain(exc: BaseException | None) -> list[BaseException]:
    out: list[BaseException] = []
    while exc is not None and len(out) < 10:
        out.append(exc)
        exc = exc.__cause__ or exc.__context__
    return out


@pytest.mark.slow
async def test_token_never_appears_in_any_log_line(live: MakeLive,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="httpx")  # request URLs carry the token
    bot = await live()
    await bot.start_polling()
    # polling faults, a reply that fails on every attempt (and its apology), a handler error
    bot.plan.server("getUpdates", Reset())
    bot.plan.client("getUpdates", _url_error(NetworkError))
    bot.plan.client("sendMessage", *[_url_error(NetworkError)] * (SEND_ATTEMPTS + 1))
    since = len(bot.api.calls)
    bot.api.queue(message=message(QUESTION, 41))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 15
    while bot.plan.left() and loop.time() < deadline:
        await asyncio.sleep(0.05)
    assert bot.plan.left() == 0
    bot.plan.client("answerCallbackQuery", _url_error(BadRequest))
    bot.api.queue(callback_query=callback("menu", 42))
    bot.api.queue(message=message(QUESTION, 43))
    answered = await bot.wait_for_sends(43, 1, 15, since)
    assert answered and answered[0]["text"].startswith(ANSWER_START)
    await bot.wait_for_sends(42, 1, 5, since)  # the apology after the failed callback
    await bot.app.bot_data.services.drain()
    assert bot.plan.left() == 0
    assert bot.sends(41, since) == []  # its answer and its apology both failed

    records = caplog.records
    assert any("bot<token>/" in r.getMessage() for r in records)  # httpx's URLs, redacted
    assert any(r.exc_info for r in records)  # tracebacks were logged, and checked below
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    for r in records:
        assert TOKEN not in r.getMessage()
        assert TOKEN not in formatter.format(r)
        assert TOKEN not in (r.exc_text or "")
    assert TOKEN not in caplog.text
    # the exceptions on_error logged are clean themselves, whoever formats them later
    logged_by_on_error = [r for r in records if r.name == "bot.telegram.errors" and r.exc_info]
    assert logged_by_on_error
    for r in logged_by_on_error:
        assert r.exc_info is not None
        for exc in _chain(r.exc_info[1]):
            assert TOKEN not in str(exc) and TOKEN not in repr(exc)
    assert TOKEN.split(":")[1] not in caplog.text  # not even the secret half alone


def test_settings_errors_do_not_echo_the_token() -> None:
    bad = TOKEN + "!"
    with pytest.raises(SettingsError) as err:
        load_settings({"TELEGRAM_BOT_TOKEN": bad})
    assert TOKEN.split(":")[1] not in str(err.value)


# -- webhook (see test_webhook.py for the server itself) -------------------------------------


def test_run_telegram_starts_the_webhook_with_the_secret(monkeypatch: pytest.MonkeyPatch,
                                                         shipped_state: KnowledgeState,
                                                         tmp_path: Path) -> None:
    seen: dict[str, Any] = {}

    async def serve(app: Any, settings: Any) -> None:
        seen.update(tg_app.webhook_options(settings))

    monkeypatch.setattr(tg_app.webhook, "serve", serve)
    api = FakeBotAPI()  # run_telegram reaches Telegram (getMe, setWebhook) before serving
    server = bot_api.serve(api)
    settings = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "DATA_DIR": str(tmp_path),
                              "TELEGRAM_API_BASE_URL": bot_api.base_url(server),
                              "WEBHOOK_URL": "https://bot.example.invalid",
                              "WEBHOOK_SECRET": "s3cret", "PORT": "8443"})
    try:
        assert tg_app.run_telegram(settings, shipped_state) == 0
    finally:
        bot_api.stop(server)
        # run_webhook (replaced here) would close the loop run_telegram made, and with it
        # the signal handlers installed while connecting
        asyncio.get_event_loop_policy().get_event_loop().close()
        asyncio.set_event_loop(None)
    assert seen["secret_token"] == "s3cret"
    assert seen["webhook_url"] == "https://bot.example.invalid/telegram"
    (registered,) = [p for m, p in api.calls if m == "setWebhook"]
    assert registered["secret_token"] == "s3cret"
    with pytest.raises(SettingsError, match="WEBHOOK_SECRET is required"):
        load_settings({"WEBHOOK_URL": "https://bot.example.invalid"})


# -- privacy ------------------------------------------------------------------------------------


def _rows_about(path: Path, user_id: int) -> dict[str, int]:
    """Rows mentioning the user in every table that has a user_id column."""
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        out = {}
        for t in tables:
            cols = [r[1] for r in db.execute(f"PRAGMA table_info({t})")]
            if "user_id" in cols:
                out[t] = db.execute(f"SELECT COUNT(*) FROM {t} WHERE user_id=?",
                                    (user_id,)).fetchone()[0]
        return out


async def test_forget_removes_every_row_and_every_trace(
        live: MakeLive, secure_delete_off_by_default: None) -> None:
    bot = await live()
    me, other = 61, 62
    secret_words = "Zebrakolibri Ņirgzdiņš"
    await bot.feed(message=message(f"{secret_words} — cik maksā konta pārvaldniekam?", me))
    await bot.feed(message=message(QUESTION, me))
    await bot.feed(callback_query=callback("f:+:duties.bank", me))
    await bot.feed(callback_query=callback("lang:ru", me))
    await bot.feed(message=message(QUESTION, other))
    before = _rows_about(bot.storage.path, me)
    assert before == {"users": 1, "questions": 2, "feedback": 1}
    assert b"zebrakolibri" in bot.storage.path.read_bytes().lower()

    (reply,) = sent_params(await bot.feed(message=message("/forget", me, command=True)))
    assert reply["text"] == forget_reply("ru", 4).text
    assert set(_rows_about(bot.storage.path, me).values()) == {0}
    assert _rows_about(bot.storage.path, other) == {"users": 1, "questions": 1, "feedback": 0}
    raw = bot.storage.path.read_bytes().lower()
    assert b"zebrakolibri" not in raw  # overwritten, not left in a free page
    assert "ņirgzdiņš".encode() not in raw and b"nirgzdins" not in raw


async def test_info_logs_never_contain_the_question(live: MakeLive,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    bot = await live()
    words = ["Zebrakolibri", "Ņirgzdiņš", "Жирафокролик"]
    for i, text in enumerate([f"{words[0]} cik maksā konta pārvaldniekam?",
                              f"{words[1]} kā audzēt gurķus?",
                              f"Сколько платят {words[2]}?"]):
        await bot.feed(message=message(text, 70 + i))
    await bot.feed(message=message(f"/forget {words[0]}", 70, command=True))
    assert len([r for r in caplog.records if r.getMessage().startswith("question ")]) == 3
    logged = caplog.text.casefold()
    for word in words:
        assert word.casefold() not in logged
    for r in caplog.records:
        assert not any(isinstance(a, str) and any(w.casefold() in a.casefold() for w in words)
                       for a in (r.args if isinstance(r.args, tuple) else ()))
