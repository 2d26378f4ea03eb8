"""SIGTERM (docker stop) and SIGINT (Ctrl-C) end the running bot within 3 s at any uptime,
in long-polling and in webhook mode, with exit code 0 and its SQLite writes flushed.

Each case runs the real `python -m bot` process against the local Bot API stand-in of
test_e2e_polling (127.0.0.1 only), has it answer a question, waits past 10 s of uptime
(the knowledge watcher used to leave a non-daemon thread behind after its first 5 s round,
so the process never exited) and signals it, idle or right after a second reply went out,
and times the exit. The cases run side by side to keep the test short; run with
`pytest -n0 -s` to see the timings.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.bot_api import TOKEN, USER_ID, FakeBotAPI, base_url, serve, stop, text_message

pytestmark = pytest.mark.slow  # starts the bot six times and signals it after it has run a while

ROOT = Path(__file__).resolve().parents[1]
UPTIME = 10.5  # seconds the bot has been answering before it is signalled
LIMIT = 3.0  # seconds from the signal to the end of the process
SECRET = "signal-test-secret"
QUESTION = "Ko dara bankas klientu menedžeris?"


@dataclass
class Outcome:
    mode: str
    signal: str
    when: str
    exit_code: int | None
    seconds: float
    log: str
    stored: int


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_case(mode: str, sig: signal.Signals, busy: bool, tmp: Path, delay: float) -> Outcome:
    """`busy`: signal as soon as the second reply is out (its row may not be written yet);
    else signal an idle bot. `delay`: seconds past UPTIME, so the cases' exits (which
    take CPU) do not all fall in the same moment on a small machine."""
    api = FakeBotAPI()
    server = serve(api)
    env = {k: v for k, v in os.environ.items()
           if not k.upper().endswith("_PROXY") and not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
    env.update({
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": base_url(server),
        "DATA_DIR": str(tmp / "data"), "KNOWLEDGE_DIR": str(ROOT / "knowledge"),
        "RATE_LIMIT_OVERALL": "0", "ADMIN_IDS": "", "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    })
    port = free_port()
    if mode == "webhook":
        env.update({"WEBHOOK_URL": "https://bot.example.org/hook", "WEBHOOK_SECRET": SECRET,
                    "PORT": str(port)})
    log_path = tmp / "bot.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "bot"], cwd=ROOT, env=env, stdout=log,
                                stderr=subprocess.STDOUT)
    try:
        ready = "setWebhook" if mode == "webhook" else "getUpdates"
        assert api.wait_for(lambda calls: any(m == ready for m, _ in calls), 60), \
            log_path.read_text(errors="replace")
        if mode == "webhook":  # setWebhook may come before the server listens
            deadline = time.monotonic() + 30
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    assert time.monotonic() < deadline, "the webhook server never listened"
                    time.sleep(0.1)
        started = time.monotonic()

        def ask(update_id: int) -> None:
            seen = len(api.calls)
            if mode == "webhook":
                update = {"update_id": update_id, "message": text_message(QUESTION, update_id)}
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/telegram", data=json.dumps(update).encode(),
                    headers={"Content-Type": "application/json",
                             "X-Telegram-Bot-Api-Secret-Token": SECRET})
                opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
                assert opener.open(request, timeout=10).status == 200
            else:
                api.queue(message=text_message(QUESTION, update_id))
            replied = api.wait_for(lambda calls: [p for m, p in calls[seen:]
                                                  if m == "sendMessage"
                                                  and int(p["chat_id"]) == USER_ID], 30)
            assert replied, log_path.read_text(errors="replace")

        ask(1)
        time.sleep(max(0.0, started + UPTIME + delay - time.monotonic()))
        assert proc.poll() is None, log_path.read_text(errors="replace")
        if busy:
            ask(2)
        signalled = time.monotonic()
        proc.send_signal(sig)
        try:
            code: int | None = proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            code = None
        seconds = time.monotonic() - signalled
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        stop(server)
    stored = 0
    database = tmp / "data" / "bot.sqlite3"
    if database.exists():
        with sqlite3.connect(database) as db:
            stored = db.execute("SELECT COUNT(*) FROM questions").fetchone()[0]
    return Outcome(mode, sig.name, "busy" if busy else "idle", code, seconds,
                   log_path.read_text(errors="replace"), stored)


def test_sigterm_and_sigint_stop_the_bot_promptly(tmp_path: Path) -> None:
    cases = [(mode, sig, False) for mode in ("polling", "webhook")
             for sig in (signal.SIGTERM, signal.SIGINT)]
    cases += [(mode, signal.SIGTERM, True) for mode in ("polling", "webhook")]
    dirs = []
    for mode, sig, busy in cases:
        d = tmp_path / f"{mode}-{sig.name}-{busy}"
        d.mkdir()
        dirs.append(d)
    with ThreadPoolExecutor(len(cases)) as pool:
        outcomes = list(pool.map(lambda c, d, i: run_case(c[0], c[1], c[2], d, 0.8 * i),
                                 cases, dirs, range(len(cases))))
    print(f"\nsignal → exit, after more than {UPTIME} s of uptime:")
    for o in outcomes:
        print(f"  {o.mode:8} {o.signal:8} {o.when}: exit code {o.exit_code}, {o.seconds:.2f} s")
    for o in outcomes:
        where = f"{o.mode} {o.signal} {o.when}"
        assert o.exit_code is not None, f"{where}: still running 20 s after the signal\n{o.log[-3000:]}"
        assert o.exit_code == 0, f"{where}: exit code {o.exit_code}\n{o.log[-3000:]}"
        assert o.seconds < LIMIT, f"{where}: took {o.seconds:.2f} s to exit"
        asked = 2 if o.when == "busy" else 1
        assert o.stored == asked, f"{where}: {o.stored} of {asked} questions stored"
        assert "Traceback" not in o.log, o.log[-3000:]
        assert TOKEN not in o.log


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
