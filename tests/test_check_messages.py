"""`python -m bot check` in plain words: what an admin typing YAML gets wrong, reported at
the right file and line, and warnings that do not bury the errors."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.knowledge.errors import KnowledgeInvalid, Problem
from bot.knowledge.loader import load_knowledge
from tests.processes import REPO, clean_env

pytestmark = pytest.mark.slow  # `check` cross-validates the models

QUESTION = "        - Ko dara demonstrētājs?\n"  # a line of the small knowledge base (conftest)


def section(small_kb: Callable[..., Path]) -> str:
    return (small_kb() / "demo.yaml").read_text(encoding="utf-8")


def problems(small_kb: Callable[..., Path], files: dict[str, str | bytes]) -> list[Problem]:
    with pytest.raises(KnowledgeInvalid) as exc:
        load_knowledge(small_kb(files), required_topics=())
    return exc.value.problems


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_an_over_indented_line_that_joins_two_questions_is_an_error(small_kb) -> None:
    text = section(small_kb).replace(QUESTION, QUESTION + "          kādi ir viņa pienākumi\n")
    (p,) = problems(small_kb, {"demo.yaml": text})
    assert (p.file, p.line) == ("demo.yaml", line_of(text, QUESTION))
    assert p.message.startswith("question 'Ko dara demonstrētājs? kādi ir viņa pienākumi' "
                                "continues on the next line (over-indented?)")


def test_a_block_of_several_questions_is_an_error(small_kb) -> None:
    text = section(small_kb).replace(
        QUESTION, "        - |\n          Ko dara demonstrētājs?\n          Ko viņš dara?\n")
    (p,) = problems(small_kb, {"demo.yaml": text})
    assert p.line == line_of(text, "        - |")
    assert "is a block ('|') over several lines: write each question on its own '- ' line" \
        in p.message


@pytest.mark.parametrize(
    ("replacement", "found", "says"),
    [
        ("        - no\n", "        - no\n",
         "a yes/no word (yes, no, on, off, true, false) is read by YAML as false, not as text: "
         "put it in quotes"),
        ("        - 2024\n", "        - 2024\n", "2024 is read by YAML as a number"),
        ("        - Kas ir: demonstrētājs?\n", "        - Kas ir",
         "'Kas ir: …' is read by YAML as a key and a value because of the ': ' inside: put "
         "the whole text in quotes"),
    ],
    ids=["yes-no", "number", "colon-key"])
def test_values_yaml_does_not_read_as_text(small_kb, replacement: str, found: str,
                                           says: str) -> None:
    text = section(small_kb).replace(QUESTION, replacement)
    found_problems = problems(small_kb, {"demo.yaml": text})
    assert found_problems, "no problem reported"
    p = found_problems[0]
    assert p.line == line_of(text, found)
    assert says in p.message, p.message
    assert "expected string" not in p.message


@pytest.mark.parametrize(
    ("old", "new", "says"),
    [
        ("      lv: Demonstrētāja pienākumi\n", "      lv: Demonstrētāja: pienākumi\n",
         "a ': ' (colon and space) inside a text: put the whole text in quotes"),
        ("      lv: Demonstrētāja pienākumi\n", "\tlv: Demonstrētāja pienākumi\n",
         "a tab character: indent with spaces only"),
        ("      lv: Demonstrētāja pienākumi\n", '      lv: "Demonstrētāja pienākumi\n',
         "a quote opened here is never closed"),
        ("      ru: Обязанности демонстратора\n", "     ru: Обязанности демонстратора\n",
         "not indented like the lines above it"),
    ],
    ids=["colon", "tab", "quote", "indent"])
def test_syntax_errors_in_plain_words_at_their_line(small_kb, old: str, new: str,
                                                    says: str) -> None:
    text = section(small_kb).replace(old, new, 1)
    (p,) = problems(small_kb, {"demo.yaml": text})
    assert p.line == line_of(text, new), p
    assert says in p.message, p.message
    assert "mapping values" not in p.message and "token" not in p.message


def test_a_utf16_file_is_called_utf16_not_binary(small_kb) -> None:
    text = section(small_kb)
    for data in (text.encode("utf-16-le"), text.encode("utf-16")):  # without and with a BOM
        (p,) = problems(small_kb, {"demo.yaml": data})
        assert (p.file, p.line, p.message) == (
            "demo.yaml", 1, "the file is UTF-16 text: save it as UTF-8")


def test_a_copied_topic_is_blamed_where_the_copy_is(small_kb) -> None:
    """The copy sits in a file that sorts before the original's: the original stays
    unblamed."""
    original = section(small_kb)
    start = original.index("  - id: demo.pay")
    copy = ("section: aaa\ntitle:\n  lv: Cita\n  ru: Другая\ntopics:\n"
            + original[start:original.index("  - id: demo.hello")].replace(
                "Cik nopelna demonstrētājs?", "Cik maksā demonstrētājam?").replace(
                "demonstrētāja alga", "alga demonstrētājam").replace(
                "Сколько зарабатывает демонстратор?", "Какой доход у демонстратора?").replace(
                "зарплата демонстратора", "доход демонстратора"))
    found = problems(small_kb, {"aaa.yaml": copy})
    dup = [p for p in found if "duplicate topic id 'demo.pay'" in p.message]
    assert [(p.file, p.line) for p in dup] == [("aaa.yaml", line_of(copy, "  - id: demo.pay"))]
    assert f"(also at demo.yaml:{line_of(original, '  - id: demo.pay')})" in dup[0].message
    assert not [p for p in found if p.file == "demo.yaml"]


def check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=REPO, env=clean_env(),
                          capture_output=True, text=True, encoding="utf-8", timeout=120,
                          check=False)


def test_warnings_are_counted_and_listed_only_with_verbose() -> None:
    plain = check("check")
    assert plain.returncode == 0, plain.stdout + plain.stderr
    assert not [x for x in plain.stdout.splitlines() if x.startswith("warning ")]
    total = int(plain.stdout.splitlines()[-1].split(", ")[1].split()[0])
    assert total > 0  # the shipped knowledge has some (thin topics…)
    assert f"{total} warnings (" in plain.stdout and "--verbose" in plain.stdout
    verbose = check("check", "--verbose")
    listed = [x for x in verbose.stdout.splitlines() if x.startswith("warning ")]
    assert len(listed) == total


def test_errors_come_before_the_warning_count(tmp_path: Path, kb_dir: Path) -> None:
    import shutil

    d = tmp_path / "knowledge"
    shutil.copytree(kb_dir, d)
    path = d / "duties.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  - id: duties.bank\n    title:\n",
                                 "  - id: duties.bank\n    titel:\n", 1), encoding="utf-8")
    res = check("--knowledge", str(d), "check")
    assert res.returncode == 1
    lines = res.stdout.splitlines()
    assert lines[0].startswith("ERROR duties.yaml:")
    assert lines[-1].startswith("FAILED:")
