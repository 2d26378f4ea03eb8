"""Which answers a change changes: every evaluation and held-out question decided by this
checkout and by another commit, each with its own knowledge base.

Usage:  python benchmarks/decision_diff.py [--base REV] [--show] [SET.yaml ...]

Default sets: ../shared/eval/dev.yaml, dev-long.yaml and benchmarks/heldout/*.yaml. For
each set prints, base → this checkout: questions answered with an expected topic or
rightly refused (as `python -m bot eval` counts them, without its `contains` checks), confident
wrong answers, and how many decisions (outcome, topic, button topics) differ; then the
totals. `--show` lists every changed decision: + now right, - now wrong, = other change.
A matcher change that should not change answers (a speed-up, a clean-up) must print
"changed 0" everywhere; one that should, shows here what it gains and what it costs.
"""

from __future__ import annotations

import argparse
import importlib
import io
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.evaluation import Case, load_cases  # noqa: E402
from bot.knowledge.loader import load_knowledge  # noqa: E402
from bot.matcher.decide import Matcher  # noqa: E402

Decided = tuple[str, str | None, tuple[str, ...]]  # outcome, topic, also


def default_sets() -> list[Path]:
    shared = [ROOT.parent / "shared/eval/dev.yaml", ROOT.parent / "shared/eval/dev-long.yaml"]
    return [*(p for p in shared if p.exists()), *sorted((ROOT / "benchmarks/heldout").glob("*.yaml"))]


def base_decide(rev: str, into: Path) -> Callable[[str], Any]:
    """`decide` of `rev`'s matcher on `rev`'s knowledge base (imported as `bot_base`)."""
    tar = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "bot", "knowledge",
                          "locales"],
                         check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(tar)) as t:
        t.extractall(into, filter="data")
    (into / "bot").rename(into / "bot_base")
    sys.path.insert(0, str(into))
    loader = importlib.import_module("bot_base.knowledge.loader")
    decide = importlib.import_module("bot_base.matcher.decide")
    return decide.Matcher(loader.load_knowledge(str(into / "knowledge"))).decide


def right(case: Case, d: Decided) -> bool:
    outcome, topic, _ = d
    return topic is None if not case.expect else (outcome == "answer" and topic in case.expect)


def wrong(case: Case, d: Decided) -> bool:
    outcome, topic, _ = d
    return outcome == "answer" and (not case.expect or topic not in case.expect)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("sets", nargs="*", type=Path)
    ap.add_argument("--base", default="HEAD")
    ap.add_argument("--show", action="store_true", help="list every changed decision")
    args = ap.parse_args()
    now = Matcher(load_knowledge(str(ROOT / "knowledge"))).decide
    totals = [0, 0, 0, 0, 0, 0]  # cases, right base/now, wrong base/now, changed
    with tempfile.TemporaryDirectory() as tmp:
        before = base_decide(args.base, Path(tmp))
        for path in args.sets or default_sets():
            cases = load_cases(str(path))
            rows = []
            for case in cases:
                old, new = before(case.q), now(case.q)
                rows.append((case, (old.outcome, old.topic, tuple(old.also)),
                             (new.outcome, new.topic, tuple(new.also))))
            counts = [len(rows), sum(right(c, a) for c, a, _ in rows),
                      sum(right(c, b) for c, _, b in rows), sum(wrong(c, a) for c, a, _ in rows),
                      sum(wrong(c, b) for c, _, b in rows), sum(a != b for _, a, b in rows)]
            totals = [t + n for t, n in zip(totals, counts, strict=True)]
            n, r0, r1, w0, w1, ch = counts
            print(f"{path.name:20s} {n:5d} cases: right {r0} → {r1}, wrong {w0} → {w1}, changed {ch}")
            if args.show:
                for case, a, b in rows:
                    if a != b:
                        mark = "+" if right(case, b) > right(case, a) else (
                            "-" if right(case, a) > right(case, b) else "=")
                        print(f"  {mark} {case.q[:100]!r} expect {list(case.expect or ())}: "
                              f"{a[0]} {a[1]} {list(a[2])} → {b[0]} {b[1]} {list(b[2])}")
    n, r0, r1, w0, w1, ch = totals
    print(f"{'all':20s} {n:5d} cases: right {r0} → {r1}, wrong {w0} → {w1}, changed {ch} "
          f"(base {args.base})")


if __name__ == "__main__":
    main()
