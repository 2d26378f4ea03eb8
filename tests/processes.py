"""Running the bot as a process from the tests: the repository root, and an environment
without any of the bot's settings, so a developer's own TELEGRAM_BOT_TOKEN or KNOWLEDGE_DIR
never reaches a test. The settings are the variables .env.example documents (every one the
bot reads, see bot/settings.py)."""

from __future__ import annotations

import os
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SETTINGS_VARS = frozenset(re.findall(r"(?m)^([A-Z][A-Z0-9_]*)=",
                                     (REPO / ".env.example").read_text(encoding="utf-8")))


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without the bot's settings, UTF-8 output, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARS}
    env["PYTHONIOENCODING"] = "utf-8"
    env.update(extra)
    return env
