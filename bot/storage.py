"""SQLite storage: users' language choice, asked questions (for /stats and /unanswered),
and 👍/👎 feedback.

What is stored (and nothing else): the Telegram user id; the chosen language and the last
topic shown; for each question the time, reply language, the *normalized* question text
(case-folded, invisible characters removed, at most 300 characters), outcome, topic and
score; for each vote the time, topic and vote (one per user and topic). /forget deletes
all rows of a user. The caller normalizes a question before it is stored
(conversation.stored_form): storage keeps what it is given, cut to MAX_STORED_TEXT.

Every call opens its own short connection with a short busy timeout, so a locked or
missing database costs one failed write (logged by the caller), never a stuck bot, and
writing resumes by itself when the fault clears. The file heals from any state it is
found in (see SQLiteFile): deleted, emptied, tables dropped, or not a database at all.

The bot writes through one `Writer` thread: writes are queued and committed in order,
whatever queued up meanwhile in one transaction. One writer means no "database is locked"
between the bot's own threads (concurrent writers used to lose rows under load) and one
commit per batch instead of one per question.
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    user_id INTEGER PRIMARY KEY,
    lang TEXT,
    lang_fixed INTEGER NOT NULL DEFAULT 0,
    last_topic TEXT,
    updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL,
    ts REAL NOT NULL,
    lang TEXT NOT NULL,
    normalized TEXT NOT NULL,
    outcome TEXT NOT NULL,
    topic TEXT,
    score REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS questions_ts ON questions(ts);
CREATE INDEX IF NOT EXISTS questions_user ON questions(user_id);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL,
    ts REAL NOT NULL,
    topic TEXT NOT NULL,
    vote INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_user ON feedback(user_id);
-- one vote per user and topic (a new vote replaces the old); older files kept every press
DELETE FROM feedback WHERE id NOT IN (SELECT MAX(id) FROM feedback GROUP BY user_id, topic);
CREATE UNIQUE INDEX IF NOT EXISTS feedback_vote ON feedback(user_id, topic);
"""
log = logging.getLogger(__name__)
MAX_STORED_TEXT = 300  # characters of a question kept (what /unanswered and learning show)
DAY = 86_400.0  # seconds
STATS_WEEK = 7  # days /stats looks back
STATS_TOP = 5  # topics /stats lists


def storable(text: str) -> str:
    """What is kept of a question: at most MAX_STORED_TEXT characters, lone surrogates
    (which SQLite refuses) as '?'."""
    return text[:MAX_STORED_TEXT].encode("utf-8", "replace").decode("utf-8")


@dataclass(frozen=True, slots=True)
class UserPrefs:
    lang: str | None
    lang_fixed: bool
    last_topic: str | None


@dataclass(frozen=True, slots=True)
class UnansweredAsk:
    """One stored question text the bot did not answer outright, with how often and when."""

    text: str  # as stored: conversation.stored_form(), then storable()
    count: int
    newest: float  # time of the latest ask (Unix seconds)
    lang: str  # the reply language then
    outcome: str  # "suggest" or "none", the latest time


@dataclass(frozen=True, slots=True)
class Stats:
    today: int
    week: int
    answered_share: float
    top_topics: list[tuple[str, int]]
    votes_up: int
    votes_down: int
    per_lang: dict[str, int]


