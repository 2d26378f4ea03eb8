"""Per-question latency of this checkout's matcher against another commit's, in one process.

Usage:  python benchmarks/speed_ab.py [--base REV] [--rounds 15] [--cold]

A small virtual machine's speed drifts between runs (the same code's median moved by up to
1.8x between two runs of matcher_bench.py here), so two benchmark runs cannot tell a 20 %
change from the drift. This script imports the base commit's `bot` package next to this
one (as `bot_base`, from `git archive`), builds both matchers on this checkout's knowledge
base, and times them alternately on every question: whatever the machine does, it does
to both. Prints median and p99 per set, and the ratio of the medians (< 1: this checkout
is faster). Decisions are compared too: a speed change should not change an answer.

Every question is asked again in each round, so whatever a matcher remembers per word
(stems, expansions, n-gram columns) is warm. `--cold` forgets all of it before each
question, for both versions: the cost of a message whose every word is seen for the
first time (the worst case; real traffic repeats most words).
"""

from __future__ import annotations

import argparse
import importlib
import io
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.evaluation import load_cases  # noqa: E402
from bot.knowledge.loader import load_knowledge  # noqa: E402
from bot.matcher.decide import Matcher  # noqa: E402

SETS = (ROOT.parent / "shared/eval/dev.yaml", ROOT.parent / "shared/eval/dev-long.yaml")


def import_base(rev: str, into: Path, paths: tuple[str, ...] = ("bot",)) -> None:
    """Extract `paths` of `rev` (a git archive) into `into`, its `bot` package renamed
    `bot_base` and importable beside this checkout's `bot`."""
    tar = subprocess.run(["git", "-C", str(ROOT), "archive", rev, *paths], check=True,
                         capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(tar)) as t:
        t.extractall(into, filter="data")
    (into / "bot").rename(into / "bot_base")
    sys.path.insert(0, str(into))


def base_matcher_class(rev: str, into: Path) -> type:
    """The Matcher class of `rev`, imported as package `bot_base`."""
    import_base(rev, into)
    return importlib.import_module("bot_base.matcher.decide").Matcher


def forget(package: str, matcher: object) -> None:
    """Clear every per-word and per-text memo of a `bot` package and of its matcher."""
    for name, module in list(sys.modules.items()):
        if name != package and not name.startswith(package + "."):
            continue
        for value in list(vars(module).values()):
            clear = getattr(value, "cache_clear", None)
            if callable(clear):
                clear()
    for part in (matcher, getattr(matcher, "index", None), getattr(matcher, "classifier", None)):
        for attr in ("_expanded", "_mistyped", "_word_cache"):
            memo = getattr(part, attr, None)
            if isinstance(memo, dict):
                memo.clear()


def p99(xs: list[float]) -> float:
    return statistics.quantiles(xs, n=100)[98]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="HEAD~1")
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--cold", action="store_true", help="forget every memo before each question")
    args = ap.parse_args()
    kb = load_knowledge(ROOT / "knowledge")
    with tempfile.TemporaryDirectory() as tmp:
        base = base_matcher_class(args.base, Path(tmp))(kb)
        head = Matcher(kb)
        for path in SETS:
            if not path.exists():
                print(f"{path}: missing, skipped")
                continue
            qs = [c.q for c in load_cases(path)]
            differ = 0
            for q in qs:  # warm both, and compare their decisions
                a, b = base.decide(q), head.decide(q)
                differ += (a.outcome, a.topic, a.also) != (b.outcome, b.topic, b.also)
            tb: list[float] = []
            th: list[float] = []
            for _ in range(args.rounds):
                for i, q in enumerate(qs):
                    # Each goes first every other question: what one leaves in the CPU's
                    # caches then favours both alike.
                    order = ((base, "bot_base", tb), (head, "bot", th))
                    for m, package, times in order if i % 2 == 0 else order[::-1]:
                        if args.cold:
                            forget(package, m)
                        t0 = time.perf_counter()
                        m.decide(q)
                        times.append((time.perf_counter() - t0) * 1000)
            print(f"{path.name}: {len(qs)} questions x {args.rounds} rounds; "
                  f"{args.base}: median {statistics.median(tb):.3f} ms, p99 {p99(tb):.3f} ms; "
                  f"this checkout: median {statistics.median(th):.3f} ms, p99 {p99(th):.3f} ms; "
                  f"ratio of medians {statistics.median(th) / statistics.median(tb):.2f}; "
                  f"decisions that differ: {differ}")


if __name__ == "__main__":
    main()
