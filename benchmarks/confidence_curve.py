"""How well the shipped confidence model separates right answers from wrong ones on our own
held-out sets, at every pair of thresholds: the right answers it buys for a given number
of wrong ones (a wrong answer counts when an in-domain question gets another topic, or an
off-topic one gets any), and what the shipped thresholds give.

Usage:  python benchmarks/confidence_curve.py [--knowledge knowledge] [SET.yaml ...]

Default sets: benchmarks/heldout/*.yaml (no evaluation set). A model is better than
another when it buys more right answers at every number of wrong ones; the thresholds
the fit chooses are one point on that curve.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.evaluation import load_cases  # noqa: E402
from bot.knowledge.loader import load_knowledge  # noqa: E402
from bot.matcher.decide import Matcher, arrange, conclude, confidence_of  # noqa: E402

_GRID = tuple(round(0.4 + 0.05 * i, 2) for i in range(12))  # 0.40 … 0.95
_LIMITS = (20, 30, 40, 50, 60, 80)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--knowledge", default=str(ROOT / "knowledge"))
    ap.add_argument("sets", nargs="*")
    args = ap.parse_args()
    paths = args.sets or sorted(str(p) for p in (ROOT / "benchmarks" / "heldout").glob("*.yaml"))
    m = Matcher(load_knowledge(args.knowledge))
    c = m.confidence
    cases = [case for p in paths for case in load_cases(p)]
    arranged = [arrange(m.read(case.q), c.index_weight) for case in cases]
    ps = [confidence_of(a, c) for a in arranged]  # the model is fixed: only thresholds vary
    points: list[tuple[int, int, int, float, float]] = []  # wrong, right, off-topic, answer, alone
    for answer in _GRID:
        for alone in _GRID:
            if alone > answer:
                continue
            cc = dataclasses.replace(c, answer=answer, alone=alone)
            right = wrong = off = 0
            for case, a, p in zip(cases, arranged, ps, strict=True):
                v = conclude(a, cc, p)
                if v.outcome != "answer":
                    continue
                if case.expect and (v.topic in case.expect or set(case.expect) & set(v.also)):
                    right += 1
                else:
                    wrong += 1
                    off += not case.expect
            points.append((wrong, right, off, answer, alone))
    print(f"{len(cases)} questions from {len(paths)} sets")
    for limit in _LIMITS:
        ok = [p for p in points if p[0] <= limit]
        if ok:
            w, r, o, a, al = max(ok, key=lambda p: p[1])
            print(f"  at most {limit:3d} wrong: {r} right ({w} wrong, {o} of them off-topic; "
                  f"answer {a}, alone {al})")
    shipped = dataclasses.replace(c, answer=round(c.answer, 2), alone=round(c.alone, 2))
    for w, r, o, a, al in points:
        if (a, al) == (shipped.answer, shipped.alone):
            print(f"  shipped thresholds (answer {a}, alone {al}): {r} right, {w} wrong, "
                  f"{o} of them off-topic")


if __name__ == "__main__":
    main()
