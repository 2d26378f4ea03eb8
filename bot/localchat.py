"""A chat in the terminal over the same conversation core, for running without a token."""

from __future__ import annotations

import contextlib
import html
import re
import sys
from collections.abc import Callable
from typing import TextIO

from . import conversation, replies
from .actions import Action, OpenSection, OpenTopic, SetLanguage, ShowMenu
from .i18n import gettext_for
from .replies import Reply
from .state import KnowledgeState

_TAG_RE = re.compile(r"</?b>")


def render(reply: Reply) -> tuple[str, list[Action]]:
    """Plain text of a reply and the actions of its numbered options: browsing and the
    language switch (votes and share links are Telegram's: this chat keeps no data)."""
    text = html.unescape(_TAG_RE.sub("", reply.text))
    actions: list[Action] = []
    lines = [text]
    for row in reply.buttons:
        for b in row:
            if not isinstance(b.action, ShowMenu | OpenSection | OpenTopic | SetLanguage):
                continue
            actions.append(b.action)
            lines.append(f"  {len(actions)}) {b.label}")
    return "\n".join(lines), actions


def _reader(stdin: TextIO, stdout: TextIO) -> Callable[[], str | None]:
    """A function returning the next line (None at the end). At a terminal it is input()
    with readline, so arrow keys, Home/End and history work as in a shell; piped input is
    read as it is."""
    if stdin is sys.stdin and stdout is sys.stdout and stdin.isatty():
        with contextlib.suppress(ImportError):  # a Python built without it: plain input()
            import readline  # noqa: F401 - importing it gives input() line editing

        def read_tty() -> str | None:
            try:
                return input("> ")
            except EOFError:
                return None

        return read_tty

    def read_pipe() -> str | None:
        line = stdin.readline()
        return line if line else None

    return read_pipe


def run(state: KnowledgeState, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    """Read questions line by line until end of input; numbers pick the offered options.
    Piped input is echoed ("> question") before its reply, so a transcript shows what each
    reply answers."""
    lang, fixed = "lv", False
    actions: list[Action] = []

    def show(reply: Reply) -> None:
        nonlocal actions
        text, actions = render(reply)
        stdout.write(text + "\n\n")
        stdout.flush()

    stdout.write("No TELEGRAM_BOT_TOKEN set: chatting here in the terminal. Set "
                 "TELEGRAM_BOT_TOKEN (see README) to run on Telegram. /help for help, "
                 "Ctrl-D to quit.\n\n")
    read = _reader(stdin, stdout)
    echo = not stdin.isatty()
    try:
        while True:
            line = read()
            if line is None:
                break
            text = line.strip()
            if not text:
                continue
            if echo:
                stdout.write(f"> {text}\n")
            served = state.current
            if text.isdigit() and 1 <= int(text) <= len(actions):
                action = actions[int(text) - 1]
                if isinstance(action, SetLanguage):
                    lang, fixed = action.lang, True
                    show(replies.language_set_reply(lang))
                elif isinstance(action, ShowMenu | OpenSection | OpenTopic):
                    show(conversation.act(served, action, lang) or replies.expired_reply(lang))
                continue
            command = text.split()[0].lower() if text.startswith("/") else ""
            if command in ("/start", "/topics"):
                show(replies.start_reply(served.kb, lang) if command == "/start"
                     else replies.topics_reply(served.kb, lang))
            elif command == "/salary":
                show(conversation.salary(served, lang))
            elif command == "/language":
                show(replies.language_reply(lang))
            elif command in ("/quit", "/exit"):
                break
            elif command:  # /help, and what this chat does not have (/share, /forget…)
                show(replies.terminal_help_reply(lang))
            else:
                answered = conversation.ask(served, text, lang, fixed)
                if not fixed:
                    lang = answered.decision.lang
                show(answered.reply)
    except KeyboardInterrupt:
        stdout.write("\n")
    stdout.write(gettext_for(lang, "Goodbye!") + "\n")
    return 0
