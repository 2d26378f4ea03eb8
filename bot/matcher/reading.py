"""What the models say about one message: both signals for the whole of it, and for the
parts a chat message is made of (the question without the small talk around it, each
clause of a question that may ask two things). Computed once per message — the models
are needed — and decided on many times (decide.conclude is pure), which is how calibration
tries many decision settings on the same trials.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..knowledge.contract import SMALL_TALK
from ..knowledge.model import LANGS, KnowledgeBase
from .classifier import TopicClassifier, known_text, model_text
from .index import Index, Scored
from .roles import ROLE_WORDS, named_occupations, speaks_of_self
from .segments import asks_outright, clauses, is_question, question_part, reacts, sentences

# A small-talk word: in at least this many small-talk examples, and this many times more
# often (as a share of examples) than in the other topics' examples.
_TALK_MIN = 2
_TALK_RATIO = 10

@dataclass(frozen=True, slots=True)
class Signals:
    """What both models say about one text, before they are weighed together."""

    classes: tuple[str, ...]
    ood: int  # position of the out-of-domain class in `classes` (-1: none)
    scores: np.ndarray  # classifier decision values, one per class
    index: tuple[Scored, ...]  # the fuzzy index's ranking
    words: int  # content words in the text: a long message spreads its scores thinner
    role: bool  # the text names the role (any of its names, or a bare "manager")
    foreign: bool  # its question names another occupation, and the message not this role
    # Classifier scores of the question sentences alone, when the text has other sentences
    # too (a story's everyday words also fill the off-topic examples: the question decides
    # whether the message is off-topic).
    asked: np.ndarray | None = None
    refusal: float = 0.0  # the refusal model's margin (> 0: off-topic), the question's own if lower
    # Topics whose own examples name the occupations the question names ("Vai amata
    # apraksts jāsaskaņo ar juristu?"): about them, naming one is no other job.
    names_too: frozenset[str] = frozenset()


_Asked = tuple[tuple[Scored, ...], frozenset[str] | None, np.ndarray | None]


def signals(index: Index, classifier: TopicClassifier, text: str,
            with_index: bool = True, memo: dict[str, _Asked] | None = None) -> Signals:
    """Both signals for a text (calibration calls this with models trained on folds). The
    classifier reads the whole message; the index, which matches single example questions,
    reads only its question sentences when it has other sentences too. (`memo`: what was
    said of question sentences read before — a message and the same message without its
    greeting usually ask in the same sentences.)"""
    part = question_part(text)
    asked = part or text
    skeleton = model_text(text)
    words = skeleton.split()
    seen = memo.get(asked) if memo is not None and part else None
    if seen is not None:
        ranked, names_other, asked_row = seen
        values = classifier.decide_many((skeleton,))[0]
    else:
        ranked = tuple(index.score(asked)) if with_index else ()
        names_other = named_occupations(asked)
        asked_skeleton = model_text(asked) if part else skeleton
        both = classifier.decide_many((skeleton, asked_skeleton) if part else (skeleton,))
        values = both[0]
        asked_row = both[1] if part else None
        if memo is not None and part:
            memo[asked] = (ranked, names_other, asked_row)
    role = any(w in ROLE_WORDS for w in words)
    # Another occupation in the question, and this role nowhere in the message.
    foreign = not role and names_other != frozenset()
    asked_values = asked_row
    refusal = float(values[-1] if asked_values is None else min(values[-1], asked_values[-1]))
    return Signals(classifier.classes, classifier.ood, values[:-1], ranked,
                   len(words), role, foreign,
                   asked_values[:-1] if asked_values is not None else None, refusal,
                   index.topics_naming(names_other) if foreign and names_other else frozenset())


@dataclass(frozen=True, slots=True)
class Reading:
    """Everything the models say about one message, in the parts the decision needs:
    computed once (models required), decided on many times (pure, see `conclude`)."""

    whole: Signals
    # The message without its small-talk words, when it has some and a question is left
    # ("Sveiki! ... Kādi ir pienākumi? Paldies!") and small talk leads a signal or the
    # index's nearest example greets too; None otherwise. The question decides.
    rest: Signals | None
    # Each clause of the question sentences (classifier only), when there are two or more,
    # and whether the clause is itself worded as a question: "plusi un mīnusi", "what are
    # the duties, and how much do they pay?".
    clauses: tuple[tuple[Signals, bool], ...]


def small_talk_words(kb: KnowledgeBase) -> frozenset[str]:
    """Words (skeleton form) that are the knowledge base's small talk: "sveiki",
    "paldies", "привет", "пока"… — what a greeting or thanks adds around a question.

    A word is small talk when small-talk examples use it far more often than the other
    topics' examples do, not only when no other example uses it: examples written as chat
    messages ("Привет! Объясни, …") and users' questions filed by the learning loop greet
    too, and one such example must not turn "привет" into a word of the question."""
    talk: Counter[str] = Counter()
    other: Counter[str] = Counter()
    n_talk = n_other = 0
    for tid, t in kb.topics.items():
        for lang in LANGS:
            for q in (t.title.get(lang), *t.questions[lang]):
                words = set(known_text(q).split())
                if tid in SMALL_TALK:
                    talk.update(words)
                    n_talk += 1
                else:
                    other.update(words)
                    n_other += 1
    return frozenset(
        w for w, c in talk.items()
        if c >= _TALK_MIN and c * n_other >= _TALK_RATIO * other[w] * n_talk
    )


@lru_cache(maxsize=65536)
def _word_skeleton(word: str) -> tuple[str, ...]:
    # Remembered per word, as the stemmer's words are: a greeting's words recur in every
    # chat, and reading each word of a long message as a text of its own costs the most.
    return tuple(model_text(word).split())


def without_small_talk(text: str, talk: frozenset[str]) -> str | None:
    """The message without its small-talk words, or None when it has none or nothing else
    ("Sveiki! Kādi ir pienākumi? Paldies!" → "Kādi ir pienākumi?")."""
    kept, dropped = [], False
    for word in text.split():
        skeleton = _word_skeleton(word)
        if skeleton and all(w in talk for w in skeleton):
            dropped = True
        else:
            kept.append(word)
    rest = " ".join(kept)
    return rest if dropped and model_text(rest) else None


def read(index: Index, classifier: TopicClassifier, text: str,
         talk: frozenset[str] = frozenset(), with_clauses: bool = True) -> Reading:
    """Both signals for the whole message and for the parts that may matter (`talk`: the
    knowledge base's small-talk words, see `small_talk_words`). Without `with_clauses`
    the clauses are left for `read_clauses`, wanted only when the message is answered."""
    memo: dict[str, _Asked] = {}
    whole = signals(index, classifier, text, memo=memo)
    rest = None
    # (A message that says exactly what a small-talk example says is small talk whatever
    # its words: "Čau, kā iet?", "Привет, как дела?" ask nothing about the job.)
    if not _small_talk_said(whole) and (_small_talk_first(whole) or _greets(whole, talk)):
        stripped = without_small_talk(text, talk)
        # Worded as a question, or a query about the role as people type one into a
        # search box: "Привет! зарплата аккаунт менеджера", "Sveiki! konta pārvaldnieka
        # pienākumi. Paldies!" — the role and what about it. (Not a reaction, nor the
        # writer's own story: "Привет, я тоже аккаунт-менеджер".)
        if stripped is not None and (asks_outright(stripped) or _role_query(stripped, text)):
            rest = signals(index, classifier, stripped, memo=memo)
        elif stripped is None and asks_outright(text) and _role_query(text, text):
            # No small-talk word in it, yet a question about the role that shares a word
            # with small talk ("А аккаунт-менеджер работает по выходным?" — "Хороших
            # выходных!"): a question all the same, never answered as small talk.
            rest = whole
    return Reading(whole, rest, read_clauses(classifier, text) if with_clauses else ())


_MAX_CLAUSES = 6  # two questions are asked side by side, not ten clauses apart


def read_clauses(classifier: TopicClassifier, text: str) -> tuple[tuple[Signals, bool], ...]:
    """The classifier's view of each clause of the question sentences (of every sentence
    when none reads as a question: "plusi un mīnusi"), when there are two or more, and
    whether each is worded as a question."""
    parts = sentences(text)
    asked = [s for s in parts if s.question] or list(parts)
    pieces, skeletons = [], []
    for cl in (cl for s in asked for cl in clauses(s.text)):
        skeleton = model_text(cl)
        # A clause that only names the role ("klientu menedžeris un pārdošanas speciālists",
        # "vai account manager — tā ir laba profesija?") says what the message is about, not
        # a second thing it asks — even with a question word before it.
        if skeleton and not all(w in ROLE_WORDS for w in skeleton.split()):
            pieces.append(cl)
            skeletons.append(skeleton)
            if len(pieces) == _MAX_CLAUSES:
                break  # (the rest of a long message is not read)
    if len(pieces) < 2:
        return ()
    rows = classifier.decide_many(skeletons)
    return tuple((Signals(classifier.classes, classifier.ood, values[:-1], (), 0, False, False,
                          None, float(values[-1])), is_question(cl))
                 for cl, values in zip(pieces, rows, strict=True))


def _role_query(part: str, text: str) -> bool:
    """The part names the role and more; it is not the writer's own story ("я тоже
    аккаунт-менеджер"), and the message does not react to an answer ("tagad saprotu, ko
    dara…")."""
    return _names_role_and_more(part) and not reacts(text) and not speaks_of_self(part)


