"""Matcher benchmark: accuracy and latency of our matcher against two baselines.

Usage:  python benchmarks/matcher_bench.py [--eval ../shared/eval/dev.yaml] [--rounds 5]

Prints, in one run on this machine: index build time; per-question latency (median, p99)
and accuracy on the evaluation set for (1) our matcher, (2) rapidfuzz.process.extractOne
with fuzz.WRatio and utils.default_process over the same example questions, (3) BM25
(rank-bm25) over the same normalized tokens; peak memory; and latency with 1,000 and
10,000 synthetic example questions. Not part of the test run.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from machine import describe  # noqa: E402  (benchmarks/machine.py, next to this script)
from rank_bm25 import BM25Okapi  # noqa: E402
from rapidfuzz import fuzz, process, utils  # noqa: E402

from bot.evaluation import evaluate, load_cases  # noqa: E402
from bot.knowledge.loader import load_knowledge  # noqa: E402
from bot.matcher.decide import Decision, Matcher  # noqa: E402
from bot.matcher.index import Index  # noqa: E402
from bot.matcher.normalize import canonical, content_stems, is_cyrillic  # noqa: E402


def pct(values: list[float], p: float) -> float:
    vs = sorted(values)
    return vs[min(len(vs) - 1, int(round(p / 100 * (len(vs) - 1))))]


def timed(decide, questions: list[str], rounds: int) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(rounds):
        for q in questions:
            t0 = time.perf_counter()
            decide(q)
            times.append((time.perf_counter() - t0) * 1000)
    return times


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--eval", default=str(ROOT.parent / "shared" / "eval" / "dev.yaml"))
    ap.add_argument("--knowledge", default=str(ROOT / "knowledge"))
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    print("machine:", describe())

    kb = load_knowledge(args.knowledge)
    builds = []
    for _ in range(5):
        t0 = time.perf_counter()
        matcher = Matcher(kb)
        builds.append(time.perf_counter() - t0)
    n_examples = len(matcher.index.examples)
    print(f"knowledge: {len(kb.topics)} topics, {n_examples} examples (questions + titles)")
    print(f"index build: median {statistics.median(builds) * 1000:.0f} ms over 5 builds")

    cases = load_cases(args.eval)
    questions = [c.q for c in cases]

    # Baseline 1: WRatio over the raw example texts, best example's topic, fixed cut-off.
    texts = [e.text for e in matcher.index.examples]
    meta = [(e.topic, e.lang) for e in matcher.index.examples]

    def wratio(q: str) -> Decision:
        hit = process.extractOne(q, texts, scorer=fuzz.WRatio, processor=utils.default_process)
        lang = "ru" if is_cyrillic(q) else (meta[hit[2]][1] if hit else "lv")
        if not hit or hit[1] < 70:
            return Decision(q, lang, "none", None, hit[1] / 100 if hit else 0.0, ())
        return Decision(q, lang, "answer", meta[hit[2]][0], hit[1] / 100, ())

    # Baseline 2: BM25 over the same normalized tokens our matcher uses.
    corpus = [[canonical(s) for s in e.stems] for e in matcher.index.examples]
    bm25 = BM25Okapi(corpus)

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

    print(f"\nevaluation set: {args.eval} ({len(cases)} cases), latency over {args.rounds} rounds")
    print(f"{'method':<28}{'accuracy':>9}{'conf.wrong':>11}{'OOD refused':>12}"
          f"{'median ms':>11}{'p99 ms':>9}")
    for name, decide in (("ours (bot.matcher)", matcher.decide),
                         ("rapidfuzz WRatio extractOne", wratio),
                         ("BM25 (rank-bm25)", bm25_decide)):
        s = evaluate(kb, decide, cases).summary()
        lat = timed(decide, questions, args.rounds)
        print(f"{name:<28}{s['accuracy']:>9.1%}{s['confident_wrong_rate']:>11.1%}"
              f"{s['out_of_domain_refused']:>12.1%}{statistics.median(lat):>11.3f}"
              f"{pct(lat, 99):>9.3f}")

    tracemalloc.start()
    Matcher(kb)
    for q in questions:
        matcher.decide(q)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak Python allocations (index build + {len(questions)} questions): "
          f"{peak / 1e6:.1f} MB; process max RSS {rss:.0f} MB")

    rng = random.Random(7)
    vocab = [e.text.split() for e in matcher.index.examples]
    words = [w for ws in vocab for w in ws]
    topic_ids = list(kb.topics)
    for size in (1_000, 10_000):
        extra = [(rng.choice(topic_ids), rng.choice(("lv", "ru")),
                  " ".join(rng.choice(words) for _ in range(rng.randint(3, 9))))
                 for _ in range(size)]
        t0 = time.perf_counter()
        index = Index(kb, extra=extra)
        build = time.perf_counter() - t0
        big = Matcher(kb, index=index)
        lat = timed(big.decide, questions, max(1, args.rounds // 2))
        print(f"with {size:>6} synthetic examples ({len(index.examples)} total): build "
              f"{build:.2f} s, median {statistics.median(lat):.3f} ms, p99 {pct(lat, 99):.3f} ms")


if __name__ == "__main__":
    main()
