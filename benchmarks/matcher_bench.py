"""Matcher benchmark: the decision over both signals against the previous matcher and two
baselines, on short questions and on long chat messages.

Usage:  python benchmarks/matcher_bench.py [--eval FILE ...] [--rounds 5] [--no-scale]

Prints, in one run on this machine:
- load: knowledge base read + index built + classifier trained (what a reload costs);
- per evaluation set (default: ../shared/eval/dev.yaml and dev-long.yaml) and method:
  accuracy, in-domain answered right, right topic one tap away, confident wrong answers,
  out-of-domain refused, and per-question latency (median, p99) — for (1) the bot's
  matcher (classifier trained at load + fuzzy index, one decision), (2) the previous
  matcher (fuzzy index with its threshold rule, as shipped before the classifier),
  (3) rapidfuzz extractOne with WRatio over the example questions, (4) BM25 (rank-bm25)
  over the same normalized tokens;
- the bot's latency split into short (1–9 words) and long (20+ words) messages;
- with --scale (default): training time and latency with 10,000 synthetic example
  questions added.
Latency is measured cold for what a long-running bot would not have seen: the classifier's
per-word cache is emptied before every round. Not part of the test run.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from machine import describe  # noqa: E402  (benchmarks/machine.py, next to this script)
from rank_bm25 import BM25Okapi  # noqa: E402
from rapidfuzz import fuzz, process, utils  # noqa: E402

from bot.evaluation import Case, evaluate, load_cases, words  # noqa: E402
from bot.knowledge.loader import load_knowledge  # noqa: E402
from bot.knowledge.model import KnowledgeBase  # noqa: E402
from bot.matcher.classifier import TopicClassifier  # noqa: E402
from bot.matcher.decide import Decision, Matcher  # noqa: E402
from bot.matcher.index import Index  # noqa: E402
from bot.matcher.normalize import canonical, content_stems, is_cyrillic  # noqa: E402

Decide = Callable[[str], Decision]


def pct(values: list[float], p: float) -> float:
    vs = sorted(values)
    return vs[min(len(vs) - 1, int(round(p / 100 * (len(vs) - 1))))]


def timed(decide: Decide, questions: list[str], rounds: int,
          cold: Callable[[], None] = lambda: None) -> list[float]:
    times = []
    for _ in range(rounds):
        cold()
        for q in questions:
            t0 = time.perf_counter()
            decide(q)
            times.append((time.perf_counter() - t0) * 1000)
    return times


@dataclass(frozen=True)
class PreviousRule:
    """The decision of the matcher before the classifier (stop 8): the fuzzy index alone,
    thresholds on its best score and lead. Kept here as a baseline."""

    sure: float = 0.9
    floor: float = 0.25
    floor_bare: float = 0.375
    ratio: float = 0.15
    ratio_agree: float = 0.05
    suggest: float = 0.2
    spread: float = 0.15
    min_info: float = 0.9

    def decide(self, matcher: Matcher, q: str) -> Decision:
        ranked = matcher.index.score(q)
        lang = matcher.reply_language(q, tuple(ranked), "lv")
        if not ranked or ranked[0].score < self.suggest:
            return Decision(q, lang, "none", None, 0.0, ())
        best = ranked[0]
        if best.foreign and best.score < self.sure:
            return Decision(q, lang, "none", None, best.score, ())
        lead = (best.score - (ranked[1].score if len(ranked) > 1 else 0.0)) / best.score
        exact_only = best.exact and not (len(ranked) > 1 and ranked[1].exact)
        if best.score >= self.sure or (
            best.score >= (self.floor if best.role else self.floor_bare)
            and best.info >= self.min_info
            and (lead >= self.ratio or (best.agree and lead >= self.ratio_agree) or exact_only)
        ):
            return Decision(q, lang, "answer", best.topic, best.score, ())
        floor = max(self.suggest, best.score - self.spread)
        picks = tuple(s for s in ranked[:3] if s.score >= floor)
        return Decision(q, lang, "suggest", None, best.score, picks)


def baselines(kb: KnowledgeBase, matcher: Matcher) -> dict[str, Decide]:
    texts = [e.text for e in matcher.index.examples]
    meta = [(e.topic, e.lang) for e in matcher.index.examples]

    def wratio(q: str) -> Decision:
        hit = process.extractOne(q, texts, scorer=fuzz.WRatio, processor=utils.default_process)
        lang = "ru" if is_cyrillic(q) else (meta[hit[2]][1] if hit else "lv")
        if not hit or hit[1] < 70:
            return Decision(q, lang, "none", None, hit[1] / 100 if hit else 0.0, ())
        return Decision(q, lang, "answer", meta[hit[2]][0], hit[1] / 100, ())

    bm25 = BM25Okapi([[canonical(s) for s in e.stems] for e in matcher.index.examples])

    def bm25_decide(q: str) -> Decision:
        toks = [canonical(s) for s in content_stems(q)]
        lang = "ru" if is_cyrillic(q) else "lv"
        if not toks:
            return Decision(q, lang, "none", None, 0.0, ())
        scores = bm25.get_scores(toks)
        best = int(scores.argmax())
        if scores[best] <= 0:
            return Decision(q, lang, "none", None, 0.0, ())
        lang = "ru" if is_cyrillic(q) else meta[best][1]
        return Decision(q, lang, "answer", meta[best][0], float(scores[best]), ())

    previous = PreviousRule()
    return {
        "bot: classifier + index": matcher.decide,
        "previous: index + thresholds": lambda q: previous.decide(matcher, q),
        "rapidfuzz WRatio extractOne": wratio,
        "BM25 (rank-bm25)": bm25_decide,
    }


def report_set(kb: KnowledgeBase, matcher: Matcher, path: str, rounds: int) -> None:
    cases: list[Case] = load_cases(path)
    questions = [c.q for c in cases]
    print(f"\n{path}: {len(cases)} cases; latency over {rounds} rounds")
    print(f"{'method':<30}{'pass':>7}{'in-dom':>8}{'1 tap':>7}{'conf.wrong':>11}"
          f"{'OOD ref.':>9}{'median ms':>11}{'p99 ms':>8}")
    cold = matcher.classifier._word_cache.clear
    for name, decide in baselines(kb, matcher).items():
        s = evaluate(kb, decide, cases).summary()
        lat = timed(decide, questions, rounds, cold)
        print(f"{name:<30}{s['accuracy']:>7.1%}{s['in_domain']:>8.1%}"
              f"{s['in_domain_one_tap']:>7.1%}{s['confident_wrong_rate']:>11.1%}"
              f"{s['out_of_domain_refused']:>9.1%}{statistics.median(lat):>11.3f}"
              f"{pct(lat, 99):>8.3f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    shared = ROOT.parent / "shared" / "eval"
    ap.add_argument("--eval", nargs="*", default=[str(shared / "dev.yaml"),
                                                  str(shared / "dev-long.yaml")])
    ap.add_argument("--knowledge", default=str(ROOT / "knowledge"))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--no-scale", action="store_true")
    args = ap.parse_args()
    print("machine:", describe())

    loads = []
    for _ in range(5):
        t0 = time.perf_counter()
        kb = load_knowledge(args.knowledge)
        matcher = Matcher(kb)
        loads.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    TopicClassifier.train(kb)
    train = time.perf_counter() - t0
    print(f"knowledge: {len(kb.topics)} topics, {len(matcher.index.examples)} example questions "
          f"and titles, {len(matcher.classifier.classes)} classes")
    print(f"load (read + validate + index + train): median {statistics.median(loads):.2f} s "
          f"over 5, max {max(loads):.2f} s; classifier training alone {train:.2f} s")

    paths = [p for p in args.eval if Path(p).is_file()]
    for path in paths:
        report_set(kb, matcher, path, args.rounds)

    everything = [c.q for p in paths for c in load_cases(p)]
    short = [q for q in everything if words(q) <= 9]
    long = [q for q in everything if words(q) >= 20]
    print("\nbot latency by message length (all sets above):")
    for name, qs in (("1-9 words", short), ("20+ words", long), ("all", everything)):
        if qs:
            lat = timed(matcher.decide, qs, args.rounds, matcher.classifier._word_cache.clear)
            print(f"  {name:<10} {len(qs):>4} messages: median {statistics.median(lat):.3f} ms, "
                  f"p99 {pct(lat, 99):.3f} ms")

    if args.no_scale:
        return
    rng = random.Random(7)
    vocab = [w for e in matcher.index.examples for w in e.text.split()]
    topic_ids = list(kb.topics)
    size = 10_000
    extra = [(rng.choice(topic_ids), rng.choice(("lv", "ru")),
              " ".join(rng.choice(vocab) for _ in range(rng.randint(3, 9)))) for _ in range(size)]
    t0 = time.perf_counter()
    index = Index(kb, extra=extra)
    t1 = time.perf_counter()
    classifier = TopicClassifier.train(kb, extra=[(text, tid) for tid, _, text in extra])
    t2 = time.perf_counter()
    big = Matcher(kb, index=index, classifier=classifier)
    lat = timed(big.decide, everything, max(1, args.rounds // 2), classifier._word_cache.clear)
    print(f"\nwith {size} synthetic example questions ({len(index.examples)} in the index): "
          f"index {t1 - t0:.2f} s, classifier training {t2 - t1:.2f} s; per question median "
          f"{statistics.median(lat):.3f} ms, p99 {pct(lat, 99):.3f} ms")



if __name__ == "__main__":
    main()
