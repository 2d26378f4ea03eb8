"""The knowledge base and matcher currently served, swapped whole on reload.

Readers take `state.current` once per update and use that pair to the end, so a reload
in the middle of an answer never mixes two knowledge bases.
"""

from __future__ import annotations

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


class KnowledgeState:
    """Holds what is served; `reload()` replaces it only with a valid knowledge base."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        kb = load_knowledge(self.directory)  # the first load must succeed: nothing to keep
        self.current = Served(kb, Matcher(kb))
        self._lock = threading.Lock()

    def reload(self) -> list[Problem]:
        """Load and validate; swap in on success, keep serving the old one on failure."""
        with self._lock:
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
