"""Cross-validation on the knowledge base's own questions, to choose weights and thresholds.

Each fold hides a share of every topic's example questions, builds the index from the
rest and asks the hidden ones: an honest estimate of how the matcher does on a paraphrase
it has never seen. The out-of-domain examples (knowledge/out_of_domain.yaml) show where
"I don't know" must start. No evaluation set is involved.
"""

from __future__ import annotations

import dataclasses
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass

from ..knowledge.model import LANGS, KnowledgeBase
from .decide import Thresholds, choose
from .index import Index, Scored, Weights


@dataclass(frozen=True, slots=True)
class Trial:
    """One asked question: what was expected and how the topics ranked."""

    text: str
    expect: str | None  # None: out of domain
    lang: str
    ranked: tuple[Scored, ...]


def _folds(kb: KnowledgeBase, k: int) -> Iterator[tuple[KnowledgeBase, list[tuple[str, str, str]]]]:
    for f in range(k):
        held: list[tuple[str, str, str]] = []
        topics = {}
        for tid, t in kb.topics.items():
            qs = {}
            for lang in LANGS:
                keep = []
                for i, q in enumerate(t.questions[lang]):
                    if i % k == f:
                        held.append((tid, lang, q))
                    else:
                        keep.append(q)
                qs[lang] = tuple(keep)
            topics[tid] = dataclasses.replace(t, questions=qs)
        yield dataclasses.replace(kb, topics=topics), held


_TRANSLIT: dict[str, str | tuple[str, ...]] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": ("zh", "j", "z"),
    "з": "z", "и": "i", "й": ("y", "i", "j"), "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": ("h", "kh"), "ц": ("c", "ts"),
    "ч": ("ch", "4"), "ш": ("sh", "w"), "щ": ("sch", "shch"), "ъ": "", "ы": ("y", "i"),
    "ь": ("", "'"), "э": "e", "ю": ("yu", "ju"), "я": ("ya", "ja", "ia"),
}  # fmt: skip
_PLAIN = str.maketrans("āčēģīķļņšūžĀČĒĢĪĶĻŅŠŪŽ", "acegiklnsuzACEGIKLNSUZ")


def perturb(text: str, lang: str, rng: random.Random) -> str:
    """The question as people type it: no diacritics, often lower case, Russian sometimes
    in Latin letters, and now and then a typo (a letter dropped, doubled or swapped)."""
    out = text.translate(_PLAIN) if rng.random() < 0.7 else text
    if rng.random() < 0.5:
        out = out.lower().rstrip("?!.")
    if lang == "ru" and rng.random() < 0.35:
        chars: list[str] = []
        for ch in out.lower():
            t = _TRANSLIT.get(ch, ch)
            chars.append(rng.choice(t) if isinstance(t, tuple) else t)
        out = "".join(chars)
    words = out.split()
    for _ in range(rng.choice((0, 0, 1, 1, 2))):
        long = [i for i, wd in enumerate(words) if len(wd) >= 5]
        if not long:
            break
        i = rng.choice(long)
        wd = words[i]
        j = rng.randrange(1, len(wd) - 1)
        kind = rng.randrange(3)
        if kind == 0:
            wd = wd[:j] + wd[j + 1 :]
        elif kind == 1:
            wd = wd[:j] + wd[j] + wd[j:]
        else:
            wd = wd[: j - 1] + wd[j] + wd[j - 1] + wd[j + 1 :]
        words[i] = wd
    return " ".join(words)


def cross_validate(kb: KnowledgeBase, weights: Weights | None = None, k: int = 5,
                   typed: bool = True, seed: int = 11) -> list[Trial]:
    """Held-out trials for every example question (typed the way users type when
    `typed`), plus the out-of-domain examples."""
    rng = random.Random(seed)
    trials: list[Trial] = []
    for train, held in _folds(kb, k):
        index = Index(train, weights=weights)
        for tid, lang, q in held:
            asked = perturb(q, lang, rng) if typed else q
            trials.append(Trial(asked, tid, lang, tuple(index.score(asked))))
    index = Index(kb, weights=weights)
    for lang in LANGS:
        for q in kb.out_of_domain.get(lang, ()):
            trials.append(Trial(q, None, lang, tuple(index.score(q))))
    return trials


@dataclass(frozen=True, slots=True)
class Outcomes:
    in_domain: int
    answered_right: int
    answered_wrong: int
    suggested_right: int  # the right topic among the suggestions
    out_of_domain: int
    refused: int  # out-of-domain questions that got no answer (suggest or none)
    ood_answered: int

    @property
    def right_rate(self) -> float:
        return self.answered_right / max(self.in_domain, 1)

    @property
    def wrong_rate(self) -> float:
        return (self.answered_wrong + self.ood_answered) / max(
            self.in_domain + self.out_of_domain, 1
        )


def judge(trials: list[Trial], kb: KnowledgeBase, thresholds: Thresholds) -> Outcomes:
    """What the matcher would do on the trials with these thresholds."""
    counts = dict(in_domain=0, answered_right=0, answered_wrong=0, suggested_right=0,
                  out_of_domain=0, refused=0, ood_answered=0)
    for t in trials:
        outcome, topic, picks = choose(list(t.ranked), thresholds)
        if t.expect is None:
            counts["out_of_domain"] += 1
            counts["ood_answered" if outcome == "answer" else "refused"] += 1
            continue
        counts["in_domain"] += 1
        if outcome == "answer":
            counts["answered_right" if topic == t.expect else "answered_wrong"] += 1
        elif outcome == "suggest" and any(p.topic == t.expect for p in picks):
            counts["suggested_right"] += 1
    return Outcomes(**counts)


def calibrate_thresholds(
    kb: KnowledgeBase,
    trials: list[Trial] | None = None,
    max_wrong: float = 0.06,
    min_refused: float = 0.95,
) -> tuple[Thresholds, Outcomes]:
    """The thresholds that answer the most held-out questions rightly while answering at
    most `max_wrong` of all trials wrongly and refusing at least `min_refused` of the
    out-of-domain examples.

    The held-out questions are typed carelessly and many ask about a detail only one
    example covers, so they are much harder than real questions; `max_wrong` is set for
    them, and on real questions the wrong-answer rate comes out far lower."""
    trials = trials if trials is not None else cross_validate(kb)
    best: tuple[float, Thresholds, Outcomes] | None = None
    grid = itertools.product(
        (0.25, 0.3, 0.35, 0.4, 0.45, 0.5),  # floor
        (0.3, 0.35, 0.4, 0.45, 0.5, 0.55),  # floor_bare
        (0.1, 0.15, 0.2, 0.25, 0.3),  # ratio
        (0.0, 0.05, 0.1),  # ratio_agree
        (0.2, 0.25, 0.3),  # suggest
    )
    for floor, floor_bare, ratio, ratio_agree, suggest in grid:
        if suggest > floor or floor_bare < floor:
            continue
        th = Thresholds(floor=floor, floor_bare=floor_bare, ratio=ratio,
                        ratio_agree=ratio_agree, suggest=suggest)
        o = judge(trials, kb, th)
        if o.wrong_rate > max_wrong or o.refused / max(o.out_of_domain, 1) < min_refused:
            continue
        # Ties go to the more cautious thresholds (found first).
        key = o.right_rate + 0.5 * o.suggested_right / max(o.in_domain, 1)
        if best is None or key > best[0] + 1e-9:
            best = (key, th, o)
    if best is None:
        th = Thresholds()
        return th, judge(trials, kb, th)
    return best[1], best[2]
