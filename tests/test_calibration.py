"""Calibration: the decision (decide.Confidence) is fitted on the knowledge base's own
questions that the models were not trained on, and the shipped one keeps wrong answers
within the limits it was chosen for."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rapidfuzz import fuzz, process

from bot.evaluation import Case, load_cases
from bot.knowledge.model import KnowledgeBase
from bot.matcher.calibrate import (
    Limits,
    Outcomes,
    Trial,
    _length_balance,
    cross_validate,
    fit_confidence,
    judge,
    perturb,
    user_trials,
)
from bot.matcher.decide import Confidence, Matcher, arrange, confidence_of

pytestmark = pytest.mark.slow  # fits the decision: cross-validated training of the models


@pytest.fixture(scope="module")
def trials(kb: KnowledgeBase, matcher: Matcher) -> tuple[list[Trial], list[Trial]]:
    return cross_validate(kb), user_trials(kb, matcher)


@pytest.fixture(scope="module")
def fitted(trials: tuple[list[Trial], list[Trial]]) -> tuple[Confidence, Outcomes, Outcomes]:
    """The fit with the shipped limits (half a minute: two tests share it)."""
    return fit_confidence(*trials)


def test_calibration_questions_are_not_examples_the_matcher_is_given(kb: KnowledgeBase) -> None:
    given = {(t.id, lang, q.casefold().strip(" ?!."))
             for t in kb.topics.values() for lang in t.questions for q in t.questions[lang]}
    assert len(kb.calibration) >= 400
    assert sum(len(q.split()) >= 20 for _, _, q in kb.calibration) >= 100  # chat messages too
    assert not [q for q in kb.calibration if (q[0], q[1], q[2].casefold().strip(" ?!.")) in given]


ROOT = Path(__file__).resolve().parents[1]


def _measured(with_heldout: bool = True) -> list[Case]:
    """The cases of every set we measure with (`with_heldout`: our held-out sets too)."""
    sets = [*(sorted((ROOT / "benchmarks" / "heldout").glob("*.yaml")) if with_heldout else ()),
            *sorted((ROOT / "benchmarks" / "testset").glob("*.yaml")),
            *sorted((ROOT.parent / "shared" / "eval").glob("*.yaml"))]
    return [c for path in sets for c in load_cases(str(path))]


def test_no_calibration_question_is_a_question_we_measure_with(kb: KnowledgeBase) -> None:
    # Calibration questions train the classifier: one worded (nearly) as a held-out or
    # evaluation question would be the answer key in the model.
    measured = [c.q.casefold() for c in _measured()]
    assert len(measured) > 2000
    ours = [q.casefold() for _, _, q in kb.calibration]
    close = process.cdist(ours, measured, scorer=fuzz.ratio, score_cutoff=90, workers=1)
    assert not [ours[i] for i in np.flatnonzero(close.max(axis=1))]


def test_no_example_question_is_an_evaluation_question_of_its_topic(kb: KnowledgeBase) -> None:
    # The same for the topics' examples, which the index matches word for word: an
    # evaluation question (or the test set's) written into its own topic is answered by
    # lookup and measures nothing. Greetings and two- or three-word queries ("Привет",
    # "alga?", "карьерный рост аккаунт-менеджера") are the domain's own vocabulary and
    # any knowledge base has them; our held-out lv/ru sets are excluded by design (they
    # ask the examples again as people type them: no diacritics, typos).
    measured = [c for c in _measured(with_heldout=False) if c.expect]
    assert len(measured) > 600
    texts = [c.q.casefold() for c in measured]
    ours = [(t.id, q) for t in kb.topics.values() for lang in t.questions
            for q in t.questions[lang] if len(q.split()) >= 4]
    close = process.cdist([q.casefold() for _, q in ours], texts, scorer=fuzz.ratio,
                          score_cutoff=90, workers=1)
    assert not [q for (tid, q), row in zip(ours, close, strict=True)
                if any(tid in (measured[j].expect or ()) for j in np.flatnonzero(row))]


def test_hidden_examples_are_asked_of_models_that_never_saw_them(
    trials: tuple[list[Trial], list[Trial]]
) -> None:
    cv, _ = trials
    ood = [t for t in cv if t.expect is None]
    assert len(ood) >= 300 and len(cv) - len(ood) >= 1600
    # a model trained with the question would rank its topic first nearly always;
    # hidden, a good share is missed: the folds really hide them
    right = sum(arrange(t.reading, 1.0).whole.best == t.expect for t in cv if t.expect)
    assert right / (len(cv) - len(ood)) < 0.9


def test_shipped_confidence_keeps_wrong_answers_within_its_limits(
    trials: tuple[list[Trial], list[Trial]]
) -> None:
    cv, users = trials
    lim = Limits()
    ood = [t for t in cv if t.expect is None]
    o, u = judge(cv, Confidence()), judge([*users, *ood], Confidence())
    assert o.wrong_rate <= lim.max_wrong
    assert u.traffic_wrong_rate(lim.ood_share) <= lim.max_wrong_users
    assert lim.refused_enough(o)
    # and the users' wording (chat messages included) is mostly answered, not just refused
    assert u.right_rate >= 0.8


def test_calibration_recommends_the_shipped_confidence(
    fitted: tuple[Confidence, Outcomes, Outcomes]
) -> None:
    # If this fails after a knowledge change, run benchmarks/calibrate.py and ship what it
    # recommends (decide.Confidence), so the documented origin of the decision stays true.
    recommended, _, _ = fitted
    shipped = Confidence()
    assert dataclasses.replace(recommended, weights=shipped.weights, bias=shipped.bias) == shipped
    # the fitted weights, to what float sums in another order (hash seeds) and another CPU
    # may change in the second decimal
    assert recommended.weights == pytest.approx(shipped.weights, abs=0.05)
    assert recommended.bias == pytest.approx(shipped.bias, abs=0.05)


def test_dearer_wrong_answers_never_answer_more_wrongly(
    trials: tuple[list[Trial], list[Trial]], fitted: tuple[Confidence, Outcomes, Outcomes]
) -> None:
    _, _, loose = fitted  # a wrong answer costs five right ones
    _, _, strict = fit_confidence(*trials, Limits(wrong_cost=30.0))
    assert strict.answered_wrong + strict.ood_answered <= loose.answered_wrong + loose.ood_answered
    assert strict.right_rate <= loose.right_rate


def test_perturbed_question_stays_close_to_the_original() -> None:
    rng = random.Random(1)
    q = "Kādi ir konta pārvaldnieka pienākumi bankā?"
    for _ in range(50):
        typed = perturb(q, "lv", rng)
        assert abs(len(typed) - len(q)) <= 4
        assert typed.split()[0].lower().startswith("k")


@pytest.mark.parametrize("change", [{}, {"answer": 0.4}, {"answer": 0.9, "also": 0.25},
                                    {"index_weight": 0.5, "suggest": 0.4}])
def test_judging_prepared_rankings_equals_judging_from_scratch(
    trials: tuple[list[Trial], list[Trial]], change: dict[str, Any]
) -> None:
    c = dataclasses.replace(Confidence(), **change)
    everything = trials[0] + trials[1]
    prepared = [arrange(t.reading, c.index_weight) for t in everything]
    assert judge(everything, c, prepared) == judge(everything, c)
    # and with the probabilities computed once, as the fit tries thresholds
    ps = [confidence_of(a, c) for a in prepared]
    assert judge(everything, c, prepared, ps) == judge(everything, c)
    assert judge(everything, c, prepared, [1.0] * len(ps)) != judge(everything, c)  # read


@pytest.mark.parametrize(("expect", "right"), [("duties.general", True),
                                                ("salary.overview", False)])
def test_an_answer_with_the_expected_topic_only_as_a_button_is_judged_wrong(
        matcher: Matcher, expect: str, right: bool) -> None:
    """A message answered with one topic and another as a button: right only for the
    topic answered. Shown the other topic's answer first, the user was misled — the fit
    must not buy answers with such misses (every evaluation counts them wrong too)."""
    text = "pienākumi un alga"
    c = matcher.confidence
    trial = Trial(text, expect, "lv", "user", matcher.read(text))
    d = matcher.decide(text)
    assert (d.outcome, d.topic, d.also) == ("answer", "duties.general", ("salary.overview",))
    o = judge([trial], c)
    assert (o.answered_right, o.answered_wrong) == ((1, 0) if right else (0, 1))


def test_hidden_refusals_are_judged_within_their_standard_error() -> None:
    # 95 % of 493 is 468.35: a fit that refuses 468 is as good as one that refuses 469
    # (the share is measured to about a point), but 460 (93.3 %) is too few.
    def refusing(k: int) -> Outcomes:
        return Outcomes(in_domain=0, answered_right=0, answered_wrong=0, suggested_right=0,
                        out_of_domain=493, refused=k, ood_answered=493 - k)

    lim = Limits()
    assert lim.refused_enough(refusing(468)) and lim.refused_enough(refusing(464))
    assert not lim.refused_enough(refusing(460))


def test_off_topic_trials_weigh_as_the_in_domain_mix_of_lengths(
    trials: tuple[list[Trial], list[Trial]]
) -> None:
    """The off-topic examples are mostly short and the users' questions often long chat
    messages: unweighted, the fit would learn that a long message is about the job. Each
    length bucket (1-4, 5-9, 10-19, 20+ content words) weighs as much among the off-topic
    trials as among the in-domain ones."""
    cv, users = trials
    everything = [*cv, *users]
    kinds = np.array([0 if t.expect is None else 1 for t in everything])
    weight = np.ones(len(everything))
    factors = _length_balance(everything, kinds, weight)
    bucket = np.searchsorted((5, 10, 20), [t.reading.whole.words for t in everything],
                             side="right")
    ood = kinds == 0

    def share(mask: np.ndarray, w: np.ndarray, b: int) -> float:
        return float(w[mask & (bucket == b)].sum() / w[mask].sum())

    # as the knowledge base has them, the mixes differ (else this test would prove nothing)
    assert max(abs(share(ood, weight, b) - share(~ood, weight, b)) for b in range(4)) > 0.02
    for b in range(4):  # as the fit weighs them
        assert share(ood, factors, b) == pytest.approx(share(~ood, weight, b))
    assert (factors[~ood] == 1).all()
