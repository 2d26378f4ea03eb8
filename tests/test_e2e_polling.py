"""End to end: `python -m bot` long-polls a local fake Bot API server and answers.

The server is a small stdlib HTTP server on 127.0.0.1 speaking just enough of the Bot API
(getMe, deleteWebhook, setMyCommands, getUpdates with offset/timeout, sendMessage,
editMessageText, answerCallbackQuery). The bot runs as a real subprocess with its real
settings, knowledge, SQLite file and python-telegram-bot's HTTP client; no traffic leaves
127.0.0.1. Run with `pytest -s` to see the transcript.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

ROOT = Path(__file__).resolve().parents[1]
BOT_ID = 7_654_321
TOKEN = f"{BOT_ID}:" + "E2e" * 12  # looks like a BotFather token, is none
BOT_USER = {"id": BOT_ID, "is_bot": True, "first_name": "AM bot", "username": "TestAmBot",
            "can_join_groups": True, "can_read_all_group_messages": False,
            "supports_inline_queries": True}
USER_ID = 424242
MAX_POLL_WAIT = 1.0  # the fake server long-polls at most this long (keeps shutdown quick)
_JSON_FIELDS = {"reply_markup", "allowed_updates", "commands", "entities", "reply_parameters",
                "link_preview_options", "results", "scope"}


class FakeBotAPI:
    """State of the fake Telegram: queued updates and every call the bot made."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.pending: list[dict[str, Any]] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.next_update_id = 100
        self.next_message_id = 1
        self.last_offset: int | None = None

    # called from the test thread
    def queue(self, **payload: Any) -> int:
        with self.cond:
            update_id = self.next_update_id
            self.next_update_id += 1
            self.pending.append({"update_id": update_id, **payload})
            self.cond.notify_all()
            return update_id

    def wait_for(self, predicate, timeout: float) -> Any:
        """Wait (bounded) until predicate(calls) is truthy; return its value."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                found = predicate(self.calls)
                if found:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(min(left, 0.2))

    # called from server threads
    def handle(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getUpdates":
            return self._get_updates(params)
        with self.cond:
            self.calls.append((method, params))
            self.cond.notify_all()
            if method == "getMe":
                return BOT_USER
            if method in ("sendMessage", "editMessageText"):
                chat_id = int(params["chat_id"])
                message_id = int(params.get("message_id") or self.next_message_id)
                self.next_message_id += 1
                return {"message_id": message_id, "date": int(time.time()),
                        "chat": {"id": chat_id, "type": "private", "first_name": "Ilze"},
                        "from": {k: BOT_USER[k] for k in ("id", "is_bot", "first_name",
                                                          "username")},
                        "text": params.get("text", "")}
            return True  # deleteWebhook, setMyCommands, answerCallbackQuery, …

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        deadline = time.monotonic() + min(timeout, MAX_POLL_WAIT)
        with self.cond:
            self.calls.append(("getUpdates", params))
            self.last_offset = offset
            # offset confirms everything below it, as on Telegram
            self.pending = [u for u in self.pending if u["update_id"] >= offset]
            while not self.pending and time.monotonic() < deadline:
                self.cond.wait(max(0.0, deadline - time.monotonic()))
            self.cond.notify_all()
            return list(self.pending[: int(params.get("limit") or 100)])


def make_server(api: FakeBotAPI) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def _reply(self, code: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            try:
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the bot dropped a long poll while stopping, as clients do

        def do_POST(self) -> None:  # noqa: N802
            prefix = f"/bot{TOKEN}/"
            if not self.path.startswith(prefix):
                self._reply(401, {"ok": False, "error_code": 401,
                                  "description": "Unauthorized"})
                return
            method = self.path[len(prefix):].split("?", 1)[0]
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            ctype = self.headers.get("Content-Type", "")
            if ctype.startswith("application/json"):
                params = json.loads(raw or b"{}")
            else:
                params = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                for key in _JSON_FIELDS & params.keys():
                    params[key] = json.loads(params[key])
            self._reply(200, {"ok": True, "result": api.handle(method, params)})

        do_GET = do_POST  # noqa: N815

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    return server


def text_message(text: str, message_id: int, lang: str = "lv") -> dict[str, Any]:
    user = {"id": USER_ID, "is_bot": False, "first_name": "Ilze", "language_code": lang}
    return {"message_id": message_id, "date": int(time.time()), "text": text, "from": user,
            "chat": {"id": USER_ID, "type": "private", "first_name": "Ilze"}}


def first_line(html_text: str) -> str:
    return re.sub(r"<[^>]+>", "", html_text).splitlines()[0]


def test_bot_answers_over_long_polling(tmp_path: Path) -> None:
    api = FakeBotAPI()
    server = make_server(api)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                     daemon=True).start()
    port = server.server_address[1]

    env = {k: v for k, v in os.environ.items()
           if not k.upper().endswith("_PROXY") and not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
    env.update({
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{port}/bot",
        "DATA_DIR": str(tmp_path / "data"),
        "KNOWLEDGE_DIR": str(ROOT / "knowledge"),
        "RATE_LIMIT_OVERALL": "0",
        "ADMIN_IDS": "",
        "LOG_LEVEL": "INFO",
        "NO_PROXY": "127.0.0.1,localhost",
        "PYTHONUNBUFFERED": "1",
    })
    log_path = tmp_path / "bot.log"
    transcript: list[str] = []
    with log_path.open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "bot"], cwd=ROOT, env=env,
                                stdout=log, stderr=subprocess.STDOUT)
    try:
        def bot_log() -> str:
            return log_path.read_text(errors="replace")[-4000:]

        polling = api.wait_for(lambda calls: any(m == "getUpdates" for m, _ in calls), 30)
        assert polling, f"the bot never polled; its log:\n{bot_log()}"
        assert proc.poll() is None

        def ask(text: str, message_id: int, lang: str = "lv") -> dict[str, Any]:
            seen = len(api.calls)
            api.queue(message=text_message(text, message_id, lang))
            found = api.wait_for(
                lambda calls: [p for m, p in calls[seen:]
                               if m == "sendMessage" and int(p["chat_id"]) == USER_ID], 30)
            assert found, f"no reply to {text!r} within 30 s; bot log:\n{bot_log()}"
            reply = found[0]
            transcript.append(f"{text} → {first_line(reply['text'])}")
            return reply

        lv = ask("Ko dara bankas klientu menedžeris?", 1)
        assert lv["text"].startswith("<b>Konta pārvaldnieks bankā</b>")
        assert lv["parse_mode"] == "HTML"
        labels = [b["text"] for row in lv["reply_markup"]["inline_keyboard"] for b in row]
        assert "👍" in labels and "👎" in labels

        ru = ask("Какая зарплата у аккаунт-менеджера?", 2)
        assert ru["text"].startswith("<b>Зарплата аккаунт-менеджера</b>")

        # a button press: the menu is edited in place and the spinner stopped
        seen = len(api.calls)
        api.queue(callback_query={
            "id": "777", "chat_instance": "1", "data": "s:duties",
            "from": {"id": USER_ID, "is_bot": False, "first_name": "Ilze",
                     "language_code": "lv"},
            "message": {**text_message("…", 3), "from": BOT_USER}})
        found = api.wait_for(lambda calls: [p for m, p in calls[seen:]
                                            if m == "editMessageText"], 30)
        assert found, f"the button press was not handled; bot log:\n{bot_log()}"
        transcript.append(f"[button s:duties] → {first_line(found[0]['text'])}")
        assert any(m == "answerCallbackQuery" for m, _ in api.calls[seen:])

        commands = [p for m, p in api.calls if m == "setMyCommands"]
        assert [p.get("language_code") for p in commands] == [None, "lv", "ru"]
        assert any(m == "deleteWebhook" for m, _ in api.calls)

        proc.send_signal(signal.SIGINT)
        try:
            rc = proc.wait(timeout=20)
        except subprocess.TimeoutExpired as exc:
            proc.kill()
            raise AssertionError(f"the bot did not stop within 20 s; log:\n{bot_log()}") from exc
        log_text = log_path.read_text(errors="replace")
        assert rc == 0, f"exit code {rc}; log:\n{log_text[-4000:]}"
        assert "Traceback" not in log_text, log_text[-4000:]
        assert TOKEN not in log_text  # the token is redacted from every log line
        # the last getUpdates confirmed every update, so none is handled twice on restart
        assert api.last_offset == api.next_update_id
        with sqlite3.connect(tmp_path / "data" / "bot.sqlite3") as db:
            stored = db.execute("SELECT lang, outcome, topic FROM questions").fetchall()
        # written in the background after each reply, so in either order
        assert sorted(stored) == [("lv", "answer", "duties.bank"),
                                  ("ru", "answer", "salary.overview")]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        server.shutdown()
        server.server_close()
        print(f"\n--- e2e transcript (fake Bot API on 127.0.0.1:{port}) ---")
        for line in transcript:
            print(line)
