"""Configuration from the environment, read once into one frozen object.

Nothing else in the bot reads os.environ. Every variable is documented in .env.example and
the README.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from . import resources
from .redact import TOKEN_RE

DATABASE_FILE = "bot.sqlite3"  # in DATA_DIR


class SettingsError(ValueError):
    """A setting is missing or malformed; the message is one line for the operator."""


@dataclass(frozen=True, slots=True)
class Settings:
    token: str | None
    api_base_url: str
    admin_ids: frozenset[int]
    data_dir: Path
    knowledge_dir: Path
    webhook_url: str | None
    webhook_secret: str | None
    port: int
    rate_limit_overall: float
    bot_username: str | None
    log_level: str
    replay_max_age: float = 3600.0
    webhook_max_body: int = 1_048_576

    @property
    def database(self) -> Path:
        return self.data_dir / DATABASE_FILE

    @property
    def heartbeat(self) -> Path:
        return self.data_dir / "heartbeat"

    @property
    def journal(self) -> Path:
        return self.data_dir / "updates.sqlite3"


def _int(name: str, raw: str, low: int, high: int) -> int:
    if not re.fullmatch(r"[0-9]{1,12}", raw):  # int() would also read other scripts' digits
        raise SettingsError(f"{name} must be a whole number, got {raw!r}")
    value = int(raw)
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}, got {value}")
    return value


# Telegram user ids are positive and have at most 52 significant bits (Bot API docs).
MAX_USER_ID = 2**52 - 1


def _admin_ids(raw: str) -> frozenset[int]:
    """ASCII digits only: int() would also read '١٢٣' (Arabic-Indic digits) as 123."""
    admins: set[int] = set()
    for part in raw.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not re.fullmatch(r"[0-9]{1,16}", part) or not 1 <= int(part) <= MAX_USER_ID:
            raise SettingsError(f"ADMIN_IDS must be numeric Telegram user ids (1 to "
                                f"{MAX_USER_ID}) separated by commas, got {part!r}")
        admins.add(int(part))
    return frozenset(admins)


def knowledge_dir(env: Mapping[str, str] | None = None) -> Path:
    """KNOWLEDGE_DIR, else the knowledge base shipped with the bot (wherever it runs from)."""
    e = os.environ if env is None else env
    raw = e.get("KNOWLEDGE_DIR", "").strip()
    return Path(raw) if raw else resources.knowledge_dir()


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    """DATA_DIR, else `data` (relative to the working directory, as the bot itself uses it)."""
    e = os.environ if env is None else env
    return Path(e.get("DATA_DIR", "").strip() or "data")


_USERNAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]{1,28}[Bb][Oo][Tt]")  # BotFather's rule


def bot_username(raw: str | None = None, env: Mapping[str, str] | None = None) -> str | None:
    """A bot username as given (`raw`) or in BOT_USERNAME, without a leading '@'; None if
    neither is set. SettingsError when it cannot be a bot's username."""
    e = os.environ if env is None else env
    name = (raw if raw is not None else e.get("BOT_USERNAME", "")).strip().removeprefix("@")
    if not name:
        return None
    if not _USERNAME_RE.fullmatch(name):
        raise SettingsError(f"{name!r} is not a bot username: 5–32 letters, digits and _, "
                            "starting with a letter and ending in 'bot' (as BotFather gave it)")
    return name


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Parse and check every setting; raise SettingsError with a one-line explanation."""
    e = os.environ if env is None else env
    token = e.get("TELEGRAM_BOT_TOKEN", "").strip() or None
    if token is not None and not TOKEN_RE.fullmatch(token):
        raise SettingsError("TELEGRAM_BOT_TOKEN looks malformed: expected '<digits>:<secret>' "
                            "as BotFather gives it")
    admins = _admin_ids(e.get("ADMIN_IDS", ""))
    webhook_url = e.get("WEBHOOK_URL", "").strip() or None
    if webhook_url and not webhook_url.startswith("https://"):
        raise SettingsError("WEBHOOK_URL must start with https:// (Telegram requires TLS)")
    secret = e.get("WEBHOOK_SECRET", "").strip() or None
    if webhook_url and not secret:
        raise SettingsError("WEBHOOK_SECRET is required with WEBHOOK_URL: Telegram sends it "
                            "with every update so forged requests can be refused")
    if secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise SettingsError("WEBHOOK_SECRET may contain only A-Z, a-z, 0-9, _ and - "
                            "(1–256 characters)")
    rate_raw = e.get("RATE_LIMIT_OVERALL", "30").strip() or "30"
    try:
        rate = float(rate_raw)
    except ValueError:
        raise SettingsError(f"RATE_LIMIT_OVERALL must be a number, got {rate_raw!r}") from None
    if rate < 0:
        raise SettingsError("RATE_LIMIT_OVERALL must be 0 (off) or positive")
    level = e.get("LOG_LEVEL", "INFO").strip().upper() or "INFO"
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise SettingsError(f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {level!r}")
    return Settings(
        token=token,
        api_base_url=e.get("TELEGRAM_API_BASE_URL", "").strip() or "https://api.telegram.org/bot",
        admin_ids=admins,
        data_dir=data_dir(e),
        knowledge_dir=knowledge_dir(e),
        webhook_url=webhook_url,
        webhook_secret=secret,
        port=_int("PORT", e.get("PORT", "").strip() or "8080", 1, 65535),
        rate_limit_overall=rate,
        bot_username=bot_username(env=e),
        log_level=level,
        replay_max_age=_int("REPLAY_MAX_AGE", e.get("REPLAY_MAX_AGE", "").strip() or "3600",
                            0, 86_400),
        webhook_max_body=_int("WEBHOOK_MAX_BODY", e.get("WEBHOOK_MAX_BODY", "").strip()
                              or "1048576", 4096, 100_000_000),
    )
