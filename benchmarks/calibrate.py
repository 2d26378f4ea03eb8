"""Fit the matcher's decision (decide.Confidence) on the knowledge base's own questions.

Usage:  python benchmarks/calibrate.py [--wrong-cost 10] [--max-wrong 0.10] [--max-wrong-users 0.01]

Two kinds of held-out questions, weighed equally:
- 5-fold cross-validation: each fold hides a fifth of every topic's example questions and
  of the out-of-domain examples, trains the classifier and builds the index from the rest,
  and asks the hidden ones, typed the way users type (no diacritics, lower case, Russian in
  Latin letters, a typo or two);
- knowledge/calibration.yaml: users' wording (short questions and long chat messages),
  which trains the classifier: 5-fold too, each question asked of a classifier trained
  without its fold (the index never holds them).
For each weight of the index beside the classifier, a logistic model learns how clear a
ranking must be to be right; every answer threshold is then worth its share of right
answers (a right suggestion half) minus --wrong-cost times its share of wrong answers, on
both kinds of questions (for calibration questions in traffic with 10 % hidden
out-of-domain examples mixed in), and must keep at most --max-wrong wrong answers among
the cross-validation trials, at most --max-wrong-users in that traffic, and 95 % of hidden
out-of-domain examples refused (within one standard error of that share). Prints the
figures with the shipped Confidence and with the recommended one (paste that into
bot/matcher/decide.py). No evaluation set is read.
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
    Limits,
    Outcomes,
    cross_validate,
    fit_confidence,
    judge,
    user_trials,
)
from bot.matcher.decide import Confidence  # noqa: E402
from bot.matcher.ranking import rank  # noqa: E402


def show(name: str, o: Outcomes, u: Outcomes) -> None:
    print(f"{name}:")
    print(f"  cross-validation: answered right {o.right_rate:.1%} of {o.in_domain}, right topic "
          f"among suggestions {o.suggested_right}, wrong answers {o.wrong_rate:.1%} of all trials; "
          f"hidden out-of-domain refused {o.refused}/{o.out_of_domain}")
    print(f"  calibration.yaml: answered right {u.right_rate:.1%} of {u.in_domain}, right topic "
          f"among suggestions {u.suggested_right}, answered wrong {u.answered_wrong}; wrong "
          f"answers in traffic with 10 % out of domain {u.traffic_wrong_rate(0.1):.2%}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--knowledge", default=str(ROOT / "knowledge"))
    ap.add_argument("--wrong-cost", type=float, default=Limits().wrong_cost)
    ap.add_argument("--max-wrong", type=float, default=Limits().max_wrong)
    ap.add_argument("--max-wrong-users", type=float, default=Limits().max_wrong_users)
    args = ap.parse_args()
    kb = load_knowledge(args.knowledge)
    t0 = time.perf_counter()
    cv = cross_validate(kb)
    users = user_trials(kb)
    ood = [t for t in cv if t.expect is None]
    print(f"{len(cv)} cross-validation trials ({len(ood)} out of domain), {len(users)} "
          f"calibration questions in {time.perf_counter() - t0:.1f} s")
    shipped = Confidence()
    for name, ts in (("cross-validation", [t for t in cv if t.expect]), ("calibration.yaml", users)):
        right = sum(rank(t.reading.whole, shipped.index_weight).best == t.expect for t in ts)
        print(f"  best topic right ({name}): {right / max(len(ts), 1):.1%}")
    show("shipped", judge(cv, shipped), judge([*users, *ood], shipped))
    c, o, u = fit_confidence(cv, users, Limits(wrong_cost=args.wrong_cost,
                                               max_wrong=args.max_wrong,
                                               max_wrong_users=args.max_wrong_users))
    show("recommended", o, u)
    print("recommended:", c)


if __name__ == "__main__":
    main()
