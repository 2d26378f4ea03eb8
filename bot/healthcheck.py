"""Docker HEALTHCHECK: healthy while the running bot keeps refreshing its heartbeat file.

The Telegram front end touches $DATA_DIR/heartbeat every 15 s while it is fetching
updates (or serving its webhook) — or, when the data directory cannot be written, a file
in the temporary directory (bot/heartbeat.py); a hung or stopped bot stops touching it.
Usage: python -m bot.healthcheck [max_age_seconds]
"""

from __future__ import annotations

import sys

from . import heartbeat
from .settings import SettingsError, load_settings

MAX_AGE = 90.0


def _max_age(argv: list[str]) -> float | None:
    """The age limit given on the command line (MAX_AGE without one); None if unusable."""
    if len(argv) < 2:
        return MAX_AGE
    try:
        value = float(argv[1])
    except ValueError:
        return None
    return value if 0 < value < float("inf") and len(argv) == 2 else None


def main(argv: list[str]) -> int:
    # Docker reads exit codes 0 (healthy) and 1 (unhealthy) only: a bad argument is 1 too.
    max_age = _max_age(argv)
    if max_age is None:
        print(f"unhealthy: usage: python -m bot.healthcheck [max_age_seconds], a positive "
              f"number (got {' '.join(argv[1:])!r})")
        return 1
    try:
        path = load_settings().heartbeat
    except SettingsError as exc:
        print(f"unhealthy: {exc}")
        return 1
    age = heartbeat.age(path)
    if age is None:
        print(f"unhealthy: no heartbeat at {path} (nor at {heartbeat.fallback_for(path)})")
        return 1
    if age > max_age:
        print(f"unhealthy: last heartbeat {age:.0f} s ago")
        return 1
    print(f"healthy: last heartbeat {age:.0f} s ago")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
