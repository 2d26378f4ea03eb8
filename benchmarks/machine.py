"""One line describing the machine a benchmark ran on (figures mean little without it)."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def describe() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{cpu} | {os.cpu_count()} cores | Python {platform.python_version()} | "
            f"{platform.system()} {platform.release()}")