class SQLiteFile:
    """One SQLite file with its schema, opened afresh for every call, that heals.

    Whatever happened to the file meanwhile, the next call works once the disk allows:
    missing (deleted, or its directory) → created; empty (truncated, or left at 0 bytes
    by a full disk) or tables dropped → the schema is created again (SQLite's schema
    cookie changes with every such change, so one cheap PRAGMA per connection notices);
    not a database at all or damaged → moved aside as `<name>.broken-<time>` and started
    anew. Deleted rows are overwritten (secure_delete), not left in free pages.
    """

    SCHEMA = ""
    NAMES: tuple[str, ...] = ()  # tables and indexes SCHEMA creates

    def __init__(self, path: Path, timeout: float = 0.5) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self._cookie: int | None = None  # schema_version after our schema was last ensured
        self._broken: BaseException | None = None
        self._lock = threading.Lock()

    @contextmanager
    def _db(self, timeout: float | None = None) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._broken is not None:
                self._set_aside(self._broken)
            if not self.path.exists():  # first use, or deleted while the bot runs
                if self._cookie is not None:
                    log.warning("the database file %s is gone; creating a new one", self.path)
                    self._cookie = None
                self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=self.timeout if timeout is None else timeout,
                               isolation_level=None)
        try:
            # deleted rows (/forget) are overwritten, not left behind in free pages
            conn.execute("PRAGMA secure_delete=ON")
            self._ensure_schema(conn)
            yield conn
        except sqlite3.DatabaseError as exc:
            if _is_damage(exc):  # set aside on the next call, once this connection is shut
                self._broken = exc
            raise
        finally:
            conn.close()

    def _ensure_schema(self, conn: sqlite3.Connection) -> None:
        cookie = conn.execute("PRAGMA schema_version").fetchone()[0]
        if cookie == self._cookie:
            return
        present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        if not set(self.NAMES) <= present:  # only write when something is missing: a
            if self._cookie is not None:    # read-only file with its tables still reads
                log.warning("the database %s lost its tables (%s missing); creating them "
                            "again", self.path, ", ".join(sorted(set(self.NAMES) - present)))
            conn.executescript(self.SCHEMA)
            cookie = conn.execute("PRAGMA schema_version").fetchone()[0]
        self._cookie = cookie

    def _set_aside(self, reason: BaseException) -> None:
        """Move a file that is not (or no longer) a database out of the way."""
        self._broken = None
        self._cookie = None
        if not self.path.exists():
            return
        aside = self.path.with_name(f"{self.path.name}.broken-{time.strftime('%Y%m%d-%H%M%S')}")
        for suffix in ("", "-journal", "-wal", "-shm"):
            part = Path(f"{self.path}{suffix}")
            if part.exists():
                part.replace(Path(f"{aside}{suffix}"))
        log.error("the database file %s is damaged (%s); moved it to %s and started a new one",
                  self.path, reason, aside.name)

    @contextmanager
    def _use(self, db: sqlite3.Connection | None) -> Iterator[sqlite3.Connection]:
        """The writer's open transaction if given, else a connection of our own."""
        if db is not None:
            yield db
        else:
            with self._db() as own:
                yield own

    def write_batch(self, ops: list[WriteOp], timeout: float = 2.0) -> None:
        """Run queued writes in one transaction, in order. A write that fails on its own
        (bad data) fails alone; when the database fails (locked, read-only, missing) the
        whole batch fails. Each op gets its outcome through `WriteOp.finish`."""
        results: list[tuple[WriteOp, Any, BaseException | None]] = []
        try:
            with self._db(timeout) as db:
                db.execute("BEGIN IMMEDIATE")
                try:
                    for op in ops:
                        try:
                            results.append((op, op.func(*op.args, db=db), None))
                        except sqlite3.OperationalError:
                            raise
                        except sqlite3.DatabaseError as exc:
                            if _is_damage(exc):
                                raise
                            results.append((op, None, exc))
                        except Exception as exc:  # this write's own data: skip it alone
                            results.append((op, None, exc))
                    db.execute("COMMIT")
                except BaseException:
                    if db.in_transaction:
                        db.execute("ROLLBACK")
                    raise
        except Exception as exc:
            results = [(op, None, exc) for op in ops]
        for op, value, error in results:
            op.finish(value, error)


def _is_damage(exc: sqlite3.DatabaseError) -> bool:
    """Not a database, or a damaged one (as opposed to locked, read-only, disk full)."""
    return getattr(exc, "sqlite_errorname", "") in ("SQLITE_NOTADB", "SQLITE_CORRUPT")


