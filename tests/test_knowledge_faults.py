"""A bad edit to the knowledge files while the bot runs: `KnowledgeState.reload()` rejects
it with problems naming the file, the line and what is wrong, and the previous knowledge
base keeps answering. Each case works on a temporary copy of knowledge/.

Also: only safe YAML loading is used anywhere in the bot.
"""

from __future__ import annotations

import logging
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot import conversation
from bot.knowledge.errors import Problem
from bot.replies import Reply
from bot.state import KnowledgeState, Served

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "Ko dara bankas klientu menedžeris?"
ANSWER_START = "<b>Konta pārvaldnieks bankā</b>"
PROBLEM_RE = re.compile(r"^(?P<file>[\w.-]+\.ya?ml):(?P<line>\d+): (?P<message>\S.*)$", re.S)


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", target)
    return target


Fault = tuple[str, tuple[int, ...], str]  # file, acceptable lines (() = any), words


def _broken_yaml(d: Path) -> Fault:
    path = d / "duties.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    i = next(n for n, line in enumerate(lines) if "lv: Konta pārvaldnieks bankā" in line)
    lines[i] = "      lv: [Konta pārvaldnieks bankā\n"
    path.write_text("".join(lines), encoding="utf-8")
    return "duties.yaml", (i + 1, i + 2), "a [list] is not closed"  # PyYAML may see it late


def _deleted(d: Path) -> Fault:
    (d / "duties.yaml").unlink()
    return "duties.yaml", (), "is required"


