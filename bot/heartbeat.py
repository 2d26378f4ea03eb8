"""The heartbeat file the Docker HEALTHCHECK reads: touched while the bot takes updates.

It lives in the data directory; when that cannot be written (a read-only volume, a full
disk) the bot still answers, so the beat goes to a fallback file in the temporary
directory instead, named after the data directory so the health check finds it. Either
problem is logged once, not at every beat; the way back is logged once too.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
import time
from pathlib import Path

log = logging.getLogger(__name__)


def fallback_for(primary: Path) -> Path:
    key = hashlib.sha256(str(primary.resolve()).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"account-manager-bot-{key}.heartbeat"


def age(primary: Path, now: float | None = None) -> float | None:
    """Seconds since the newest beat in either place; None if there is none."""
    times = []
    for path in (primary, fallback_for(primary)):
        with contextlib.suppress(OSError):
            times.append(path.stat().st_mtime)
    if not times:
        return None
    return (time.time() if now is None else now) - max(times)


class Heartbeat:
    def __init__(self, primary: Path) -> None:
        self.primary = primary
        self.fallback = fallback_for(primary)
        self.where: Path | None = None  # where the last beat went
        self._beaten = False

    def _write(self, path: Path, now: float) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_text(f"{now:.0f}\n")
        tmp.replace(path)

    def beat(self, now: float | None = None) -> bool:
        """Write a beat where it can go; True if it was written."""
        now = time.time() if now is None else now
        errors: list[str] = []
        for path in (self.primary, self.fallback):
            try:
                self._write(path, now)
            except OSError as exc:
                errors.append(f"{path.parent}: {exc.strerror or exc}")
                continue
            self._moved(path, errors)
            return True
        self._moved(None, errors)
        return False

    def _moved(self, where: Path | None, errors: list[str]) -> None:
        """Log a change of place once (the first beat in the data directory says nothing)."""
        if self._beaten and where == self.where:
            return
        if where == self.fallback:
            log.warning("the data directory %s cannot be written (%s): questions and votes "
                        "are not stored, and the heartbeat goes to %s until it can",
                        self.primary.parent, errors[0], self.fallback)
        elif where is None:
            log.error("heartbeat not written (%s); the health check will report unhealthy",
                      "; ".join(errors))
        elif self._beaten:
            log.warning("the data directory %s can be written again; the heartbeat is back "
                        "there", self.primary.parent)
        if where == self.primary:
            self.fallback.unlink(missing_ok=True)
        self.where, self._beaten = where, True
