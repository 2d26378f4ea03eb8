"""Bad input to the small tools: one line per problem in plain words (file:line where there
is one), a non-zero exit, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.processes import REPO, clean_env

pytestmark = pytest.mark.slow  # each test starts `python -m bot`



def run(*args: str, env: dict[str, str] | None = None,
        module: str = "bot") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", module, *args], cwd=REPO,
                          env=clean_env(**(env or {})), capture_output=True, text=True,
                          encoding="utf-8", timeout=60, check=False)


def error_lines(res: subprocess.CompletedProcess[str]) -> list[str]:
    assert "Traceback" not in res.stderr + res.stdout, res.stderr
    lines = res.stderr.strip().splitlines()
    assert lines and all(line.startswith("error: ") for line in lines), res.stderr
    return lines


# -- eval ----------------------------------------------------------------------------------


def test_eval_of_a_file_that_is_not_yaml_names_the_line() -> None:
    res = run("eval", "README.md")
    assert res.returncode == 2
    (line,) = error_lines(res)
    assert line.startswith("error: README.md:")


def test_eval_of_a_knowledge_file_says_it_is_not_an_evaluation_set() -> None:
    res = run("eval", "knowledge/role.yaml")
    assert res.returncode == 2
    assert error_lines(res) == [
        "error: knowledge/role.yaml:1: this is not an evaluation set: expected a YAML list of "
        "cases like '- q: ...' with 'expect' and 'lang' (see shared/eval/README.md)"]


def test_an_empty_evaluation_set_is_an_error(tmp_path: Path) -> None:
    for text in ("[]\n", "# nothing yet\n"):
        empty = tmp_path / "empty.yaml"
        empty.write_text(text)
        res = run("eval", str(empty))
        assert res.returncode == 2, res.stdout
        (line,) = error_lines(res)
        assert line.startswith(f"error: {empty}:1: ")
        assert "100.0%" not in res.stdout


def test_eval_flags_unknown_topics_keys_and_languages(tmp_path: Path) -> None:
    path = tmp_path / "set.yaml"
    path.write_text(
        '- q: "kāda ir alga?"\n'        # 1
        "  expect: salary.overveiw\n"   # 2  a typo of salary.overview
        "  lang: lv\n"                  # 3
        '- q: "обязанности"\n'          # 4
        "  expected: duties.general\n"  # 5  a typo of expect (the case would count as refused)
        "  lang: ru\n"                  # 6
        '- q: "cv"\n'                   # 7
        "  expect: [candidate.cv, nope.nothing]\n"  # 8
        "  lang: en\n",                 # 9
        encoding="utf-8")
    res = run("eval", str(path))
    assert res.returncode == 2
    lines = error_lines(res)
    assert f"error: {path}:2: expect: there is no topic 'salary.overveiw' in the knowledge base " \
           "— did you mean 'salary.overview'?" in lines
    assert any(x.startswith(f"error: {path}:5: unknown key 'expected' — did you mean 'expect'?")
               for x in lines)
    assert any(x.startswith(f"error: {path}:4: 'expect' is missing") for x in lines)
    assert any(x.startswith(f"error: {path}:8: expect: there is no topic 'nope.nothing'")
               for x in lines)
    assert any(x.startswith(f"error: {path}:9: 'lang' must be lv or ru") for x in lines)
    assert res.stdout == ""  # nothing was evaluated


@pytest.mark.parametrize("value", ["95", "-0.1", "1.5"])
def test_min_accuracy_is_a_fraction(value: str) -> None:
    res = run("eval", "benchmarks/heldout/lv.yaml", "--min-accuracy", value)
    assert res.returncode == 2
    assert error_lines(res) == [f"error: --min-accuracy is a fraction between 0 and 1 "
                                f"(0.95 means 95 %), got {float(value):g}"]


# -- links ---------------------------------------------------------------------------------


def test_links_take_the_username_with_or_without_at() -> None:
    res = run("links", "--username", "@MyBot")
    assert res.returncode == 0, res.stderr
    first = res.stdout.splitlines()[0].split("\t")[1]
    assert first.startswith("https://t.me/MyBot?start=")


@pytest.mark.parametrize("username", ["My Bot", "MyBot?x=1", "ab", "NotABotName"])
def test_links_refuse_what_cannot_be_a_bot_username(username: str) -> None:
    res = run("links", "--username", username)
    assert res.returncode == 2 and res.stdout == ""
    (line,) = error_lines(res)
    assert "is not a bot username" in line


def test_links_need_a_username() -> None:
    res = run("links")
    assert res.returncode == 2 and res.stdout == ""
    assert error_lines(res) == [
        "error: links need the bot's username: give --username or set BOT_USERNAME"]
    assert run("links", env={"BOT_USERNAME": "EnvBot"}).stdout.startswith("role.definition\t"
                                                                          "https://t.me/EnvBot?")


# -- settings the tools do not use -----------------------------------------------------------


@pytest.mark.parametrize("command", [["ask", "alga"], ["check"], ["links", "--username", "ExampleBot"],
                                     ["eval", "benchmarks/heldout/lv.yaml"]],
                         ids=["ask", "check", "links", "eval"])
def test_a_bad_admin_ids_does_not_stop_the_tools(command: list[str]) -> None:
    res = run(*command, env={"ADMIN_IDS": "abc", "PORT": "x", "TELEGRAM_BOT_TOKEN": "nonsense"})
    assert res.returncode in (0, 1), res.stderr  # eval/check may gate; never a settings error
    assert "ADMIN_IDS" not in res.stderr and res.stdout


def test_the_bot_itself_still_refuses_a_bad_admin_ids() -> None:
    res = run("serve", env={"ADMIN_IDS": "abc", "TELEGRAM_BOT_TOKEN": "123:" + "x" * 35})
    assert res.returncode == 2
    assert error_lines(res) == ["error: ADMIN_IDS must be numeric Telegram user ids (1 to "
                                "4503599627370495) separated by commas, got 'abc'"]


# -- healthcheck -------------------------------------------------------------------------------


@pytest.mark.parametrize("argument", ["abc", "-5", "0", "nan"])
def test_healthcheck_bad_argument_is_one_line(argument: str, tmp_path: Path) -> None:
    res = run(argument, module="bot.healthcheck", env={"DATA_DIR": str(tmp_path)})
    assert res.returncode == 1  # Docker knows 0 (healthy) and 1 (unhealthy) only
    assert "Traceback" not in res.stderr
    assert res.stdout.startswith("unhealthy: usage: python -m bot.healthcheck [max_age_seconds]")
    assert len(res.stdout.strip().splitlines()) == 1
