"""The running bot follows the knowledge folder: an admin's save is served within a second
or two, a broken one is reported and the old knowledge base kept, and a save that changes
nothing retrains nothing — the real watcher thread (watchfiles) on a copy of the shipped
knowledge base."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.knowledge.errors import Problem
from bot.state import KnowledgeState
from bot.watcher import KnowledgeWatcher
from tests.conftest import KNOWLEDGE

NEW_QUESTION = "Vai konta pārvaldnieks strādā arī sestdienās un svētdienās?"  # written here


def wait_for(condition: Callable[[], bool], seconds: float = 15.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.slow  # trains the matcher three times and waits for file events
def test_the_watcher_serves_a_save_reports_a_broken_one_and_skips_a_no_op(tmp_path: Path) -> None:
    kdir = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, kdir)
    state = KnowledgeState(kdir)
    reported: list[list[Problem]] = []
    got = threading.Event()

    def on_problems(problems: list[Problem]) -> None:
        reported.append(problems)
        got.set()

    watcher = KnowledgeWatcher(state, on_problems, debounce_ms=200, step_ms=50)
    watcher.start()
    try:
        time.sleep(0.5)  # the watch is set up
        served = state.current
        # a save of the same bytes: no reload (and no second of training)
        path = kdir / "career.yaml"
        path.write_bytes(path.read_bytes())
        time.sleep(1.5)
        assert state.current is served
        # an admin adds a question to a topic: served without a restart
        text = path.read_text(encoding="utf-8")
        anchor = "  - id: career.cons\n"
        assert anchor in text
        head, tail = text.split(anchor, 1)
        lv = tail.index("      lv:\n", tail.index("questions:")) + len("      lv:\n")
        path.write_text(head + anchor + tail[:lv] + f'        - "{NEW_QUESTION}"\n' + tail[lv:],
                        encoding="utf-8")
        assert wait_for(lambda: state.current is not served)
        assert NEW_QUESTION in state.current.kb.topics["career.cons"].questions["lv"]
        assert reported == []
        # a broken save: reported with its file, the last good knowledge base kept
        good = state.current
        (kdir / "duties.yaml").write_text("section: [unclosed\n", encoding="utf-8")
        assert got.wait(15)
        assert reported[0][0].file == "duties.yaml"
        assert state.current is good
    finally:
        watcher.stop()
    assert not watcher.running
