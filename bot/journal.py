"""The update journal: every update from Telegram is written here before Telegram is told
it arrived, and crossed off when it has been answered, so a crash (kill -9, power cut of
the container) loses no question and a restart answers none twice.

Its own SQLite file (`updates.sqlite3` beside the bot's database), written through its
own `Writer` thread. What it keeps: an update not yet answered, in full (its JSON, which
holds the user's text), until it is answered or skipped; after that only its id and the
time, for a day, to recognise an update Telegram sends again. Plain SQLite, no Telegram.

An update's life: `admit` (new ids only; an id seen before is a duplicate) →
`mark_replied` when Telegram has accepted its first reply → `finish`. On start,
`take_unfinished` hands back what was admitted but not finished: answered again unless a
reply of it had reached Telegram or it is older than the maximum age (then crossed off).

So a kill -9 loses no question. What it can do is answer one twice: a reply that
reached Telegram in the last moment before the kill, before `mark_replied` was written
(the same uncertainty as a send that timed out — it may have been delivered). The crash
test measures how often: tests/test_crash_recovery.py.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass

from .storage import SQLiteFile

_SCHEMA = """
CREATE TABLE IF NOT EXISTS pending (
    update_id INTEGER PRIMARY KEY,
    received REAL NOT NULL,
    payload TEXT NOT NULL,
    replied INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS done (
    update_id INTEGER PRIMARY KEY,
    finished REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS done_finished ON done(finished);
"""
KEEP_DONE = 86_400.0  # Telegram keeps an undelivered update for 24 hours


@dataclass(frozen=True, slots=True)
class Unfinished:
    """What the previous run left: updates to answer now, and what was crossed off."""

    replay: list[tuple[int, str]]  # (update_id, JSON), oldest first
    expired: int  # older than the maximum age
    replied: int  # a reply had reached Telegram when the bot stopped


class UpdateJournal(SQLiteFile):
    SCHEMA = _SCHEMA
    NAMES = ("pending", "done", "done_finished")

    def admit(self, batch: list[tuple[int, str]], now: float | None = None, *,
              db: sqlite3.Connection | None = None) -> list[int]:
        """Record new updates; return the ids that were new (not pending, not done)."""
        now = time.time() if now is None else now
        new: list[int] = []
        with self._use(db) as db:
            for update_id, payload in batch:
                known = db.execute(
                    "SELECT 1 FROM pending WHERE update_id=? UNION ALL "
                    "SELECT 1 FROM done WHERE update_id=?", (update_id, update_id)).fetchone()
                if known is None:
                    db.execute("INSERT INTO pending(update_id, received, payload) VALUES(?,?,?)",
                               (update_id, now, payload))
                    new.append(update_id)
        return new

    def mark_replied(self, update_id: int, *, db: sqlite3.Connection | None = None) -> None:
        with self._use(db) as db:
            db.execute("UPDATE pending SET replied=1 WHERE update_id=?", (update_id,))

    def finish(self, update_id: int, now: float | None = None, *,
               db: sqlite3.Connection | None = None) -> None:
        """Answered (or nothing to answer): forget its content, remember its id."""
        with self._use(db) as db:
            db.execute("DELETE FROM pending WHERE update_id=?", (update_id,))
            db.execute("INSERT OR REPLACE INTO done(update_id, finished) VALUES(?,?)",
                       (update_id, time.time() if now is None else now))

    def take_unfinished(self, max_age: float, now: float | None = None, *,
                        db: sqlite3.Connection | None = None) -> Unfinished:
        """What the last run did not finish; too old or already answered ones are crossed
        off. Ids finished more than KEEP_DONE ago are forgotten."""
        now = time.time() if now is None else now
        replay: list[tuple[int, str]] = []
        expired = replied = 0
        with self._use(db) as db:
            rows = db.execute("SELECT update_id, received, payload, replied FROM pending "
                              "ORDER BY update_id").fetchall()
            for update_id, received, payload, was_replied in rows:
                if was_replied:
                    replied += 1
                elif now - received > max_age:
                    expired += 1
                else:
                    replay.append((update_id, payload))
                    continue
                self.finish(update_id, now, db=db)
            db.execute("DELETE FROM done WHERE finished < ?", (now - KEEP_DONE,))
        return Unfinished(replay, expired, replied)

    def prune(self, now: float | None = None, *, db: sqlite3.Connection | None = None) -> None:
        with self._use(db) as db:
            db.execute("DELETE FROM done WHERE finished < ?",
                       ((time.time() if now is None else now) - KEEP_DONE,))

    def counts(self) -> dict[str, int]:
        """Rows per table (tests and the crash test's report)."""
        with self._db() as db:
            return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                    for t in ("pending", "done")}