def _names_role_and_more(text: str) -> bool:
    """The text names the role and at least one more content word (as `signals` counts
    them: its `role` and `words`)."""
    words = model_text(text).split()
    return len(words) > 1 and any(w in ROLE_WORDS for w in words)


def _small_talk_said(sig: Signals) -> bool:
    """The index finds the text word for word among a small-talk topic's examples."""
    return bool(sig.index) and sig.index[0].exact and sig.index[0].topic in SMALL_TALK


def _small_talk_first(sig: Signals) -> bool:
    """Small talk leads by either signal (the classifier over topics, or the index)."""
    s = sig.scores.copy()
    if sig.ood >= 0:
        s[sig.ood] = -np.inf
    return sig.classes[int(np.argmax(s))] in SMALL_TALK or (
        bool(sig.index) and sig.index[0].topic in SMALL_TALK)


def _greets(sig: Signals, talk: frozenset[str]) -> bool:
    """The index's nearest example opens with a greeting too ("Привет! Объясни, кто такой
    …"): the message may have matched it by its greeting. (Its first word only: that is
    where a greeting stands, and a new example's words are not read one by one.)"""
    if not sig.index or not (words := sig.index[0].example.split(maxsplit=1)):
        return False
    skeleton = _word_skeleton(words[0])
    return bool(skeleton) and all(t in talk for t in skeleton)