def _half_written(d: Path) -> Fault:
    """Writing stopped in the middle of a line: the last topic's Latvian questions are
    cut short and its Russian ones are not there yet. (A cut that leaves valid YAML with
    every required part cannot be told from a shorter file; the watcher's debounce waits
    for writing to end.)"""
    path = d / "career.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    questions = max(i for i, line in enumerate(lines) if line.strip() == "questions:")
    ru = next(i for i in range(questions, len(lines)) if lines[i].strip() == "ru:")
    last_lv = lines[ru - 1]
    path.write_text("".join(lines[: ru - 1]) + last_lv[: len(last_lv) // 2], encoding="utf-8")
    return "career.yaml", (questions + 1,), "the Russian (ru) text is missing"


def _cut_inside_a_letter(d: Path) -> Fault:
    """Writing stopped in the middle of a two-byte UTF-8 letter (ā, ж…)."""
    path = d / "salary.yaml"
    raw = path.read_bytes()
    cut = next(i for i in range(len(raw) // 2, len(raw)) if raw[i] >= 0xC0) + 1
    path.write_bytes(raw[:cut])
    return "salary.yaml", (raw[:cut].count(b"\n") + 1,), "not UTF-8"


def _ten_megabytes(d: Path) -> Fault:
    path = d / "role.yaml"
    head = path.read_text(encoding="utf-8")
    path.write_text(head + "\n# " + "x" * (10 * 1024 * 1024) + "\n", encoding="utf-8")
    return "role.yaml", (1,), "too large"


def _alias_bomb(d: Path) -> Fault:
    """Billion laughs: nine levels of ten aliases each would build 10⁹ strings."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        refs = ",".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    (d / "laughs.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return "laughs.yaml", (2,), "aliases"


def _alias_bomb_in_a_section(d: Path) -> Fault:
    path = d / "career.yaml"
    text = path.read_text(encoding="utf-8")
    bomb = "\nlaughs: &l [x, x, x, x, x, x, x, x]\nmore: [*l, *l, *l, *l, *l, *l, *l, *l]\n"
    path.write_text(text + bomb, encoding="utf-8")
    return "career.yaml", (text.count("\n") + 3,), "aliases"


def _nesting_bomb(d: Path) -> Fault:
    (d / "deep.yaml").write_text("x: " + "[" * 200_000 + "]" * 200_000 + "\n")
    return "deep.yaml", (1,), "nested deeper"


def _not_utf8(d: Path) -> Fault:
    """Saved by an editor in the Windows Baltic code page."""
    path = d / "candidate.yaml"
    text = path.read_text(encoding="utf-8")
    first = next(i for i, ch in enumerate(text) if ord(ch) > 127 and ch.encode("cp1257",
                                                                             "ignore"))
    data = text.encode("cp1257", errors="replace")
    path.write_bytes(data)
    return "candidate.yaml", (text[:first].count("\n") + 1,), "not UTF-8"


def _nul_byte(d: Path) -> Fault:
    path = d / "role.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\n", "\n\x00", 3).replace("\n\x00", "\n", 2),
                    encoding="utf-8")
    return "role.yaml", (4,), "NUL"


def _emptied(d: Path) -> Fault:
    (d / "duties.yaml").write_text("", encoding="utf-8")
    return "duties.yaml", (1,), "empty"


FAULTS: dict[str, Callable[[Path], Fault]] = {
    "broken-yaml": _broken_yaml,
    "file-deleted": _deleted,
    "half-written": _half_written,
    "cut-inside-a-letter": _cut_inside_a_letter,
    "10-megabytes": _ten_megabytes,
    "alias-bomb": _alias_bomb,
    "alias-bomb-in-a-section": _alias_bomb_in_a_section,
    "nesting-bomb": _nesting_bomb,
    "not-utf8": _not_utf8,
    "nul-byte": _nul_byte,
    "emptied": _emptied,
}


@dataclass
class Live:
    """One copy of knowledge/ and its state, shared: a rejected reload changes nothing."""

    directory: Path
    state: KnowledgeState
    served: Served
    before: Reply
    files: dict[str, bytes]

    def restore(self) -> None:
        for p in self.directory.iterdir():
            if p.name not in self.files:
                p.unlink()
        for name, data in self.files.items():
            (self.directory / name).write_bytes(data)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Live:
    directory = tmp_path_factory.mktemp("kb") / "knowledge"
    shutil.copytree(ROOT / "knowledge", directory)
    state = KnowledgeState(directory)
    before = conversation.ask(state.current, QUESTION, "lv").reply
    assert before.text.startswith(ANSWER_START)
    return Live(directory, state, state.current, before,
                {p.name: p.read_bytes() for p in directory.iterdir()})


@pytest.mark.parametrize("fault", list(FAULTS), ids=list(FAULTS))
def test_bad_edit_is_rejected_and_the_old_knowledge_keeps_serving(
        live: Live, fault: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR)
    try:
        file, lines, words = FAULTS[fault](live.directory)
        started = time.monotonic()
        problems = live.state.reload()
        assert time.monotonic() - started < 5  # bombs are refused, not expanded
    finally:
        live.restore()

    assert problems, "the bad edit was accepted"
    for p in problems:
        assert isinstance(p, Problem)
        m = PROBLEM_RE.match(str(p))
        assert m, f"not 'file:line: problem': {p}"
        assert int(m["line"]) >= 1
    mine = [p for p in problems if p.file == file]
    assert mine, f"no problem names {file}: {problems}"
    if lines:
        assert any(p.line in lines for p in mine), (lines, mine)
    if words:
        assert any(words in p.message for p in mine), mine
    assert "unexpected error" not in " ".join(p.message for p in problems)
    # reported in the log, file and line included, without a traceback
    assert any(f"knowledge reload rejected: {file}:" in r.getMessage() for r in caplog.records)
    assert not any(r.exc_info for r in caplog.records)

    # the previous knowledge base is still served, whole
    assert live.state.current is live.served
    assert conversation.ask(live.state.current, QUESTION, "lv").reply == live.before


@pytest.mark.slow
def test_fixed_files_are_served_at_the_next_reload(kb_copy: Path) -> None:
    state = KnowledgeState(kb_copy)
    served = state.current
    before = conversation.ask(served, QUESTION, "lv").reply
    original = (kb_copy / "duties.yaml").read_bytes()
    _broken_yaml(kb_copy)
    assert state.reload() and state.current is served
    (kb_copy / "duties.yaml").write_bytes(original)
    assert state.reload() == []
    assert state.current is not served
    assert conversation.ask(state.current, QUESTION, "lv").reply.text == before.text


UNSAFE_YAML = re.compile(
    r"yaml\.(load|load_all|full_load|full_load_all|unsafe_load|unsafe_load_all)\s*\("
    r"|\b(Unsafe|Full)Loader\b|yaml\.Loader\b|yaml\.(Unsafe|Full)?Constructor\b"
    r"|Loader\s*=\s*(yaml\.)?Loader\b")


def test_only_safe_yaml_loading_is_used() -> None:
    """A lint over the source; test_knowledge_reading.py loads `!!python/...` tags and
    checks they are refused and never run."""
    sources = sorted((ROOT / "bot").rglob("*.py"))
    assert sources
    offenders = [f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
                 for path in sources
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if UNSAFE_YAML.search(line)]
    assert offenders == []
    # and the YAML that is read goes through the safe loaders
    users = [p for p in sources if "import yaml" in p.read_text(encoding="utf-8")]
    assert users
    for path in users:
        text = path.read_text(encoding="utf-8")
        assert "safe_load" in text or "SafeLoader" in text, path


def test_unsafe_patterns_are_recognised() -> None:
    """The scan above would catch each unsafe way of loading YAML."""
    for line in ["yaml.load(text)", "yaml.load(f, Loader=yaml.Loader)", "yaml.full_load(s)",
                 "yaml.unsafe_load(s)", "yaml.load_all(s, Loader=yaml.FullLoader)",
                 "class L(yaml.UnsafeLoader): ...", "from yaml import Loader; "
                 "yaml.compose(t, Loader=Loader)"]:
        assert UNSAFE_YAML.search(line), line
    for line in ["yaml.safe_load(text)", "yaml.compose(text, Loader=_NoAliasLoader)",
                 "class _NoAliasLoader(yaml.SafeLoader):"]:
        assert not UNSAFE_YAML.search(line), line