class Storage(SQLiteFile):
    SCHEMA = _SCHEMA
    NAMES = ("users", "questions", "questions_ts", "questions_user", "feedback",
             "feedback_user", "feedback_vote")

    # -- users -------------------------------------------------------------------------

    def get_user(self, user_id: int) -> UserPrefs | None:
        with self._db() as db:
            row = db.execute("SELECT lang, lang_fixed, last_topic FROM users WHERE user_id=?",
                             (user_id,)).fetchone()
        return UserPrefs(row[0], bool(row[1]), row[2]) if row else None

    def save_user(self, user_id: int, prefs: UserPrefs, *,
                  db: sqlite3.Connection | None = None) -> None:
        with self._use(db) as db:
            db.execute(
                "INSERT INTO users(user_id, lang, lang_fixed, last_topic, updated) "
                "VALUES(?,?,?,?,?) ON CONFLICT(user_id) DO UPDATE SET lang=excluded.lang, "
                "lang_fixed=excluded.lang_fixed, last_topic=excluded.last_topic, "
                "updated=excluded.updated",
                (user_id, prefs.lang, int(prefs.lang_fixed), prefs.last_topic, time.time()),
            )

    # -- questions and feedback ---------------------------------------------------------

    def record_question(self, user_id: int, normalized: str, lang: str, outcome: str,
                        topic: str | None, score: float, ts: float | None = None, *,
                        db: sqlite3.Connection | None = None) -> None:
        """One question, in the form the caller keeps of it (conversation.stored_form)."""
        with self._use(db) as db:
            db.execute(
                "INSERT INTO questions(user_id, ts, lang, normalized, outcome, topic, score) "
                "VALUES(?,?,?,?,?,?,?)",
                (user_id, ts or time.time(), lang, storable(normalized), outcome, topic,
                 float(score)),
            )

    def record_feedback(self, user_id: int, topic: str, vote: int, *,
                        db: sqlite3.Connection | None = None) -> None:
        with self._use(db) as db:
            db.execute("INSERT INTO feedback(user_id, ts, topic, vote) VALUES(?,?,?,?) "
                       "ON CONFLICT(user_id, topic) DO UPDATE SET ts=excluded.ts, "
                       "vote=excluded.vote",
                       (user_id, time.time(), topic, 1 if vote > 0 else -1))

    def forget(self, user_id: int, *, db: sqlite3.Connection | None = None) -> int:
        """Delete every row about the user; return how many were deleted."""
        with self._use(db) as db:
            n = 0
            for table in ("questions", "feedback", "users"):
                n += db.execute(f"DELETE FROM {table} WHERE user_id=?", (user_id,)).rowcount
        return n

    # -- admin views --------------------------------------------------------------------

    def stats(self, now: float | None = None) -> Stats:
        now = now or time.time()
        day = now - DAY
        week = now - STATS_WEEK * DAY
        with self._db() as db:
            today = db.execute("SELECT COUNT(*) FROM questions WHERE ts>=?", (day,)).fetchone()[0]
            wk = db.execute("SELECT COUNT(*) FROM questions WHERE ts>=?", (week,)).fetchone()[0]
            answered = db.execute("SELECT COUNT(*) FROM questions WHERE ts>=? AND "
                                  "outcome='answer'", (week,)).fetchone()[0]
            top = db.execute("SELECT topic, COUNT(*) c FROM questions WHERE ts>=? AND topic IS "
                             "NOT NULL GROUP BY topic ORDER BY c DESC, topic LIMIT ?",
                             (week, STATS_TOP)).fetchall()
            up = db.execute("SELECT COUNT(*) FROM feedback WHERE vote>0").fetchone()[0]
            down = db.execute("SELECT COUNT(*) FROM feedback WHERE vote<0").fetchone()[0]
            langs = db.execute("SELECT lang, COUNT(*) FROM questions WHERE ts>=? GROUP BY lang",
                               (week,)).fetchall()
        return Stats(today, wk, answered / wk if wk else 0.0, [(t, c) for t, c in top],
                     up, down, {lang: c for lang, c in langs})

    def unanswered_asks(self, limit: int = 5000) -> list[UnansweredAsk]:
        """Every stored question answered with "did you mean" or "I don't know", one row per
        stored text (times asked, the latest time, and its reply language and outcome then),
        newest first. bot/learning.py groups and ranks them."""
        with self._db() as db:
            rows = db.execute(
                "SELECT normalized, COUNT(*), MAX(ts), "
                "(SELECT lang || ' ' || outcome FROM questions q2 WHERE q2.normalized=q.normalized"
                " AND q2.outcome IN ('none','suggest') ORDER BY ts DESC, id DESC LIMIT 1) "
                "FROM questions q WHERE outcome IN ('none','suggest') "
                "GROUP BY normalized ORDER BY MAX(ts) DESC LIMIT ?", (limit,)).fetchall()
        return [UnansweredAsk(r[0], r[1], r[2], *r[3].split(" ", 1)) for r in rows]

    def top_topics(self, limit: int = 10) -> list[str]:
        with self._db() as db:
            rows = db.execute("SELECT topic FROM questions WHERE topic IS NOT NULL "
                              "GROUP BY topic ORDER BY COUNT(*) DESC LIMIT ?", (limit,)).fetchall()
        return [r[0] for r in rows]


