"""End to end: `python -m bot` long-polls a local fake Bot API server and answers.

The server is the tests' one fake Bot API (tests/bot_api.py) over HTTP on 127.0.0.1. The
bot runs as a real subprocess with its real settings, knowledge, SQLite file and
python-telegram-bot's HTTP client; no traffic leaves 127.0.0.1. Run with `pytest -n0 -s` to
see the transcript.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.bot_api import (
    TOKEN,
    USER_ID,
    FakeBotAPI,
    base_url,
    bot_message,
    private_chat,
    serve,
    stop,
    text_message,
)

pytestmark = pytest.mark.slow  # starts `python -m bot`

ROOT = Path(__file__).resolve().parents[1]


def first_line(html_text: str) -> str:
    return re.sub(r"<[^>]+>", "", html_text).splitlines()[0]


def test_bot_answers_over_long_polling(tmp_path: Path) -> None:
    api = FakeBotAPI()
    server = serve(api)
    port = server.server_address[1]

    env = {k: v for k, v in os.environ.items()
           if not k.upper().endswith("_PROXY") and not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
    env.update({
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": base_url(server),
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
            "message": bot_message(private_chat(USER_ID))})
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
        stop(server)
        print(f"\n--- e2e transcript (fake Bot API on 127.0.0.1:{port}) ---")
        for line in transcript:
            print(line)
