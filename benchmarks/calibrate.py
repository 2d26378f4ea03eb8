"""Choose the matcher's decision thresholds on the knowledge base's own questions.

Usage:  python benchmarks/calibrate.py [--max-wrong 0.06] [--max-wrong-users 0.01]

Two kinds of held-out questions, weighed equally:
- 5-fold cross-validation: each fold hides a fifth of every topic's example questions,
  builds the index from the rest and asks the hidden ones, typed the way users type (no
  diacritics, lower case, Russian in Latin letters, a typo or two);
- knowledge/calibration.yaml: users' wording that the matcher is not given as examples.
knowledge/out_of_domain.yaml supplies questions that must be refused. The recommended
thresholds answer the most questions rightly (a right suggestion counts half) while at
most --max-wrong of the cross-validation trials get a wrong answer, at most
--max-wrong-users of traffic made of the calibration questions with 10 % out-of-domain
examples mixed in, and 95 % of out-of-domain examples are refused. Prints the
figures with the shipped thresholds and with the recommended ones. No evaluation set is
read.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.knowledge.loader import load_knowledge  # noqa: E402
from bot.matcher.calibrate import (  # noqa: E402
    calibrate_thresholds,
    cross_validate,
    judge,
    user_trials,
)
from bot.matcher.decide import Thresholds  # noqa: E402


def show(name: str, o, u) -> None:  # type: ignore[no-untyped-def]
    print(f"{name}:")
    print(f"  cross-validation: answered right {o.right_rate:.1%} of {o.in_domain}, right topic "
          f"among suggestions {o.suggested_right}, wrong answers {o.wrong_rate:.1%} of all trials")
    print(f"  calibration.yaml: answered right {u.right_rate:.1%} of {u.in_domain}, right topic "
          f"among suggestions {u.suggested_right}, answered wrong {u.answered_wrong}; "
          f"out-of-domain refused {u.refused}/{u.out_of_domain}; wrong answers in traffic with "
          f"10 % out of domain {u.traffic_wrong_rate(0.1):.1%}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--knowledge", default=str(ROOT / "knowledge"))
    ap.add_argument("--max-wrong", type=float, default=0.06)
    ap.add_argument("--max-wrong-users", type=float, default=0.01)
    args = ap.parse_args()
    kb = load_knowledge(args.knowledge)
    t0 = time.perf_counter()
    trials = cross_validate(kb)
    users = user_trials(kb)
    top1 = [t for t in trials if t.expect]
    right1 = sum(1 for t in top1 if t.ranked and t.ranked[0].topic == t.expect)
    cal = [t for t in users if t.expect]
    cal1 = sum(1 for t in cal if t.ranked and t.ranked[0].topic == t.expect)
    print(f"{len(trials)} cross-validation trials, {len(users)} calibration trials in "
          f"{time.perf_counter() - t0:.1f} s; best topic right: cross-validation "
          f"{right1 / len(top1):.1%}, calibration.yaml {cal1 / max(len(cal), 1):.1%}")
    show("shipped thresholds", judge(trials, kb, Thresholds()), judge(users, kb, Thresholds()))
    th, o, u = calibrate_thresholds(kb, trials, users, max_wrong=args.max_wrong,
                                    max_wrong_users=args.max_wrong_users)
    show("recommended", o, u)
    print("recommended:", th)


if __name__ == "__main__":
    main()
