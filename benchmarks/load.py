"""Load test: the real bot (`python -m bot`, long polling) against a local fake Bot API.

Usage:  python benchmarks/load.py [--messages 50000] [--seconds 180] [--users 2000]
                                  [--window 32] [--rated-messages 1500] [--rated-rate 30]
                                  [--unloaded-messages 500] [--log-level INFO]

Two runs, each with a fresh temporary DATA_DIR:

1. RATE_LIMIT_OVERALL=0: up to --messages questions (or --seconds), from --users distinct
   users in turn (so the per-user flood guard, 8 messages / 10 s, never triggers). Updates
   are queued into getUpdates as fast as the bot takes them: each getUpdates call gets up
   to 100 new updates, as long as at most --window updates are waiting for their reply.
2. RATE_LIMIT_OVERALL=--rated-rate: --rated-messages questions; the send rate must stay at
   the limit and nothing may be lost (the excess waits in the bot).
3. One message at a time (window 1): the latency of a question when nothing queues.

Measured: end-to-end messages/s, latency from an update leaving getUpdates to its
sendMessage arriving (p50/p99), replies lost, replies in the wrong language, questions
stored in SQLite, the bot's RSS (VmRSS from /proc) after start and at the end, and the
send rate per 1-s window. All traffic stays on 127.0.0.1; every loop is bounded in count
and time. Not part of the test run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from machine import describe  # benchmarks/machine.py, next to this script

ROOT = Path(__file__).resolve().parents[1]
BOT_ID = 5_550_001
TOKEN = f"{BOT_ID}:" + "LoadTest" * 5  # looks like a BotFather token, is none
BOT_USER = {"id": BOT_ID, "is_bot": True, "first_name": "AM bot", "username": "LoadAmBot",
            "can_join_groups": True, "can_read_all_group_messages": False,
            "supports_inline_queries": True}
FIRST_USER = 10_000_000
CYRILLIC = re.compile("[а-яёА-ЯЁ]")
PROFILE = os.environ.get("LOAD_PROFILE", "")  # write a cProfile of the bot here

# Questions as candidates and recruiters type them (written for this benchmark; not taken
# from any evaluation set): with and without diacritics, Russian in Cyrillic and in Latin
# letters, short and long, and some off-topic ones.
QUESTIONS_LV = [
    "Ko īsti dara konta pārvaldnieks ikdienā?",
    "kadi pienakumi ir klientu menedzerim",
    "Cik var nopelnīt konta pārvaldnieks Rīgā?",
    "kada ir alga account managerim",
    "Kādas prasmes vajag, lai kļūtu par konta pārvaldnieku?",
    "vai vajag augstako izglitibu lai strādātu par klientu menedžeri",
    "Kā uzrakstīt labu CV konta pārvaldnieka amatam?",
    "kādas ir karjeras iespējas pēc dažiem gadiem šajā darbā",
    "Kādi ir šī darba plusi un mīnusi?",
    "Kādām personiskajām īpašībām jāpiemīt labam klientu menedžerim?",
    "ar ko atšķiras konta pārvaldnieks no pārdevēja",
    "Kas ir rakstīts tipiskā amata aprakstā?",
    "vai bankā klientu menedžerim ir citi pienākumi",
    "Ar ko strādā IT uzņēmuma konta pārvaldnieks?",
    "Cik maksā par šo darbu sākumā bez pieredzes?",
    "sveiki!",
    "paldies, ļoti noderīgi",
    "Kā pagatavot pankūkas?",
    "Kāds laiks būs rīt Jūrmalā?",
    "Vai konta pārvaldniekam jāzina angļu valoda?",
]
QUESTIONS_RU = [
    "Чем занимается аккаунт-менеджер каждый день?",
    "какие обязанности у менеджера по работе с клиентами",
    "Сколько зарабатывает аккаунт менеджер?",
    "kakaya zarplata u akkaunt menedzhera",
    "Какие навыки нужны, чтобы стать аккаунт-менеджером?",
    "нужно ли высшее образование для этой работы",
    "Как составить резюме на вакансию аккаунт-менеджера?",
    "какой карьерный рост у клиентского менеджера",
    "Какие плюсы и минусы у этой профессии?",
    "Какими личными качествами должен обладать хороший менеджер по клиентам?",
    "чем аккаунт-менеджер отличается от менеджера по продажам",
    "Что обычно пишут в должностной инструкции?",
    "что делает клиентский менеджер в банке",
    "chem zanimaetsya account manager v IT kompanii",
    "Какая зарплата у новичка без опыта?",
    "привет",
    "спасибо, помогло",
    "Как приготовить борщ?",
    "Какая завтра погода в Риге?",
    "Нужен ли английский язык аккаунт-менеджеру?",
]


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    vs = sorted(values)
    return vs[min(len(vs) - 1, int(round(p / 100 * (len(vs) - 1))))]


# -- the fake Bot API ------------------------------------------------------------------


@dataclass
class Flight:
    update_id: int
    user_id: int
    lang: str
    handed_at: float = 0.0


@dataclass
class FakeBotAPI:
    total: int
    users: int
    window: int
    deadline: float = 0.0
    next_update_id: int = 1
    generated: int = 0
    pending: list[dict[str, Any]] = field(default_factory=list)
    meta: dict[int, Flight] = field(default_factory=dict)  # update_id -> flight
    inflight: dict[int, Flight] = field(default_factory=dict)  # user_id -> flight
    latencies: list[float] = field(default_factory=list)
    send_times: list[float] = field(default_factory=list)
    answered: int = 0
    wrong_lang: int = 0
    extra_parts: int = 0
    get_updates_calls: int = 0
    first_handout: float | None = None
    last_reply: float = 0.0
    polled: asyncio.Event = field(default_factory=asyncio.Event)
    capacity: asyncio.Event = field(default_factory=asyncio.Event)
    _cursor: int = 0

    def _new_update(self) -> dict[str, Any] | None:
        for _ in range(self.users):  # a user with a question in flight waits their turn
            uid = FIRST_USER + self._cursor % self.users
            self._cursor += 1
            if uid not in self.inflight:
                break
        else:
            return None
        i = self.generated
        lang = "ru" if i % 2 else "lv"
        pool = QUESTIONS_RU if lang == "ru" else QUESTIONS_LV
        text = pool[(i // 2) % len(pool)]
        uid_lang = lang if i % 7 else "en"  # some users have another interface language
        update_id = self.next_update_id
        self.next_update_id += 1
        self.generated += 1
        flight = Flight(update_id, uid, lang)
        self.meta[update_id] = flight
        self.inflight[uid] = flight
        user = {"id": uid, "is_bot": False, "first_name": "U", "language_code": uid_lang}
        return {"update_id": update_id, "message": {
            "message_id": update_id, "date": int(time.time()), "text": text, "from": user,
            "chat": {"id": uid, "type": "private", "first_name": "U"}}}

    def _fill(self) -> None:
        room = min(100 - len(self.pending), self.window - len(self.inflight),
                   self.total - self.generated)
        if time.monotonic() > self.deadline:
            room = 0
        for _ in range(max(0, room)):
            u = self._new_update()
            if u is None:
                break
            self.pending.append(u)

    async def get_updates(self, params: dict[str, str]) -> list[dict[str, Any]]:
        self.get_updates_calls += 1
        self.polled.set()
        offset = int(params.get("offset") or 0)
        self.pending = [u for u in self.pending if u["update_id"] >= offset]
        timeout = min(float(params.get("timeout") or 0), 2.0)
        end = time.monotonic() + timeout
        while True:
            self._fill()
            if self.pending or time.monotonic() >= end:
                break
            self.capacity.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.capacity.wait(), max(0.0, end - time.monotonic()))
        now = time.monotonic()
        out = self.pending[: int(params.get("limit") or 100)]
        for u in out:
            f = self.meta.get(u["update_id"])
            if f and not f.handed_at:
                f.handed_at = now
                if self.first_handout is None:
                    self.first_handout = now
        return out

    def send_message(self, params: dict[str, str]) -> dict[str, Any]:
        now = time.monotonic()
        chat_id = int(params["chat_id"])
        text = params.get("text", "")
        self.send_times.append(now)
        flight = self.inflight.pop(chat_id, None)
        if flight is None:
            self.extra_parts += 1
        else:
            self.meta.pop(flight.update_id, None)
            self.answered += 1
            self.latencies.append(now - flight.handed_at)
            self.last_reply = now
            if (flight.lang == "ru") != bool(CYRILLIC.search(text)):
                self.wrong_lang += 1
            self.capacity.set()
        return {"message_id": self.answered + self.extra_parts, "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private", "first_name": "U"},
                "from": {k: BOT_USER[k] for k in ("id", "is_bot", "first_name", "username")},
                "text": text}

    async def handle(self, method: str, params: dict[str, str]) -> Any:
        if method == "getUpdates":
            return await self.get_updates(params)
        if method == "sendMessage":
            return self.send_message(params)
        if method == "getMe":
            return BOT_USER
        return True  # deleteWebhook, setMyCommands, …


async def serve_connection(api: FakeBotAPI, reader: asyncio.StreamReader,
                           writer: asyncio.StreamWriter) -> None:
    """HTTP/1.1 with keep-alive, just enough for python-telegram-bot's httpx client."""
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            path = lines[0].split(" ")[1]
            headers = {k.strip().lower(): v.strip() for k, v in
                       (line.split(":", 1) for line in lines[1:] if ":" in line)}
            body = await reader.readexactly(int(headers.get("content-length") or 0))
            method = path.rsplit("/", 1)[-1].split("?", 1)[0]
            if not path.startswith(f"/bot{TOKEN}/"):
                code, payload = 401, {"ok": False, "error_code": 401,
                                      "description": "Unauthorized"}
            else:
                if headers.get("content-type", "").startswith("application/json"):
                    params = json.loads(body or b"{}")
                else:
                    params = {k: v[0] for k, v in parse_qs(body.decode()).items()}
                code, payload = 200, {"ok": True, "result": await api.handle(method, params)}
            data = json.dumps(payload).encode()
            writer.write(b"HTTP/1.1 %d OK\r\nContent-Type: application/json\r\n"
                         b"Content-Length: %d\r\n\r\n" % (code, len(data)) + data)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError,
            asyncio.CancelledError):  # the bot hung up, or the run is over
        pass
    finally:
        writer.close()


