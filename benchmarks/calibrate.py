"""Choose the matcher's decision thresholds on the knowledge base's own questions.

Usage:  python benchmarks/calibrate.py [--max-wrong 0.06]

5-fold cross-validation: each fold hides a fifth of every topic's example questions,
builds the index from the rest and asks the hidden ones, typed the way users type (no
diacritics, lower case, Russian in Latin letters, a typo or two); knowledge/out_of_domain.yaml
supplies questions that must be refused. The recommended thresholds answer the most
held-out questions rightly (a right suggestion counts half) while at most --max-wrong of
all trials get a wrong answer and 95 % of out-of-domain examples are refused. Prints the
held-out figures with the shipped thresholds and the ones this calibration recommends.
No evaluation set is read.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.knowledge.loader import load_knowledge  # noqa: E402
from bot.matcher.calibrate import calibrate_thresholds, cross_validate, judge  # noqa: E402
from bot.matcher.decide import Thresholds  # noqa: E402


def show(name: str, o) -> None:  # type: ignore[no-untyped-def]
    print(f"{name}: answered right {o.right_rate:.1%} of {o.in_domain} held-out questions, "
          f"right topic among suggestions {o.suggested_right}, wrong answers "
          f"{o.wrong_rate:.1%} of all trials, out-of-domain refused {o.refused}/{o.out_of_domain}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--knowledge", default=str(ROOT / "knowledge"))
    ap.add_argument("--max-wrong", type=float, default=0.06)
    args = ap.parse_args()
    kb = load_knowledge(args.knowledge)
    t0 = time.perf_counter()
    trials = cross_validate(kb)
    top1 = [t for t in trials if t.expect]
    right1 = sum(1 for t in top1 if t.ranked and t.ranked[0].topic == t.expect)
    print(f"cross-validation: {len(trials)} trials in {time.perf_counter() - t0:.1f} s; "
          f"top-1 topic right {right1 / len(top1):.1%}")
    show("shipped thresholds", judge(trials, kb, Thresholds()))
    th, o = calibrate_thresholds(kb, trials, max_wrong=args.max_wrong)
    show("calibrated", o)
    print("recommended:", th)


if __name__ == "__main__":
    main()
