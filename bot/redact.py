"""Secrets out of text that leaves the process.

- `redact_secrets`: admin notices in Telegram and problems printed by `check` — the bot
  token, `KEY=value` lines as in a .env file, `password: …` pairs, and long key-like runs
  (private keys, API keys). Used where the text may quote a file's content: a knowledge
  file that is really a .env or a key file must not reach a chat.
- `redact_token` and `install_log_redaction`: the bot token out of every log record
  (httpx logs request URLs; network errors quote them).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

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


# -- the token in logs ----------------------------------------------------------------

TOKEN_MARK = "<token>"
_tokens: set[str] = set()


def redact_token(text: str) -> str:
    """`text` without the bot token (the configured one, and anything shaped like one)."""
    for token in _tokens:
        text = text.replace(token, TOKEN_MARK)
    return TOKEN_RE.sub(TOKEN_MARK, text)


def _redacting_factory(factory: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        try:
            msg = record.getMessage()
        except Exception:  # a malformed call; the handler will report it
            return record
        clean = redact_token(msg)
        if clean != msg:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            # the traceback carries exception messages (URLs…): format it now, redacted
            record.exc_text = redact_token(logging.Formatter().formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = redact_token(record.stack_info)
        return record

    make.redacts_tokens = True  # type: ignore[attr-defined]
    return make


def install_log_redaction(token: str | None) -> None:
    """Keep the bot token out of every log record of the process, whichever logger or
    handler: messages, tracebacks and stack traces are redacted when the record is made."""
    if token:
        _tokens.add(token)
    if not getattr(logging.getLogRecordFactory(), "redacts_tokens", False):
        logging.setLogRecordFactory(_redacting_factory(logging.getLogRecordFactory()))
    logging.getLogger("httpx").setLevel(logging.WARNING)


def scrub_exception(exc: BaseException | None, depth: int = 10) -> None:
    """Redact the token from an exception (and up to `depth` of its causes) before it is
    logged, so no formatter or error tracker sees it in str(), repr() or a traceback."""
    seen = 0
    while exc is not None and seen < depth:
        seen += 1
        try:
            exc.args = tuple(redact_token(a) if isinstance(a, str) else a for a in exc.args)
            message = getattr(exc, "message", None)  # TelegramError keeps its own copy
            if isinstance(message, str):
                exc.message = redact_token(message)  # type: ignore[attr-defined]
        except Exception:  # an exception type that refuses changes: leave it
            pass
        exc = exc.__cause__ or exc.__context__
