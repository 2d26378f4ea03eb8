"""SQLite storage: users' language choice, asked questions (for /stats and /unanswered),
and 👍/👎 feedback.

What is stored (and nothing else): the Telegram user id; the chosen language and the last
topic shown; for each question the time, reply language, the *normalized* question text
(case-folded, invisible characters removed, at most 300 characters), outcome, topic and
score; for each vote the time, topic and vote. /forget deletes all rows of a user.

Every call opens its own short connection with a short busy timeout, so a locked or
missing database costs one failed write (logged by the caller), never a stuck bot, and
writing resumes by itself when the fault clears.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .matcher.normalize import fold

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
"""
_SPACES = re.compile(r"\s+")
MAX_STORED_TEXT = 300


def normalized_text(text: str) -> str:
    """What is stored of a question: folded, single-spaced, cut to MAX_STORED_TEXT."""
    return _SPACES.sub(" ", fold(text)).strip()[:MAX_STORED_TEXT]


@dataclass(frozen=True, slots=True)
class UserPrefs:
    lang: str | None
    lang_fixed: bool
    last_topic: str | None


@dataclass(frozen=True, slots=True)
class Stats:
    today: int
    week: int
    answered_share: float
    top_topics: list[tuple[str, int]]
    votes_up: int
    votes_down: int
    per_lang: dict[str, int]


class Storage:
    def __init__(self, path: Path, timeout: float = 0.5) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self._ready = False

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        if not self._ready:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        try:
            if not self._ready:
                conn.executescript(_SCHEMA)
                self._ready = True
            yield conn
        finally:
            conn.close()

    # -- users -------------------------------------------------------------------------

    def get_user(self, user_id: int) -> UserPrefs | None:
        with self._db() as db:
            row = db.execute("SELECT lang, lang_fixed, last_topic FROM users WHERE user_id=?",
                             (user_id,)).fetchone()
        return UserPrefs(row[0], bool(row[1]), row[2]) if row else None

    def save_user(self, user_id: int, prefs: UserPrefs) -> None:
        with self._db() as db:
            db.execute(
                "INSERT INTO users(user_id, lang, lang_fixed, last_topic, updated) "
                "VALUES(?,?,?,?,?) ON CONFLICT(user_id) DO UPDATE SET lang=excluded.lang, "
                "lang_fixed=excluded.lang_fixed, last_topic=excluded.last_topic, "
                "updated=excluded.updated",
                (user_id, prefs.lang, int(prefs.lang_fixed), prefs.last_topic, time.time()),
            )

    # -- questions and feedback ---------------------------------------------------------

    def record_question(self, user_id: int, text: str, lang: str, outcome: str,
                        topic: str | None, score: float, ts: float | None = None) -> None:
        with self._db() as db:
            db.execute(
                "INSERT INTO questions(user_id, ts, lang, normalized, outcome, topic, score) "
                "VALUES(?,?,?,?,?,?,?)",
                (user_id, ts or time.time(), lang, normalized_text(text), outcome, topic,
                 float(score)),
            )

    def record_feedback(self, user_id: int, topic: str, vote: int) -> None:
        with self._db() as db:
            db.execute("INSERT INTO feedback(user_id, ts, topic, vote) VALUES(?,?,?,?)",
                       (user_id, time.time(), topic, 1 if vote > 0 else -1))

    def forget(self, user_id: int) -> int:
        """Delete every row about the user; return how many were deleted."""
        with self._db() as db:
            n = 0
            for table in ("questions", "feedback", "users"):
                n += db.execute(f"DELETE FROM {table} WHERE user_id=?", (user_id,)).rowcount
        return n

    def rows_about(self, user_id: int) -> int:
        with self._db() as db:
            return sum(
                db.execute(f"SELECT COUNT(*) FROM {t} WHERE user_id=?", (user_id,)).fetchone()[0]
                for t in ("questions", "feedback", "users")
            )

    # -- admin views --------------------------------------------------------------------

    def stats(self, now: float | None = None) -> Stats:
        now = now or time.time()
        day = now - 86400
        week = now - 7 * 86400
        with self._db() as db:
            today = db.execute("SELECT COUNT(*) FROM questions WHERE ts>=?", (day,)).fetchone()[0]
            wk = db.execute("SELECT COUNT(*) FROM questions WHERE ts>=?", (week,)).fetchone()[0]
            answered = db.execute("SELECT COUNT(*) FROM questions WHERE ts>=? AND "
                                  "outcome='answer'", (week,)).fetchone()[0]
            top = db.execute("SELECT topic, COUNT(*) c FROM questions WHERE ts>=? AND topic IS "
                             "NOT NULL GROUP BY topic ORDER BY c DESC, topic LIMIT 5",
                             (week,)).fetchall()
            up = db.execute("SELECT COUNT(*) FROM feedback WHERE vote>0").fetchone()[0]
            down = db.execute("SELECT COUNT(*) FROM feedback WHERE vote<0").fetchone()[0]
            langs = db.execute("SELECT lang, COUNT(*) FROM questions WHERE ts>=? GROUP BY lang",
                               (week,)).fetchall()
        return Stats(today, wk, answered / wk if wk else 0.0, [(t, c) for t, c in top],
                     up, down, {lang: c for lang, c in langs})

    def unanswered(self, limit: int = 15) -> list[tuple[str, int, str]]:
        """(normalized question, times asked, last outcome), newest first."""
        with self._db() as db:
            rows = db.execute(
                "SELECT normalized, COUNT(*), MAX(ts) m, "
                "(SELECT outcome FROM questions q2 WHERE q2.normalized=q.normalized "
                " ORDER BY ts DESC LIMIT 1) "
                "FROM questions q WHERE outcome IN ('none','suggest') "
                "GROUP BY normalized ORDER BY m DESC LIMIT ?", (limit,)).fetchall()
        return [(r[0], r[1], r[3]) for r in rows]

    def top_topics(self, limit: int = 10) -> list[str]:
        with self._db() as db:
            rows = db.execute("SELECT topic FROM questions WHERE topic IS NOT NULL "
                              "GROUP BY topic ORDER BY COUNT(*) DESC LIMIT ?", (limit,)).fetchall()
        return [r[0] for r in rows]
