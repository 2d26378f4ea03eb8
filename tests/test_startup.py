"""Starting on Telegram as an operator meets it: `python -m bot serve` as a real process
against the local Bot API stand-in (127.0.0.1 only).

A missing token, a token Telegram rejects, a webhook URL it refuses and a taken webhook
port each end in one line on stderr and a non-zero exit, never a traceback, never the
token. An unreachable Bot API is retried with growing pauses, one line per attempt, and
the bot starts once it can be reached (a container often starts before its network).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests import bot_api
from tests.bot_api import TOKEN, FakeBotAPI, FaultPlan, Status

pytestmark = pytest.mark.slow  # starts `python -m bot serve`, waits out its retries

ROOT = Path(__file__).resolve().parents[1]
OTHER_TOKEN = "1234567:" + "Rejected" * 5  # well-formed, but not the stand-in's token


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bot_env(api_port: int, tmp: Path, token: str | None = TOKEN, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.upper().endswith("_PROXY") and not k.startswith(("TELEGRAM_", "WEBHOOK_"))
           and k not in ("ADMIN_IDS", "PORT", "KNOWLEDGE_DIR", "BOT_USERNAME")}
    env.update({"TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{api_port}/bot",
                "DATA_DIR": str(tmp / "data"), "LOG_LEVEL": "INFO", "RATE_LIMIT_OVERALL": "0",
                "PYTHONUNBUFFERED": "1", **extra})
    if token:
        env["TELEGRAM_BOT_TOKEN"] = token
    return env


def serve(env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", "serve"], cwd=ROOT, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=timeout, check=False)


def assert_one_line(res: subprocess.CompletedProcess[str], start: str) -> None:
    assert res.returncode != 0
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{res.stderr}"
    assert lines[0].startswith(start), lines[0]
    assert "Traceback" not in res.stdout + res.stderr
    for token in (TOKEN, OTHER_TOKEN):
        assert token not in res.stdout + res.stderr
        assert token.split(":")[1] not in res.stdout + res.stderr


def test_serve_without_a_token_refuses_to_start(tmp_path: Path) -> None:
    res = serve(bot_env(free_port(), tmp_path, token=None))
    assert_one_line(res, "error: TELEGRAM_BOT_TOKEN is not set")
    assert res.returncode == 2
    assert res.stdout == ""  # no terminal chat, no "Goodbye"


def test_a_rejected_token_is_one_line(tmp_path: Path) -> None:
    server = bot_api.serve(FakeBotAPI())
    try:
        res = serve(bot_env(server.server_address[1], tmp_path, token=OTHER_TOKEN))
    finally:
        bot_api.stop(server)
    assert_one_line(res, "error: Telegram rejected TELEGRAM_BOT_TOKEN")
    assert res.returncode == 1


def test_a_refused_webhook_url_is_one_line(tmp_path: Path) -> None:
    plan = FaultPlan()
    plan.server("setWebhook", Status(400, "Bad Request: bad webhook: Failed to resolve host: "
                                          "Name or service not known"))
    server = bot_api.serve(FakeBotAPI(), plan)
    try:
        res = serve(bot_env(server.server_address[1], tmp_path,
                            WEBHOOK_URL="https://no-such-host.invalid/hook",
                            WEBHOOK_SECRET="s3cret", PORT=str(free_port())))
    finally:
        bot_api.stop(server)
    assert_one_line(res, "error: Telegram refused WEBHOOK_URL https://no-such-host.invalid/hook")
    assert "failed to resolve host" in res.stderr.lower()
    assert res.returncode == 1


def test_a_taken_webhook_port_is_one_line(tmp_path: Path) -> None:
    server = bot_api.serve(FakeBotAPI())
    taken = socket.socket()
    taken.bind(("0.0.0.0", 0))
    taken.listen()
    try:
        res = serve(bot_env(server.server_address[1], tmp_path,
                            WEBHOOK_URL="https://bot.example.org/hook", WEBHOOK_SECRET="s3cret",
                            PORT=str(taken.getsockname()[1])))
    finally:
        taken.close()
        bot_api.stop(server)
    lines = [x for x in res.stderr.splitlines() if " INFO " not in x]  # "starting…" is logged
    assert res.returncode == 1 and len(lines) == 1, res.stderr
    assert lines[0].startswith("error: cannot listen for the webhook on port")
    assert "Traceback" not in res.stderr and TOKEN not in res.stderr


def wait_for_text(path: Path, pattern: str, count: int, timeout: float) -> list[str]:
    deadline = time.monotonic() + timeout
    while True:
        found = re.findall(pattern, path.read_text(errors="replace"))
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_an_unreachable_api_is_retried_until_it_answers(tmp_path: Path) -> None:
    port = free_port()  # nothing listens here yet: connections are refused
    log_path = tmp_path / "bot.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "bot", "serve"], cwd=ROOT,
                                env=bot_env(port, tmp_path), stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT)
    api = FakeBotAPI()
    server = None
    try:
        retries = wait_for_text(log_path, r"not reachable \(attempt (\d+).*retrying in (\d+) s",
                                2, 30)
        assert retries[:2] == [("1", "1"), ("2", "2")], log_path.read_text()
        assert proc.poll() is None
        server = bot_api.serve(api, port=port)  # the network is up
        polled = api.wait_for(lambda calls: any(m == "getUpdates" for m, _ in calls), 30)
        assert polled, log_path.read_text()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if server is not None:
            bot_api.stop(server)
    text = log_path.read_text(errors="replace")
    attempts = [int(n) for n in re.findall(r"not reachable \(attempt (\d+)", text)]
    assert attempts == list(range(1, len(attempts) + 1)), "one line per attempt"
    assert "Traceback" not in text and TOKEN not in text
    assert any(m == "getMe" for m, _ in api.calls)


def test_a_signal_during_the_retries_stops_the_bot_at_once(tmp_path: Path) -> None:
    log_path = tmp_path / "bot.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "bot", "serve"], cwd=ROOT,
                                env=bot_env(free_port(), tmp_path), stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT)
    try:
        assert wait_for_text(log_path, r"not reachable", 1, 30), log_path.read_text()
        signalled = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        assert time.monotonic() - signalled < 3
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "Traceback" not in log_path.read_text(errors="replace")
