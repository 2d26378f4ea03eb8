"""Secrets out of text that leaves the process (admin notices in Telegram, problems
printed by `check`): the bot token, `KEY=value` lines as in a .env file, `password: …`
pairs, and long key-like runs (private keys, API keys). Pure functions.

Used where the text may quote a file's content: a knowledge file that is really a .env
or a key file must not reach a chat.
"""

from __future__ import annotations

import re

HIDDEN = "<hidden>"
TOKEN_RE = re.compile(r"\d{3,20}:[A-Za-z0-9_-]{30,100}")  # BotFather's token format
_ASSIGNMENT_RE = re.compile(r"""\b([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*=[ \t]*("[^"\n]*"|'[^'\n]*'|[^\s'"]+)""")
_SECRET_PAIR_RE = re.compile(
    r"""(?i)\b([\w.-]*(?:secret|token|passw(?:or)?d|passwd|pwd|api[_-]?key|private[_-]?key|"""
    r"""auth|credential)[\w.-]*)[ \t]*:[ \t]*("[^"\n]*"|'[^'\n]*'|[^\s'"]+)""")
_KEYLIKE_RE = re.compile(r"[A-Za-z0-9+/_=-]{24,}")  # base64 keys, hex digests, API keys
MAX_EXCERPT = 60


def redact_secrets(text: str) -> str:
    """`text` with anything that looks like a secret replaced by <hidden> (the name of a
    `KEY=value` stays, so an admin still sees what the line was)."""
    text = TOKEN_RE.sub(HIDDEN, text)
    text = _ASSIGNMENT_RE.sub(lambda m: f"{m[1]}={HIDDEN}", text)
    text = _SECRET_PAIR_RE.sub(lambda m: f"{m[1]}: {HIDDEN}", text)
    return _KEYLIKE_RE.sub(HIDDEN, text)


def excerpt(value: object, limit: int = MAX_EXCERPT) -> str:
    """A short, quoted, secret-free rendering of a value found in a file, for a message:
    at most `limit` characters of it, on one line."""
    text = value if isinstance(value, str) else repr(value)
    flat = " ".join(redact_secrets(text).split())
    if len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "…"
    return f"'{flat}'" if isinstance(value, str) else flat
