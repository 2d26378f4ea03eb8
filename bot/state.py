"""The knowledge base and matcher currently served, swapped whole on reload.

Readers take `state.current` once per update and use that pair to the end, so a reload
in the middle of an answer never mixes two knowledge bases.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from .knowledge.errors import KnowledgeInvalid, Problem
from .knowledge.loader import load_knowledge
from .knowledge.model import KnowledgeBase
from .matcher.decide import Matcher

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Served:
    kb: KnowledgeBase
    matcher: Matcher


def fingerprint(directory: Path) -> bytes | None:
    """What a load of `directory` would read, in 16 bytes: every entry's name and, for a
    regular file, its bytes (for anything else its kind and change time, which the loader
    judges). None when the directory cannot be read."""
    h = hashlib.blake2b(digest_size=16)
    try:
        for entry in sorted(Path(directory).iterdir()):
            h.update(entry.name.encode("utf-8", "surrogateescape") + b"\0")
            if entry.is_file() and not entry.is_symlink():
                h.update(entry.read_bytes())
            else:
                st = entry.lstat()
                h.update(f"{st.st_mode}:{st.st_mtime_ns}".encode())
            h.update(b"\0")
    except OSError:
        return None
    return h.digest()


class KnowledgeState:
    """Holds what is served; `reload()` replaces it only with a valid knowledge base."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._seen = fingerprint(self.directory)
        kb = load_knowledge(self.directory)  # the first load must succeed: nothing to keep
        self.current = Served(kb, Matcher(kb))
        self._lock = threading.Lock()

    def reload(self, if_changed: bool = False) -> list[Problem]:
        """Load and validate; swap in on success, keep serving the old one on failure.
        With `if_changed` (the file watcher), nothing is done when the files are what the
        last load read: a save that changed nothing, or learning's own write, which learning
        has reloaded already (retraining twice cost a second of CPU each time)."""
        with self._lock:
            seen = fingerprint(self.directory)
            if if_changed and seen is not None and seen == self._seen:
                log.debug("knowledge unchanged since the last load: not reloaded")
                return []
            self._seen = seen
            try:
                kb = load_knowledge(self.directory)
                served = Served(kb, Matcher(kb))
            except KnowledgeInvalid as exc:
                for p in exc.problems:
                    log.error("knowledge reload rejected: %s", p)
                return exc.problems
            except Exception as exc:  # never let a reload take the bot down
                log.exception("knowledge reload failed")
                return [Problem(str(self.directory), 0, f"unexpected error: {exc}")]
            self.current = served
            log.info("knowledge reloaded: %d topics", len(kb.topics))
            return []
