"""Reload the served knowledge base when one of its files changes.

watchfiles' blocking `watch` runs in a daemon thread of its own, with a stop event it checks
every `step` ms: `stop()` ends it at once, and a daemon thread can never hold the process
open at exit. (`awatch` runs the same call in an AnyIO worker thread, which is not a daemon
and, once the event loop has stopped, waits idle forever: the bot never exited on SIGTERM.)
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from .knowledge.errors import Problem
from .state import KnowledgeState

log = logging.getLogger(__name__)


class KnowledgeWatcher:
    """Watches `state.directory`; on a change reloads it and hands any problems (the edit
    was rejected, the old knowledge base stays) to `on_problems`, from the watcher thread."""

    def __init__(self, state: KnowledgeState, on_problems: Callable[[list[Problem]], None],
                 debounce_ms: int = 800, step_ms: int = 200) -> None:
        self.state = state
        self.on_problems = on_problems
        self.debounce_ms, self.step_ms = debounce_ms, step_ms
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="knowledge-watcher", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 1.0) -> None:
        """Stop watching; returns within `timeout` whatever the thread is doing."""
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        from watchfiles import watch

        try:
            for _changes in watch(self.state.directory, debounce=self.debounce_ms,
                                  step=self.step_ms, stop_event=self._stop):
                if self._stop.is_set():
                    break
                problems = self.state.reload(if_changed=True)
                if problems:
                    self.on_problems(problems)
        except Exception as exc:  # a vanished directory, an inotify limit…: keep serving
            log.error("knowledge watcher stopped: %s", exc)
