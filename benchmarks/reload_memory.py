"""Memory over many knowledge reloads: the process's RSS after N valid reloads and N
broken ones (a file that does not parse), each through `KnowledgeState.reload()` exactly
as the bot's file watcher and /reload run it (load, validate, build the matcher, swap).

Usage:  python benchmarks/reload_memory.py [--reloads 100]

Prints RSS (VmRSS from /proc) before, every 20 reloads, and after, per kind, and the
change. Not part of the test run (tests/test_reload_memory.py is the quick check).
"""

from __future__ import annotations

import argparse
import gc
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.machine import describe  # noqa: E402
from bot.state import KnowledgeState  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run(kind: str, state: KnowledgeState, reloads: int) -> tuple[float, float]:
    gc.collect()
    start = rss_mb()
    began = time.perf_counter()
    marks = []
    for i in range(1, reloads + 1):
        problems = state.reload()
        assert bool(problems) == (kind == "broken"), problems[:3]
        if i % 20 == 0:
            gc.collect()
            marks.append(f"{rss_mb():.0f}")
    gc.collect()
    end = rss_mb()
    per = (time.perf_counter() - began) / reloads
    print(f"{kind:>6}: {reloads} reloads, {per:.2f} s each; RSS {start:.0f} MB → "
          f"{' → '.join(marks)} MB; change {end - start:+.1f} MB")
    return start, end


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reloads", type=int, default=100)
    args = parser.parse_args()
    print(describe())
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) / "knowledge"
        shutil.copytree(ROOT / "knowledge", directory)
        state = KnowledgeState(directory)
        state.reload()  # first reload: caches that fill once
        print("logging of rejected reloads is off for the run")
        import logging

        logging.disable(logging.ERROR)
        run("valid", state, args.reloads)
        (directory / "notes.yaml").write_text("Notes for the team\n\n- [unclosed: x\n",
                                              encoding="utf-8")
        run("broken", state, args.reloads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
