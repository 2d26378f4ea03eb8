"""Which answers a change changes: every evaluation and held-out question judged by this
checkout and by another commit, each with its own knowledge base.

Usage:  python benchmarks/decision_diff.py [--base REV] [--show] [SET.yaml ...]

Default sets: ../shared/eval/dev.yaml, dev-long.yaml and benchmarks/heldout/*.yaml. Each
question is judged as `python -m bot eval` judges it (each commit's own `run_case`). For
each set prints, base → this checkout: cases passed, confident wrong answers, and how many
decisions (outcome, topic, button topics) differ; then the totals. `--show` lists every
changed decision: + now passed, - now failed, = other change. A matcher change that
should not change answers (a speed-up, a clean-up) must print "changed 0" everywhere; one
that should, shows here what it gains and what it costs.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from speed_ab import import_base  # noqa: E402  (benchmarks/speed_ab.py, next to this script)

from bot.evaluation import Case, load_cases, run_case  # noqa: E402
from bot.knowledge.loader import load_knowledge  # noqa: E402
from bot.matcher.decide import Matcher  # noqa: E402

Judge = Callable[[Case], Any]  # a case → its Result (passed, confident_wrong, decision)


def default_sets() -> list[Path]:
    shared = [ROOT.parent / "shared/eval/dev.yaml", ROOT.parent / "shared/eval/dev-long.yaml"]
    return [*(p for p in shared if p.exists()), *sorted((ROOT / "benchmarks/heldout").glob("*.yaml"))]


def judge_now() -> Judge:
    kb = load_knowledge(str(ROOT / "knowledge"))
    decide = Matcher(kb).decide
    return lambda case: run_case(kb, decide, case)


def judge_base(rev: str, into: Path) -> Judge:
    """`rev`'s own judgement: its matcher, knowledge base, catalogs and `run_case`."""
    import_base(rev, into, ("bot", "knowledge", "locales"))
    kb = importlib.import_module("bot_base.knowledge.loader").load_knowledge(str(into / "knowledge"))
    decide = importlib.import_module("bot_base.matcher.decide").Matcher(kb).decide
    run = importlib.import_module("bot_base.evaluation").run_case
    return lambda case: run(kb, decide, case)


def decided(result: Any) -> tuple[str, str | None, tuple[str, ...]]:
    d = result.decision
    return d.outcome, d.topic, tuple(d.also)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("sets", nargs="*", type=Path)
    ap.add_argument("--base", default="HEAD")
    ap.add_argument("--show", action="store_true", help="list every changed decision")
    args = ap.parse_args()
    now = judge_now()
    totals = [0, 0, 0, 0, 0, 0]  # cases, passed base/now, wrong base/now, changed
    with tempfile.TemporaryDirectory() as tmp:
        before = judge_base(args.base, Path(tmp))
        for path in args.sets or default_sets():
            rows = [(case, before(case), now(case)) for case in load_cases(str(path))]
            counts = [len(rows), sum(a.passed for _, a, _ in rows), sum(b.passed for _, _, b in rows),
                      sum(a.confident_wrong for _, a, _ in rows),
                      sum(b.confident_wrong for _, _, b in rows),
                      sum(decided(a) != decided(b) for _, a, b in rows)]
            totals = [t + n for t, n in zip(totals, counts, strict=True)]
            n, p0, p1, w0, w1, ch = counts
            print(f"{path.name:20s} {n:5d} cases: passed {p0} → {p1}, wrong {w0} → {w1}, changed {ch}")
            if args.show:
                for case, a, b in rows:
                    if decided(a) != decided(b):
                        mark = "+" if b.passed > a.passed else "-" if a.passed > b.passed else "="
                        print(f"  {mark} {case.q[:100]!r} expect {list(case.expect or ())}: "
                              f"{' '.join(map(str, decided(a)))} → {' '.join(map(str, decided(b)))}")
    n, p0, p1, w0, w1, ch = totals
    print(f"{'all':20s} {n:5d} cases: passed {p0} → {p1}, wrong {w0} → {w1}, changed {ch} "
          f"(base {args.base})")


if __name__ == "__main__":
    main()