# -- one run -----------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    offered: int
    answered: int
    lost: int
    wrong_lang: int
    extra_parts: int
    stored: int
    seconds: float
    rate: float
    p50_ms: float
    p99_ms: float
    rss_start_mib: float
    rss_end_mib: float
    max_send_1s: int
    max_send_1s_after_first: int
    get_updates_calls: int
    errors_in_log: int


def max_in_window(times: list[float], width: float, skip_first: float = 0.0) -> int:
    if not times:
        return 0
    ts = sorted(times)
    start = ts[0] + skip_first
    best, j = 0, 0
    for i, t in enumerate(ts):
        while ts[j] < t - width + 1e-9:
            j += 1
        if t >= start + width or skip_first == 0:
            best = max(best, i - j + 1)
    return best


async def run(name: str, total: int, seconds: float, users: int, window: int,
              rate_limit: float, log_level: str) -> Result:
    api = FakeBotAPI(total=total, users=users, window=window)
    server = await asyncio.start_server(lambda r, w: serve_connection(api, r, w),
                                        "127.0.0.1", 0, backlog=512)
    port = server.sockets[0].getsockname()[1]
    tmp = Path(tempfile.mkdtemp(prefix="am-load-"))
    env = {k: v for k, v in os.environ.items()
           if not k.upper().endswith("_PROXY") and not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
    env.update({
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{port}/bot",
        "DATA_DIR": str(tmp / "data"),
        "KNOWLEDGE_DIR": str(ROOT / "knowledge"),
        "RATE_LIMIT_OVERALL": str(rate_limit),
        "ADMIN_IDS": "",
        "LOG_LEVEL": log_level,
        "NO_PROXY": "127.0.0.1,localhost",
        "PYTHONUNBUFFERED": "1",
    })
    log_path = tmp / "bot.log"
    with log_path.open("wb") as log:
        prof = ["-m", "cProfile", "-o", PROFILE] if PROFILE else []
        proc = subprocess.Popen([sys.executable, *prof, "-m", "bot"], cwd=ROOT, env=env,
                                stdout=log, stderr=subprocess.STDOUT)
    try:
        try:
            await asyncio.wait_for(api.polled.wait(), 60)
        except TimeoutError:
            raise SystemExit(f"[{name}] the bot never polled:\n"
                             f"{log_path.read_text(errors='replace')[-3000:]}") from None
        await asyncio.sleep(1.0)  # let it settle (setMyCommands, first long poll)
        rss_start = rss_kib(proc.pid)
        api.deadline = time.monotonic() + seconds
        api.capacity.set()
        # bounded: stop offering at `total` or `seconds`, then wait ≤ 20 s for stragglers
        while time.monotonic() < api.deadline and api.generated < total:
            if proc.poll() is not None:
                raise SystemExit(f"[{name}] the bot exited:\n"
                                 f"{log_path.read_text(errors='replace')[-3000:]}")
            await asyncio.sleep(0.2)
        settle = time.monotonic() + 20
        while api.inflight and time.monotonic() < settle:
            await asyncio.sleep(0.1)
        rss_end = rss_kib(proc.pid)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            await asyncio.to_thread(proc.wait, 30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        server.close()
        await server.wait_closed()
    stored = 0
    db = tmp / "data" / "bot.sqlite3"
    if db.exists():
        with sqlite3.connect(db) as conn:
            stored = conn.execute("SELECT COUNT(*) FROM questions").fetchone()[0]
    log_text = log_path.read_text(errors="replace")
    errors = sum(1 for line in log_text.splitlines() if " ERROR " in line or "Traceback" in line)
    if TOKEN in log_text:
        print(f"[{name}] WARNING: the token appears in the bot log", file=sys.stderr)
    start = api.first_handout or 0.0
    elapsed = max(1e-9, api.last_reply - start)
    return Result(
        name=name, offered=api.generated, answered=api.answered, lost=len(api.inflight),
        wrong_lang=api.wrong_lang, extra_parts=api.extra_parts, stored=stored,
        seconds=elapsed, rate=api.answered / elapsed,
        p50_ms=pct(api.latencies, 50) * 1000, p99_ms=pct(api.latencies, 99) * 1000,
        rss_start_mib=rss_start / 1024, rss_end_mib=rss_end / 1024,
        max_send_1s=max_in_window(api.send_times, 1.0),
        max_send_1s_after_first=max_in_window(api.send_times, 1.0, skip_first=1.0),
        get_updates_calls=api.get_updates_calls, errors_in_log=errors,
    )


def table(results: list[Result]) -> str:
    rows = [
        ("messages offered", lambda r: f"{r.offered:,}"),
        ("replies received", lambda r: f"{r.answered:,}"),
        ("replies lost", lambda r: f"{r.lost}"),
        ("replies in the wrong language", lambda r: f"{r.wrong_lang}"),
        ("questions stored in SQLite", lambda r: f"{r.stored:,}"),
        ("duration (first update → last reply)", lambda r: f"{r.seconds:.1f} s"),
        ("throughput", lambda r: f"{r.rate:.0f} msg/s"),
        ("latency p50", lambda r: f"{r.p50_ms:.1f} ms"),
        ("latency p99", lambda r: f"{r.p99_ms:.1f} ms"),
        ("max sends in any 1 s", lambda r: f"{r.max_send_1s}"),
        ("  … after the first second", lambda r: f"{r.max_send_1s_after_first}"),
        ("bot RSS after start", lambda r: f"{r.rss_start_mib:.1f} MiB"),
        ("bot RSS at the end", lambda r: f"{r.rss_end_mib:.1f} MiB"),
        ("getUpdates calls", lambda r: f"{r.get_updates_calls:,}"),
        ("ERROR lines in the bot log", lambda r: f"{r.errors_in_log}"),
    ]
    width = max(len(label) for label, _ in rows)
    cols = [max(len(r.name), 14) for r in results]
    out = [" " * width + " | " + " | ".join(r.name.rjust(c) for r, c in zip(results, cols,
                                                                            strict=True))]
    out.append("-" * len(out[0]))
    for label, fmt in rows:
        out.append(label.ljust(width) + " | " + " | ".join(
            fmt(r).rjust(c) for r, c in zip(results, cols, strict=True)))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--messages", type=int, default=50_000)
    ap.add_argument("--seconds", type=float, default=180.0)
    ap.add_argument("--users", type=int, default=2000)
    ap.add_argument("--window", type=int, default=32,
                    help="updates waiting for their reply at most (≤ users); latency under "
                         "load is about window / throughput (Little's law)")
    ap.add_argument("--unloaded-messages", type=int, default=500,
                    help="a third run, one message at a time: latency without queueing")
    ap.add_argument("--rated-messages", type=int, default=1500)
    ap.add_argument("--rated-rate", type=float, default=30.0)
    ap.add_argument("--log-level", default="INFO")
    ap.add_argument("--skip-rated", action="store_true")
    args = ap.parse_args(argv)
    if args.window > args.users:
        ap.error("--window must not exceed --users")
    print(f"machine: {describe()}")
    print(f"bot: {sys.executable} -m bot (long polling), LOG_LEVEL={args.log_level}, "
          f"{args.users} users, window {args.window}", flush=True)
    runs = [("RATE_LIMIT=0", args.messages, args.seconds, args.window, 0.0)]
    if not args.skip_rated:
        runs.append((f"RATE_LIMIT={args.rated_rate:g}", args.rated_messages,
                     args.rated_messages / args.rated_rate * 3 + 30, args.window,
                     args.rated_rate))
    if args.unloaded_messages:
        runs.append(("one at a time", args.unloaded_messages, 60.0, 1, 0.0))
    results = []
    for name, total, seconds, window, rate in runs:
        r = asyncio.run(run(name, total, seconds, args.users, window, rate, args.log_level))
        print(f"  {name}: {r.answered:,}/{r.offered:,} answered, {r.rate:.0f} msg/s, "
              f"lost {r.lost}", flush=True)
        results.append(r)
    print()
    print(table(results))
    ok = all(r.lost == 0 and r.answered == r.offered for r in results)
    if not args.skip_rated:
        r = results[1]
        print(f"\nrated run: {r.answered / r.seconds:.1f} msg/s on average, at most "
              f"{r.max_send_1s} sends in any 1 s (limit {args.rated_rate:g}/s)")
    print("\nOK: nothing lost" if ok else "\nFAILED: replies were lost")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
