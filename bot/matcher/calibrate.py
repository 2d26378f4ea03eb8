"""Cross-validation on the knowledge base's own questions, to choose weights and thresholds.

Each fold hides a share of every topic's example questions, builds the index from the
rest and asks the hidden ones: an honest estimate of how the matcher does on a paraphrase
it has never seen. Users' wording the matcher is not given (knowledge/calibration.yaml)
shows how it does on real questions, and the out-of-domain examples
(knowledge/out_of_domain.yaml) show where "I don't know" must start. No evaluation set is
involved.
"""

from __future__ import annotations

import dataclasses
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

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


def user_trials(kb: KnowledgeBase, weights: Weights | None = None,
                index: Index | None = None) -> list[Trial]:
    """The calibration questions (knowledge/calibration.yaml: users' wording the matcher is
    not given) against the whole knowledge base, plus the out-of-domain examples."""
    index = index or Index(kb, weights=weights)
    trials = [Trial(q, tid, lang, tuple(index.score(q))) for tid, lang, q in kb.calibration]
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

    def traffic_wrong_rate(self, ood_share: float) -> float:
        """Wrong answers in traffic where `ood_share` of the questions are out of domain
        (the trials' own mix of in- and out-of-domain is rarely the real one)."""
        return ((1 - ood_share) * self.answered_wrong / max(self.in_domain, 1)
                + ood_share * self.ood_answered / max(self.out_of_domain, 1))


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


class TrialTable:
    """Trials as columns, so one set of thresholds is judged in a few vector operations
    (the same outcomes as `judge`, which runs `choose` trial by trial)."""

    def __init__(self, trials: list[Trial]) -> None:
        n = len(trials)
        col = {name: np.zeros(n) for name in ("score", "runner", "info", "expected")}
        flag = {name: np.zeros(n, dtype=bool) for name in
                ("empty", "foreign", "agree", "exact_only", "role", "right", "ood")}
        for i, t in enumerate(trials):
            r = t.ranked
            flag["ood"][i] = t.expect is None
            col["expected"][i] = -1.0  # the expected topic's score among the best three
            if not r:
                flag["empty"][i] = True
                continue
            best = r[0]
            col["score"][i], col["info"][i] = best.score, best.info
            col["runner"][i] = r[1].score if len(r) > 1 else 0.0
            flag["foreign"][i], flag["agree"][i], flag["role"][i] = best.foreign, best.agree, best.role
            flag["exact_only"][i] = best.exact and not (len(r) > 1 and r[1].exact)
            flag["right"][i] = best.topic == t.expect
            for s in r[:3]:
                if s.topic == t.expect:
                    col["expected"][i] = s.score
                    break
        self.c, self.f = col, flag
        score = col["score"]
        self.lead = np.where(score > 0, (score - col["runner"]) / np.where(score > 0, score, 1), 0)

    def outcomes(self, th: Thresholds) -> Outcomes:
        c, f = self.c, self.f
        score = c["score"]
        none = f["empty"] | (score < th.suggest) | (f["foreign"] & (score < th.sure))
        floor = np.where(f["role"], th.floor, th.floor_bare)
        lead = self.lead
        answer = ~none & ((score >= th.sure) | (
            (score >= floor) & (c["info"] >= th.min_info)
            & ((lead >= th.ratio) | (f["agree"] & (lead >= th.ratio_agree)) | f["exact_only"])))
        suggested = ~none & ~answer & (c["expected"] >= np.maximum(th.suggest, score - th.spread))
        ood, ind = f["ood"], ~f["ood"]
        return Outcomes(
            in_domain=int(ind.sum()),
            answered_right=int((answer & ind & f["right"]).sum()),
            answered_wrong=int((answer & ind & ~f["right"]).sum()),
            suggested_right=int((suggested & ind).sum()),
            out_of_domain=int(ood.sum()),
            refused=int((ood & ~answer).sum()),
            ood_answered=int((ood & answer).sum()),
        )


def _steps(lo: float, hi: float, step: float) -> list[float]:
    return [round(lo + i * step, 3) for i in range(int(round((hi - lo) / step)) + 1)]


def calibrate_thresholds(
    kb: KnowledgeBase,
    trials: list[Trial] | None = None,
    users: list[Trial] | None = None,
    max_wrong: float = 0.06,
    max_wrong_users: float = 0.01,
    ood_share: float = 0.1,
    min_refused: float = 0.95,
) -> tuple[Thresholds, Outcomes, Outcomes]:
    """The thresholds that answer the most questions rightly on both kinds of held-out
    questions — the knowledge base's own, cross-validated (`trials`), and users' wording
    from calibration.yaml (`users`) — within three limits: wrong answers at most
    `max_wrong` of the cross-validation trials; at most `max_wrong_users` of traffic in
    which `ood_share` of the questions are out of domain (the calibration questions and the
    out-of-domain examples mixed in that proportion); and at least `min_refused` of the
    out-of-domain examples refused. Returns the thresholds and the outcomes on each kind.

    The two kinds pull opposite ways and neither alone is like real traffic: hidden example
    questions often ask about a detail no other example covers (their wrong-answer rate is
    far above real users'), while calibration questions ask mostly about a topic's core.
    Weighing them equally keeps either from deciding alone."""
    trials = trials if trials is not None else cross_validate(kb)
    users = users if users is not None else user_trials(kb)
    cv_table, user_table = TrialTable(trials), TrialTable(users)
    best: tuple[float, Thresholds, Outcomes, Outcomes] | None = None
    grid = itertools.product(
        _steps(0.2, 0.4, 0.025),  # floor
        _steps(0.3, 0.55, 0.025),  # floor_bare
        _steps(0.05, 0.3, 0.05),  # ratio
        (0.0, 0.05),  # ratio_agree
    )
    for floor, floor_bare, ratio, ratio_agree in grid:
        if floor_bare < floor:
            continue
        th = Thresholds(floor=floor, floor_bare=floor_bare, ratio=ratio, ratio_agree=ratio_agree)
        o = cv_table.outcomes(th)
        u = user_table.outcomes(th)
        if (o.wrong_rate > max_wrong or u.traffic_wrong_rate(ood_share) > max_wrong_users
                or u.refused / max(u.out_of_domain, 1) < min_refused):
            continue
        # Ties go to the more cautious thresholds (found first); a right topic among the
        # suggestions counts half.
        key = sum(x.right_rate + 0.5 * x.suggested_right / max(x.in_domain, 1) for x in (o, u))
        if best is None or key > best[0] + 1e-9:
            best = (key, th, o, u)
    if best is None:
        th = Thresholds()
        return th, judge(trials, kb, th), judge(users, kb, th)
    return best[1], best[2], best[3]
