"""kill -9 loses no question and answers none twice: `python -m bot` as a real process
against the fake Bot API of test_e2e_polling, killed with SIGKILL at chosen moments and
started again on the same data directory.

Polling: 300 questions (300 users) are queued; the bot is killed (1) 0.3 s after its first
getUpdates, (2) in the middle of answering after the restart (the replay), (3) right after
it fetched a second wave of 50 questions from a steady stream; then it runs to the end.
Webhook: 300 updates are posted by 8 senders; the bot is killed half-way; updates that
got no 200 are posted again (as Telegram retries them) after the restart.

Every question must be answered, and answered once — except that a reply which reached
Telegram in the last moment before a kill, before the journal recorded it, is sent again
after the restart (like a send that timed out, it may have been delivered). Such a
question was unanswered in the journal at the kill *and* had a reply at the fake
Telegram; any question answered twice must be one of those, and the test prints how many.

Run `python tests/test_crash_recovery.py [REPO]` to print the figures for a checkout
(e.g. one before the journal existed).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.bot_api import TOKEN, FakeBotAPI, base_url, serve, stop, text_message

pytestmark = pytest.mark.slow  # kill -9 at three moments, 600 questions

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ["Ko dara bankas klientu menedžeris?", "Kāda ir konta pārvaldnieka alga?",
             "Какая зарплата у аккаунт-менеджера?", "Kādas ir konta pārvaldnieka prasmes?"]
FIRST_USER = 10_000
WAIT = float(os.environ.get("CRASH_TEST_WAIT", "60"))  # every wait is bounded by this


@dataclass
class Kill:
    moment: str
    offset_confirmed: int  # what Telegram was told to forget (getUpdates offset)
    answered: int  # users answered so far
    pending: int  # in the journal, not yet answered
    at_risk: set[int]  # users answered by then whose update the journal held as unanswered


@dataclass
class Report:
    questions: int = 0
    kills: list[Kill] = field(default_factory=list)
    replies: Counter[int] = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def at_risk(self) -> set[int]:
        return set().union(*(k.at_risk for k in self.kills)) if self.kills else set()

    def lines(self, mode: str) -> list[str]:
        out = [f"{mode}: {self.questions} questions, {len(self.kills)} kills, "
               f"{self.seconds:.1f} s"]
        for k in self.kills:
            out.append(f"  kill -9 {k.moment}: Telegram told to drop updates below offset "
                       f"{k.offset_confirmed}; {k.answered} users answered; journal: "
                       f"{k.pending} unanswered, of which {len(k.at_risk)} had just been "
                       f"answered (reply not yet recorded)")
        users = range(FIRST_USER, FIRST_USER + self.questions)
        once = sum(1 for u in users if self.replies[u] == 1)
        twice = sum(1 for u in users if self.replies[u] > 1)
        never = [u for u in users if self.replies[u] == 0]
        out.append(f"  after the last restart: answered once {once}, more than once {twice}, "
                   f"never {len(never)}")
        return out


def _env(server: ThreadingHTTPServer, data: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.upper().endswith("_PROXY") and not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
    env.update({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": base_url(server),
                "DATA_DIR": str(data), "KNOWLEDGE_DIR": str(ROOT / "knowledge"),
                "RATE_LIMIT_OVERALL": "0", "ADMIN_IDS": "", "LOG_LEVEL": "WARNING",
                "NO_PROXY": "127.0.0.1,localhost", "PYTHONUNBUFFERED": "1", **extra})
    return env


def _start(root: Path, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "bot"], cwd=root, env=env,
                                stdout=out, stderr=subprocess.STDOUT)


def _answered(api: FakeBotAPI) -> Counter[int]:
    """Replies per user (a request cut off by the kill is not a delivered message)."""
    with api.cond:
        return Counter(int(p["chat_id"]) for m, p in api.calls
                       if m == "sendMessage" and "chat_id" in p and "text" in p)


def _journal_state(data: Path) -> tuple[int, set[int]]:
    """(unanswered updates, their users) as the killed run left the journal."""
    path = data / "updates.sqlite3"
    if not path.exists():
        return 0, set()
    with sqlite3.connect(path) as db:
        try:
            rows = db.execute("SELECT payload FROM pending WHERE replied=0").fetchall()
        except sqlite3.OperationalError:
            return 0, set()
    return len(rows), {json.loads(p)["message"]["chat"]["id"] for (p,) in rows}


def _kill(proc: subprocess.Popen[bytes], api: FakeBotAPI, data: Path, moment: str,
          report: Report) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    time.sleep(0.2)  # requests already on the wire reach the fake server
    pending, users = _journal_state(data)
    answered = _answered(api)
    report.kills.append(Kill(moment, api.last_offset or 0, len(answered), pending,
                             {u for u in users if answered[u]}))


def _wait(predicate: Any, what: str, log: Path, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; bot log:\n"
                                 f"{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.01)


def _all_done(api: FakeBotAPI, report: Report) -> bool:
    answered = _answered(api)
    return all(answered[u] for u in range(FIRST_USER, FIRST_USER + report.questions))


def _answer_all_and_stop(proc: subprocess.Popen[bytes], api: FakeBotAPI, report: Report,
                         log: Path) -> None:
    """The last run: every question answered, then a clean SIGTERM."""
    _wait(lambda: _all_done(api, report), "every question to be answered", log)
    time.sleep(1.0)  # anything sent twice would show up now
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=20)


def _tear_down(proc: subprocess.Popen[bytes], server: ThreadingHTTPServer, api: FakeBotAPI,
               report: Report, started: float) -> None:
    """Whatever happened: no bot left running, the stand-in stopped, the replies counted."""
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout=10)
    stop(server)
    report.replies = _answered(api)
    report.seconds = time.monotonic() - started


def run_polling(root: Path, data: Path, log: Path, report: Report) -> None:
    api = FakeBotAPI()
    server = serve(api)
    env = _env(server, data)
    started = time.monotonic()

    def queue(n: int) -> None:
        for _ in range(n):
            user = FIRST_USER + report.questions
            msg = text_message(QUESTIONS[report.questions % len(QUESTIONS)], report.questions)
            msg["from"]["id"] = msg["chat"]["id"] = user
            api.queue(message=msg)
            report.questions += 1

    def polled_after(since: int) -> bool:
        with api.cond:
            return any(m == "getUpdates" for m, _ in api.calls[since:])

    try:
        queue(300)
        proc = _start(root, env, log)
        _wait(lambda: polled_after(0), "the first getUpdates", log)
        # The moment that lost messages once: Telegram has been told to drop a batch (the
        # next getUpdates confirms it) and the bot has not answered all of it yet. Waited
        # for, not slept for: on a loaded machine 0.3 s was sometimes too early.
        _wait(lambda: (api.last_offset or 0) > 0, "a batch to be confirmed", log)
        _kill(proc, api, data, "as soon as Telegram is told to drop the first batch", report)

        proc = _start(root, env, log)
        base = len(_answered(api))
        _wait(lambda: len(_answered(api)) >= base + 100 or _all_done(api, report),
              "100 more answers", log)
        _kill(proc, api, data, "after 100 answers of the restarted bot", report)

        with api.cond:
            mark = len(api.calls)
        proc = _start(root, env, log)
        _wait(lambda: polled_after(mark), "the third run's first getUpdates", log)
        first_new = api.next_update_id
        queue(50)

        def fetched_new() -> bool:  # the wave was fetched and then confirmed
            with api.cond:
                return any(m == "getUpdates" and int(p.get("offset") or 0) > first_new
                           for m, p in api.calls)

        _wait(fetched_new, "the second wave to be fetched", log)
        _kill(proc, api, data, "right after fetching a wave of 50 new questions", report)

        proc = _start(root, env, log)
        _answer_all_and_stop(proc, api, report, log)
    finally:
        _tear_down(proc, server, api, report, started)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _post(port: int, update: dict[str, Any]) -> int:
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/telegram", data=json.dumps(update).encode(), method="POST",
        headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": "s3cret"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(req, timeout=5) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:
        return 0  # refused or cut: Telegram would send it again


def run_webhook(root: Path, data: Path, log: Path, report: Report) -> None:
    api = FakeBotAPI()
    server = serve(api)
    port = _free_port()
    env = _env(server, data, WEBHOOK_URL="https://bot.example.invalid",
               WEBHOOK_SECRET="s3cret", PORT=str(port))
    report.questions = 300
    updates: list[dict[str, Any]] = []
    for i in range(300):
        msg = text_message(QUESTIONS[i % len(QUESTIONS)], i)
        msg["from"]["id"] = msg["chat"]["id"] = FIRST_USER + i
        updates.append({"update_id": 1000 + i, "message": msg})
    status: dict[int, int] = {}
    started = time.monotonic()

    def sender(part: list[dict[str, Any]]) -> None:
        for u in part:
            status[u["update_id"]] = _post(port, u)

    def up() -> bool:
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", port)) == 0

    try:
        proc = _start(root, env, log)
        _wait(up, "the webhook server", log)
        senders = [threading.Thread(target=sender, args=(updates[k::8],)) for k in range(8)]
        for t in senders:
            t.start()
        _wait(lambda: len(_answered(api)) >= 120, "120 answers", log)
        _kill(proc, api, data, "after 120 answers", report)
        for t in senders:
            t.join(30)
        proc = _start(root, env, log)
        _wait(up, "the restarted webhook server", log)
        for u in updates:  # what did not get a 200 is sent again, as Telegram does
            if status.get(u["update_id"]) != 200:
                status[u["update_id"]] = _post(port, u)
        _answer_all_and_stop(proc, api, report, log)
    finally:
        _tear_down(proc, server, api, report, started)


def _check(report: Report) -> None:
    users = range(FIRST_USER, FIRST_USER + report.questions)
    twice = {u for u in users if report.replies[u] > 1}
    never = [u for u in users if report.replies[u] == 0]
    assert never == [], f"never answered: {never}"
    assert twice <= report.at_risk, f"answered twice for no reason: {sorted(twice - report.at_risk)}"
    for u in twice:  # one more answer at most per kill that caught it just answered
        assert report.replies[u] <= 1 + sum(u in k.at_risk for k in report.kills), u


def test_polling_kill_9_at_three_moments_loses_nothing(tmp_path: Path) -> None:
    report = Report()
    run_polling(ROOT, tmp_path / "data", tmp_path / "bot.log", report)
    print("\n" + "\n".join(report.lines("polling")))
    assert report.kills[0].offset_confirmed > report.kills[0].answered  # the old failure
    _check(report)
    assert "Traceback" not in (tmp_path / "bot.log").read_text(errors="replace")


def test_webhook_kill_9_loses_nothing(tmp_path: Path) -> None:
    report = Report()
    run_webhook(ROOT, tmp_path / "data", tmp_path / "bot.log", report)
    print("\n" + "\n".join(report.lines("webhook")))
    _check(report)
    assert "Traceback" not in (tmp_path / "bot.log").read_text(errors="replace")


if __name__ == "__main__":
    import tempfile

    repo = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else ROOT
    for name, run in (("polling", run_polling), ("webhook", run_webhook)):
        with tempfile.TemporaryDirectory() as tmp:
            rep = Report()
            try:
                run(repo, Path(tmp) / "data", Path(tmp) / "bot.log", rep)
            except AssertionError as exc:
                print(f"{name}: stopped: {str(exc).splitlines()[0]}")
            print("\n".join(rep.lines(name)))