# -- the writer thread ---------------------------------------------------------------------


class WriteOp:
    """One queued write: a Storage write method, its arguments, and who waits for it."""

    __slots__ = ("func", "args", "future")

    def __init__(self, func: Callable[..., Any], args: tuple[Any, ...],
                 future: Future[Any] | None = None) -> None:
        self.func, self.args, self.future = func, args, future

    @property
    def name(self) -> str:
        return getattr(self.func, "__name__", "write")

    def finish(self, value: Any, error: BaseException | None) -> None:
        if self.future is not None:
            if error is None:
                self.future.set_result(value)
            else:
                self.future.set_exception(error)
        elif error is not None:
            log.warning("storage write %s failed: %s: %s", self.name, type(error).__name__,
                        error)


class Writer:
    """One thread that performs every write in the order it was submitted, batching what
    queued up meanwhile into one transaction. `submit` never blocks and never raises; a
    failed write is logged and dropped, and the next batch tries again, so writing resumes
    by itself when the database is back. The thread stops when idle and starts on demand.
    """

    def __init__(self, storage: SQLiteFile, max_batch: int = 500, max_pending: int = 100_000,
                 busy_timeout: float = 2.0, idle_exit: float = 5.0) -> None:
        self.storage = storage
        self.max_batch, self.max_pending = max_batch, max_pending
        self.busy_timeout, self.idle_exit = busy_timeout, idle_exit
        self._queue: queue.SimpleQueue[WriteOp] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._done_cond = threading.Condition(self._lock)
        self._submitted = 0
        self._finished = 0
        self._thread: threading.Thread | None = None
        self._dropped = 0

    def submit(self, func: Callable[..., Any], *args: Any) -> None:
        """Queue a write and return at once (fire and forget; failures are logged)."""
        self._put(WriteOp(func, args))

    def call(self, func: Callable[..., Any], *args: Any) -> Future[Any]:
        """Queue a write after everything submitted so far; the future gets its result."""
        future: Future[Any] = Future()
        self._put(WriteOp(func, args, future))
        return future

    def _put(self, op: WriteOp) -> None:
        with self._lock:
            if self._submitted - self._finished >= self.max_pending:
                self._dropped += 1
                if self._dropped in (1, 10, 100) or self._dropped % 1000 == 0:
                    log.warning("storage writer is %d writes behind; dropped %d writes",
                                self.max_pending, self._dropped)
                op.finish(None, RuntimeError("too many pending writes"))
                return
            self._submitted += 1
            self._queue.put(op)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="storage-writer",
                                                daemon=True)
                self._thread.start()

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every write submitted so far has been committed or has failed."""
        deadline = time.monotonic() + timeout
        with self._lock:
            target = self._submitted
            while self._finished < target:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._done_cond.wait(left)
        return True

    @property
    def pending(self) -> int:
        with self._lock:
            return self._submitted - self._finished

    def _run(self) -> None:
        while True:
            try:
                first = self._queue.get(timeout=self.idle_exit)
            except queue.Empty:
                with self._lock:
                    if self._queue.empty():
                        self._thread = None
                        return
                continue
            batch = [first]
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                self.storage.write_batch(batch, self.busy_timeout)
            except BaseException as exc:  # never leave a caller waiting
                log.error("storage writer failed: %s: %s", type(exc).__name__, exc)
                for op in batch:
                    if op.future is not None and not op.future.done():
                        op.future.set_exception(exc)
            finally:
                with self._lock:
                    self._finished += len(batch)
                    self._done_cond.notify_all()
