"""Fitting the decision on questions the models were not trained on.

Each cross-validation fold hides a share of every topic's example questions and of the
out-of-domain examples, trains the classifier and builds the index from the rest, and asks
the hidden ones typed the way users type: an honest estimate of how the matcher does on a
wording it has never seen. Users' wording (knowledge/calibration.yaml, long chat messages
among them), each asked of a classifier trained on everything but its fold of it, shows how
it does on real questions. From both, `fit_confidence` learns how clear a ranking must be to be right
(`decide.Confidence`) and chooses the answer threshold worth most on users' questions — a
wrong answer costs several right ones — within explicit limits on wrong answers. No
evaluation set is involved.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from ..knowledge.model import LANGS, KnowledgeBase
from .classifier import TopicClassifier
from .decide import Arranged, Confidence, Matcher, arrange, conclude, confidence_of, terms
from .index import Index
from .reading import Reading, read, small_talk_words


@dataclass(frozen=True, slots=True)
class Trial:
    """One asked question: what was expected and what both signals said."""

    text: str
    expect: str | None  # None: out of domain
    lang: str
    source: str  # "cv" (a hidden example), "user" (calibration.yaml), "ood" (hidden out-of-domain)
    reading: Reading


Held = tuple[str | None, str, str]  # (topic or None for out of domain, lang, text)


def folds(kb: KnowledgeBase, k: int) -> Iterator[tuple[KnowledgeBase, list[Held]]]:
    """k knowledge bases, each without every k-th example question and out-of-domain
    example (a different share each time), with what they left out."""
    for f in range(k):
        held: list[Held] = []
        topics = {}
        for tid, t in kb.topics.items():
            qs = {}
            for lang in LANGS:
                keep = []
                for i, q in enumerate(t.questions[lang]):
                    (held.append((tid, lang, q)) if i % k == f else keep.append(q))
                qs[lang] = tuple(keep)
            topics[tid] = dataclasses.replace(t, questions=qs)
        ood = {}
        for lang in LANGS:
            keep = []
            for i, q in enumerate(kb.out_of_domain.get(lang, ())):
                (held.append((None, lang, q)) if i % k == f else keep.append(q))
            ood[lang] = tuple(keep)
        yield dataclasses.replace(kb, topics=topics, out_of_domain=ood), held


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


# What people put around a question in a chat: a greeting, a line about themselves, thanks.
# Deliberately about nothing this bot covers, so it tests that a question survives company.
_CHAT: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "lv": (
        ("Sveiki!", "Labdien.", "Čau!", "Labvakar!", "Sveiks,", "Labrīt 🙂", "Hei!"),
        ("Man ir 23 gadi, dzīvoju Ogrē.", "Esmu no Daugavpils, man 41.",
         "Man ir divi bērni un suns.", "Ilgi domāju, vai rakstīt.", "Piedodiet par garo ziņu.",
         "Šobrīd strādāju par šoferi.", "Pagaidām mācos un strādāju vakaros.",
         "Vasarā pārcēlos uz Rīgu.", "Draudzene ieteica pajautāt šeit.",
         "Esmu pensijas priekšvakarā, bet gribu pamēģināt ko jaunu.",
         "Man patīk sports un ceļošana.", "Pēc profesijas esmu pavārs."),
        ("Paldies jau iepriekš!", "Būšu pateicīga par atbildi.", "Paldies!", "🙏",
         "Jauku dienu!"),
    ),
    "ru": (
        ("Здравствуйте!", "Привет!", "Добрый день.", "Добрый вечер!", "Приветствую,",
         "Доброе утро 🙂", "Хай!"),
        ("Мне 23, живу в Гродно.", "Я из Самары, мне 41.", "У меня двое детей и собака.",
         "Долго думала, писать или нет.", "Извините за длинное сообщение.",
         "Сейчас работаю водителем.", "Пока учусь и подрабатываю вечерами.",
         "Летом переехал в Ригу.", "Подруга посоветовала спросить здесь.",
         "Мне скоро на пенсию, но хочу попробовать что-то новое.",
         "Люблю спорт и путешествия.", "По профессии я повар."),
        ("Заранее спасибо!", "Буду благодарна за ответ.", "Спасибо!", "🙏",
         "Хорошего дня!"),
    ),
}


def in_chat(question: str, lang: str, rng: random.Random) -> str:
    """The question as part of a chat message: often a greeting, a line or two about the
    writer before or after it, sometimes thanks."""
    hello, about, thanks = _CHAT[lang]
    parts = list(rng.sample(about, rng.choice((1, 1, 2))))
    parts.insert(rng.randrange(len(parts) + 1), question)
    if rng.random() < 0.7:
        parts.insert(0, rng.choice(hello))
    if rng.random() < 0.4:
        parts.append(rng.choice(thanks))
    return " ".join(parts)


def cross_validate(kb: KnowledgeBase, k: int = 5, typed: bool = True, seed: int = 11,
                   chat_share: float = 0.4) -> list[Trial]:
    """Held-out trials for every example question (typed the way users type when `typed`,
    `chat_share` of them inside a chat message) and every out-of-domain example, each asked
    of models that never saw it."""
    rng = random.Random(seed)
    trials: list[Trial] = []
    for train, held in folds(kb, k):
        index, classifier = Index(train), TopicClassifier.train(train)
        talk = small_talk_words(train)
        for tid, lang, q in held:
            asked = perturb(q, lang, rng) if typed and tid is not None else q
            if typed and rng.random() < chat_share:
                asked = in_chat(asked, lang, rng)
            trials.append(Trial(asked, tid, lang, "cv" if tid else "ood",
                                read(index, classifier, asked, talk)))
    return trials


def _index_and_talk(kb: KnowledgeBase, matcher: Matcher | None) -> tuple[Index, frozenset[str]]:
    """What each fold's classifier is read beside: the matcher's index and small-talk
    words, built here when no matcher is given (its own classifier would go unused)."""
    if matcher is not None:
        return matcher.index, matcher.small_talk
    return Index(kb), small_talk_words(kb)


def held_out_trials(kb: KnowledgeBase, k: int = 3, matcher: Matcher | None = None,
                    off_topic: bool = True) -> list[Trial]:
    """Every calibration question (users' wording) and, with `off_topic`, every
    out-of-domain example, each asked of a classifier trained without its fold of both
    (the topics' examples all kept; the index never sees either): how the bot fares on
    wording its model never saw, in k trainings. The calibration questions come first,
    in the knowledge base's order. What `python -m bot check` reports."""
    index, talk = _index_and_talk(kb, matcher)
    users: list[tuple[int, Trial]] = []
    off: list[Trial] = []
    for f in range(k):
        held_users = [(i, c) for i, c in enumerate(kb.calibration) if i % k == f]
        held_off: list[tuple[str, str]] = []
        kept = dict(kb.out_of_domain)
        if off_topic:
            for lang in LANGS:
                qs = kb.out_of_domain.get(lang, ())
                held_off += [(lang, q) for i, q in enumerate(qs) if i % k == f]
                kept[lang] = tuple(q for i, q in enumerate(qs) if i % k != f)
        if not held_users and not held_off:
            continue
        classifier = TopicClassifier.train(dataclasses.replace(
            kb, out_of_domain=kept,
            calibration=tuple(c for i, c in enumerate(kb.calibration) if i % k != f)))
        users += [(i, Trial(q, tid, lang, "user", read(index, classifier, q, talk)))
                  for i, (tid, lang, q) in held_users]
        off += [Trial(q, None, lang, "ood", read(index, classifier, q, talk))
                for lang, q in held_off]
    return [*(t for _, t in sorted(users, key=lambda it: it[0])), *off]


def user_trials(kb: KnowledgeBase, matcher: Matcher | None = None, k: int = 5) -> list[Trial]:
    """The calibration questions alone (what the fit learns from), every model keeping all
    the off-topic examples."""
    return held_out_trials(kb, k, matcher, off_topic=False)


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


def judge(trials: Sequence[Trial], c: Confidence,
          arranged: Sequence[Arranged] | None = None,
          ps: Sequence[float] | None = None) -> Outcomes:
    """What the decision would do on the trials with this confidence model (`arranged`:
    the trials' rankings for c.index_weight, and `ps` their probabilities under c's model,
    when already computed)."""
    counts = dict(in_domain=0, answered_right=0, answered_wrong=0, suggested_right=0,
                  out_of_domain=0, refused=0, ood_answered=0)
    for i, t in enumerate(trials):
        v = conclude(arranged[i] if arranged is not None else t.reading, c,
                     ps[i] if ps is not None else None)
        outcome, topic, picks = v.outcome, v.topic, v.picks
        if t.expect is None:
            counts["out_of_domain"] += 1
            counts["ood_answered" if outcome == "answer" else "refused"] += 1
            continue
        counts["in_domain"] += 1
        if outcome == "answer":
            # Answered with another topic, this one a button away (`also`), is misled all
            # the same: the answer shown first is the wrong one (and every evaluation
            # counts it so). A message that asks two things expects the first one asked.
            right = topic == t.expect
            counts["answered_right" if right else "answered_wrong"] += 1
        elif outcome == "suggest" and any(p.topic == t.expect for p in picks):
            counts["suggested_right"] += 1
    return Outcomes(**counts)


@dataclass(frozen=True, slots=True)
class Limits:
    """What a fitted decision is worth and must keep to (see `fit_confidence`)."""

    # A confident wrong answer costs as much as this many right answers gain: the user
    # is misled, where "did you mean" or "I don't know" only costs a tap or a rewording.
    wrong_cost: float = 5.0
    # Wrong answers among the cross-validation trials. Looser than for users' questions:
    # a hidden example often asks about a detail no other example covers, so with it
    # hidden nothing teaches that detail — a harder test than real traffic.
    max_wrong: float = 0.10
    max_wrong_users: float = 0.01  # wrong answers in traffic of users' questions ...
    ood_share: float = 0.1  # ... in which this share is out of domain
    min_refused: float = 0.95  # out-of-domain examples that must get no answer

    def refused_enough(self, o: Outcomes) -> bool:
        """At least `min_refused` of the hidden out-of-domain examples refused, give or take
        one standard error of that share: a refusal rate measured on ~500 examples is
        known to about a point, and a hard edge let one example flip the whole fit."""
        n = max(o.out_of_domain, 1)
        slack = math.sqrt(self.min_refused * (1 - self.min_refused) / n)
        return o.refused / n >= self.min_refused - slack


_INDEX_WEIGHTS = (1.0, 1.5, 2.0)
# The logistic model's regularization: 78 terms (features and their products) learnt from
# ~2,500 trials, held back so that no rare combination decides alone.
_C = 0.3
_ALSO_LEADS = (0.5, 0.75, 1.0)
_ANSWER = tuple(round(0.3 + 0.05 * i, 2) for i in range(14))  # 0.30 … 0.95


def _table(arranged: Sequence[Arranged], trials: Sequence[Trial]) -> tuple[np.ndarray, np.ndarray]:
    """Features of each trial's whole-message ranking, and whether its best topic is right."""
    x = np.array([a.whole.features for a in arranged], dtype=np.float64)
    y = np.array([t.expect is not None and a.whole.best == t.expect
                  for t, a in zip(trials, arranged, strict=True)])
    return x, y


_LENGTHS = (5, 10, 20)  # content words: 1-4, 5-9, 10-19, 20+


def _length_balance(trials: Sequence[Trial], kinds: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Factors that give the off-topic trials (kind 0) the in-domain trials' mix of message
    lengths. The off-topic examples are mostly short, the users' questions often long chat
    messages: unbalanced, the model learns that a long message is about the job."""
    bucket = np.array([int(np.searchsorted(_LENGTHS, t.reading.whole.words, side="right"))
                       for t in trials])
    ood = kinds == 0
    factors = np.ones(len(trials))
    n = len(_LENGTHS) + 1
    in_w = np.bincount(bucket[~ood], weights=weight[~ood], minlength=n).astype(np.float64)
    ood_w = np.bincount(bucket[ood], weights=weight[ood], minlength=n).astype(np.float64)
    in_share = in_w / max(float(in_w.sum()), 1e-12)
    ood_share = ood_w / max(float(ood_w.sum()), 1e-12)
    for b in range(n):
        if ood_share[b] > 0:
            factors[ood & (bucket == b)] = in_share[b] / ood_share[b]
    return factors


def fit_confidence(cv: Sequence[Trial], users: Sequence[Trial],
                   limits: Limits | None = None) -> tuple[Confidence, Outcomes, Outcomes]:
    """The confidence model worth most on both the hidden examples (`cv`, with hidden
    out-of-domain examples) and users' wording (`users`), within `limits`. For every index
    weight, a logistic regression learns P(best topic is right) from the ranking's
    features — the three kinds of trials weighted equally, so neither the many hidden
    examples nor the users' questions decide alone; then every answer threshold and
    two-question lead is tried. Each is worth, on users' questions in traffic with
    `ood_share` out of domain, its share of right answers, plus half its share of right
    suggestions (one more tap), minus `wrong_cost` times its share of wrong answers. The
    hidden examples only bound it (`max_wrong`): they often ask about a detail no other
    example covers, far harder than real traffic, and would rule every answer too risky.
    Returns the model and the outcomes on `cv` and on `users` + the hidden out-of-domain
    examples."""
    from sklearn.linear_model import LogisticRegression

    lim = limits or Limits()
    ood = [t for t in cv if t.expect is None]
    users_ood = [*users, *ood]
    kinds = np.array([0 if t.expect is None else 1 if t.source == "cv" else 2
                      for t in [*cv, *users]])
    counts = np.bincount(kinds, minlength=3).astype(np.float64)
    sample_weight = (len(kinds) / 3.0) / np.maximum(counts[kinds], 1.0)
    sample_weight *= _length_balance([*cv, *users], kinds, sample_weight)
    best: tuple[float, Confidence, Outcomes, Outcomes] | None = None
    for w in _INDEX_WEIGHTS:
        arr_cv = [arrange(t.reading, w) for t in cv]
        arr_users = [arrange(t.reading, w) for t in users_ood]
        x, y = _table([*arr_cv, *arr_users[:len(users)]], [*cv, *users])
        center = tuple(round(float(v), 3) for v in x.mean(axis=0))
        scale = tuple(round(float(v), 3) if v > 1e-6 else 1.0 for v in x.std(axis=0))
        model = LogisticRegression(C=_C, max_iter=5000)
        model.fit(np.array([terms(tuple(row), center, scale) for row in x]), y,
                  sample_weight=sample_weight)
        base = Confidence(index_weight=w, center=center, scale=scale,
                          weights=tuple(round(float(v), 3) for v in model.coef_[0]),
                          bias=round(float(model.intercept_[0]), 3))
        # P depends on the model, not on the thresholds tried below: computed once.
        ps_cv = [confidence_of(a, base) for a in arr_cv]
        ps_users = [confidence_of(a, base) for a in arr_users]
        for also, a, alone in itertools.product(_ALSO_LEADS, _ANSWER, _ANSWER):
            if alone > a:
                continue
            c = dataclasses.replace(base, answer=a, also=also, alone=alone)
            o, u = judge(cv, c, arr_cv, ps_cv), judge(users_ood, c, arr_users, ps_users)
            u_wrong = u.traffic_wrong_rate(lim.ood_share)
            if (o.wrong_rate > lim.max_wrong or u_wrong > lim.max_wrong_users
                    or not lim.refused_enough(o)):
                continue
            key = (u.right_rate + 0.5 * u.suggested_right / max(u.in_domain, 1)
                   - lim.wrong_cost * u_wrong)
            if best is None or key > best[0] + 1e-9:
                best = (key, c, o, u)
    if best is None:
        c = Confidence()
        return c, judge(cv, c), judge(users_ood, c)
    return best[1], best[2], best[3]
