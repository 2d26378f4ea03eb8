"""Fixtures for the core tests: the shipped knowledge base and small ones written to tmp_path.

Test modules get everything here through fixtures (tests/telegram has its own conftest.py
for the Telegram adapter; helper modules they import are tests/bot_api.py, the one fake
Bot API, tests/live_telegram.py and tests/telegram/harness.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from bot.knowledge.loader import load_knowledge
from bot.knowledge.model import KnowledgeBase
from bot.matcher.decide import Matcher
from bot.state import KnowledgeState

REPO = Path(__file__).resolve().parents[1]
KNOWLEDGE = REPO / "knowledge"

# A small but complete knowledge base: one section with three topics (one showing the
# computed salary facts) and listings covering every salary shape the schema allows.
SMALL_SECTION = """\
# demo.yaml — a small section written by the tests
section: demo
order: 1
title:
  lv: Demonstrācija
  ru: Демонстрация
topics:
  - id: demo.duties
    title:
      lv: Demonstrētāja pienākumi
      ru: Обязанности демонстратора
    answer:
      lv: |
        Demonstrētājs parāda produktu klientiem un atbild uz viņu jautājumiem.
      ru: |
        Демонстратор показывает продукт клиентам и отвечает на их вопросы.
    questions:
      lv:
        - Ko dara demonstrētājs?
        - demonstrētāja pienākumi
      ru:
        - Что делает демонстратор?
        - обязанности демонстратора
    related: [demo.pay]
  - id: demo.pay
    facts: salary
    title:
      lv: Demonstrētāja alga
      ru: Зарплата демонстратора
    answer:
      lv: Alga ir atkarīga no pārdošanas apjoma.
      ru: Зарплата зависит от объёма продаж.
    questions:
      lv:
        - Cik nopelna demonstrētājs?
        - demonstrētāja alga
      ru:
        - Сколько зарабатывает демонстратор?
        - зарплата демонстратора
  - id: demo.hello
    title:
      lv: Sveiciens
      ru: Приветствие
    answer:
      lv: Sveiki! Jautājiet par demonstrētāja darbu.
      ru: Здравствуйте! Спрашивайте о работе демонстратора.
    questions:
      lv:
        - sveiki
      ru:
        - привет
    related: [demo.duties, demo.pay]
"""

SMALL_VACANCIES = """\
vacancies:
  - id: d01
    salary:
      min: 40000
  - id: d02
    salary:
      max: 90000
  - id: d03
    industry: it
    salary:
      min: 50000
      max: 120000
  - id: d04
    salary:
      negotiable: true
  - id: d05
    requirements:
      lv: Pieredze pārdošanā.
      ru: Опыт продаж.
"""

SMALL_FILES: Mapping[str, str] = {"demo.yaml": SMALL_SECTION, "vacancies.yaml": SMALL_VACANCIES}


@pytest.fixture(scope="session")
def kb_dir() -> Path:
    """The shipped knowledge directory."""
    return KNOWLEDGE


@pytest.fixture(scope="session")
def kb(kb_dir: Path) -> KnowledgeBase:
    return load_knowledge(kb_dir)


@pytest.fixture(scope="session")
def shipped_state(kb_dir: Path) -> KnowledgeState:
    """The shipped knowledge being served, trained once for the whole run; tests that edit
    or reload use a copy (tests/telegram's `knowledge_copy`, `small_kb`)."""
    return KnowledgeState(kb_dir)


@pytest.fixture(scope="session")
def matcher(shipped_state: KnowledgeState) -> Matcher:
    """The shipped knowledge's matcher (the one `shipped_state` trained)."""
    return shipped_state.current.matcher


@pytest.fixture
def small_kb(tmp_path: Path) -> Callable[..., Path]:
    """Factory: write the small knowledge base to a fresh directory under tmp_path.

    `small_kb()` writes demo.yaml and vacancies.yaml; `small_kb({"x.yaml": text})` adds or
    replaces files (str is written as UTF-8, bytes as they are, None leaves a file out).
    Load it with `load_knowledge(path, required_topics=())`.
    """
    counter = 0

    def make(files: Mapping[str, str | bytes | None] | None = None) -> Path:
        nonlocal counter
        counter += 1
        directory = tmp_path / f"kb{counter}"
        directory.mkdir()
        for name, content in {**SMALL_FILES, **(files or {})}.items():
            if content is None:
                continue
            if isinstance(content, bytes):
                (directory / name).write_bytes(content)
            else:
                (directory / name).write_text(content, encoding="utf-8")
        return directory

    return make


@pytest.fixture
def secure_delete_off_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every SQLite connection starts with secure_delete OFF, as in SQLite's standard build
    (this machine's library is compiled with it on, which would hide a missing PRAGMA)."""
    import sqlite3

    real = sqlite3.connect

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = real(*args, **kwargs)
        conn.execute("PRAGMA secure_delete=OFF")
        return conn

    monkeypatch.setattr(sqlite3, "connect", connect)
