"""The terminal chat (`python -m bot` without a token) as a person uses it: at a real
terminal (a pseudo-terminal here) with line editing, and with piped input."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time

import pytest

from bot.i18n import gettext_for
from bot.knowledge.model import KnowledgeBase
from bot.replies import ENGLISH_NOTE, terminal_help_reply
from tests.processes import REPO, clean_env

pytestmark = pytest.mark.slow  # starts `python -m bot` on a pseudo-terminal

LV_BANK = "Kas ietilpst bankas klientu menedžera ikdienas darbā?"
RU_CV = "Как правильно составить резюме аккаунт-менеджеру?"


def env() -> dict[str, str]:
    return clean_env(TERM="xterm")


def chat(stdin: str) -> str:
    res = subprocess.run([sys.executable, "-m", "bot"], cwd=REPO, input=stdin, env=env(),
                         capture_output=True, text=True, encoding="utf-8", timeout=60,
                         check=False)
    assert res.returncode == 0, res.stderr
    return res.stdout


class Terminal:
    """`python -m bot` on a pseudo-terminal: keys in, screen text out."""

    def __init__(self) -> None:
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen([sys.executable, "-m", "bot"], cwd=REPO, env=env(),
                                     stdin=slave, stdout=slave, stderr=slave, close_fds=True)
        os.close(slave)
        self.screen = b""

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def wait_for(self, text: str, timeout: float = 30, since: int = 0) -> bool:
        """True once `text` is on the screen (after its first `since` bytes)."""
        deadline = time.monotonic() + timeout
        while text.encode() not in self.screen[since:] and time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.1)
            if ready:
                try:
                    self.screen += os.read(self.master, 65536)
                except OSError:  # the process has ended
                    break
        return text.encode() in self.screen[since:]

    def prompt(self, since: int = 0) -> None:
        """Wait for the "> " prompt: keys typed before readline has set the terminal up
        would go through the terminal's own line handling (a Ctrl-D there can be lost)."""
        assert self.wait_for("> ", since=since), self.screen
        time.sleep(0.3)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)
        os.close(self.master)


def test_arrow_keys_edit_the_line_at_a_terminal() -> None:
    term = Terminal()
    try:
        term.prompt()
        # "/topcs", two steps left, insert the missing "i": "/topics" with line editing;
        # without it the escape sequences are part of the line and the command is unknown
        term.type("/topcs\x1b[D\x1b[Di\r")
        topics = gettext_for("lv", "Choose a section:")
        assert term.wait_for(topics, 30), term.screen.decode(errors="replace")
        term.prompt(since=term.screen.index(topics.encode()))
        term.type("\x04")  # Ctrl-D ends the chat
        assert term.wait_for(gettext_for("lv", "Goodbye!"), 30)
        assert term.proc.wait(timeout=10) == 0
    finally:
        term.close()
    help_line = terminal_help_reply("lv").text.splitlines()[-1][:30]  # "Komandas: /topics…"
    assert help_line not in term.screen.decode(errors="replace")


def test_piped_output_shows_which_question_each_reply_answers(kb: KnowledgeBase) -> None:
    out = chat(f"{LV_BANK}\n\n{RU_CV}\n")
    lv = out.index(f"> {LV_BANK}\n{kb.topics['duties.bank'].title.lv}\n")
    ru = out.index(f"> {RU_CV}\n{kb.topics['candidate.cv'].title.ru}\n")
    assert lv < ru
    assert out.count("\n> ") == 2  # the blank line is no question


def test_help_lists_only_what_the_terminal_chat_does() -> None:
    out = chat("/help\n/share\n/forget\n")
    help_text = terminal_help_reply("lv").text
    assert out.count(help_text) == 3  # /share and /forget are not pretended to work
    assert "/share" not in help_text and "/forget" not in help_text
    for command in ("/topics", "/salary", "/language"):
        assert command in help_text


def test_english_is_told_that_only_latvian_and_russian_are_spoken() -> None:
    out = chat("What does an account manager do every day?\n")
    assert ENGLISH_NOTE in out
    assert gettext_for("lv", ENGLISH_NOTE) in out or gettext_for("ru", ENGLISH_NOTE) in out
    assert gettext_for("lv", ENGLISH_NOTE) != ENGLISH_NOTE
    out = chat(f"{LV_BANK}\nkā kļūt par account manager?\n")
    assert ENGLISH_NOTE not in out  # the role's English name in a Latvian question is fine
