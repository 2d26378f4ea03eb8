"""The topic classifier is trained from the knowledge YAML at every load: an admin's edit
changes what it knows, with no model file anywhere."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer

from bot.knowledge.loader import load_knowledge
from bot.knowledge.model import KnowledgeBase
from bot.matcher.calibrate import held_out_trials, user_trials
from bot.matcher.classifier import (
    OUT_OF_DOMAIN,
    TopicClassifier,
    _CharGrams,
    char_tfidf,
    known_text,
    model_text,
    training_set,
)
from bot.matcher.decide import Matcher
from bot.state import KnowledgeState

OUT_OF_DOMAIN_FILE = """\
out_of_domain:
  lv:
    - Kāds būs laiks rīt?
    - Kā pagatavot zupu?
  ru:
    - Какая завтра погода?
    - Как сварить суп?
"""


def best(classifier: TopicClassifier, text: str) -> str:
    return classifier.classes[int(np.argmax(classifier.scores(text)))]


def test_trained_from_a_small_knowledge_base_written_here(small_kb: Callable[..., Path]) -> None:
    kb = load_knowledge(small_kb({"ood.yaml": OUT_OF_DOMAIN_FILE}), required_topics=())
    c = TopicClassifier.train(kb)
    assert set(c.classes) == {"demo.duties", "demo.pay", "demo.hello", OUT_OF_DOMAIN}
    # wordings that are not examples: another word order, no diacritics, translit
    assert best(c, "cik naudas mēnesī nopelna tas demonstretajs") == "demo.pay"
    assert best(c, "skolko zarabatyvaet demonstrator") == "demo.pay"
    assert best(c, "ko ikdienā dara demonstrētājs darbā") == "demo.duties"
    assert best(c, "rīt būs lietains laiks?") == OUT_OF_DOMAIN


def scikit_learn_vectorizers(kb: KnowledgeBase, c: TopicClassifier) -> list[TfidfVectorizer]:
    """The feature pipeline as scikit-learn makes it, fitted on the classifier's texts."""
    texts = [known_text(t) for t, _, _ in training_set(kb, c.settings)]
    vectorizers = [
        TfidfVectorizer(analyzer=_CharGrams(*c.settings.char_ngrams), sublinear_tf=True,
                        lowercase=False, dtype=np.float64),
        TfidfVectorizer(analyzer="word", ngram_range=c.settings.word_ngrams, sublinear_tf=True,
                        lowercase=False, token_pattern=r"\S+", dtype=np.float64),
    ]
    for v in vectorizers:
        v.fit(texts)
    return vectorizers


def test_character_features_are_scikit_learns(kb: KnowledgeBase) -> None:
    """The classifier builds its character n-gram block word by word; scikit-learn's
    vectorizer over the same texts learns the same vocabulary and idf and makes the same
    matrix (the knowledge base's own texts, an empty one and repeated words among them)."""
    texts = [known_text(t) for t, _, _ in training_set(kb)] + ["", "alg alg alg", "a"]
    sk = TfidfVectorizer(analyzer=_CharGrams(2, 5), sublinear_tf=True, lowercase=False,
                         dtype=np.float64)
    expected = sk.fit_transform(texts)
    matrix, vocabulary, idf = char_tfidf(texts, 2, 5)
    assert vocabulary == sk.vocabulary_
    assert np.allclose(idf, sk.idf_)
    assert matrix.shape == expected.shape and abs(matrix - expected).max() < 1e-12


def test_fast_scoring_gives_scikit_learns_numbers(small_kb: Callable[..., Path]) -> None:
    kb = load_knowledge(small_kb({"ood.yaml": OUT_OF_DOMAIN_FILE}), required_topics=())
    c = TopicClassifier.train(kb)
    vectorizers, model = scikit_learn_vectorizers(kb, c), c._sk
    texts = ["", "???", "Cik nopelna demonstrētājs?", "что делает демонстратор клиентам",
             "zzzz qqqq", "demonstrētāja demonstrētāja demonstrētāja alga alga",
             "Sveiki! Man ir 30 gadi. Ko dara demonstrētājs, un cik viņš nopelna?"]
    for text in texts:
        skeleton = model_text(text)
        features = hstack([v.transform([skeleton]) for v in vectorizers]).tocsr()
        assert np.allclose(c.scores(text), model.decision_function(features)[0]), text
    # A message is read whole, by its question and by its clauses in one batch: every row
    # must be that text's own numbers, whatever stands beside it (empty texts included).
    skeletons = [model_text(t) for t in texts]
    rows = c.decide_many(skeletons)
    assert rows.shape == (len(texts), len(c.classes) + 1)
    for skeleton, row in zip(skeletons, rows, strict=True):
        features = hstack([v.transform([skeleton]) for v in vectorizers]).tocsr()
        assert np.allclose(row[:-1], model.decision_function(features)[0]), skeleton
        assert np.allclose(row, c.decide_many([skeleton])[0]), skeleton


CALIBRATION_FILE = """\
calibration:
  demo.pay:
    lv:
      - "cik naudas paliek pāri pēc nodokļu nomaksas"
  demo.duties:
    lv:
      - "kā paiet darbadiena stendā izstādē"
"""


def test_users_wording_in_calibration_teaches_the_classifier(small_kb: Callable[..., Path]
                                                             ) -> None:
    # Users' wording is not the examples' tidy one: what a calibration question says, the
    # model learns (the index, which matches examples word for word, is not given it).
    plain = load_knowledge(small_kb({"ood.yaml": OUT_OF_DOMAIN_FILE}), required_topics=())
    users = load_knowledge(small_kb({"ood.yaml": OUT_OF_DOMAIN_FILE,
                                     "calibration.yaml": CALIBRATION_FILE}), required_topics=())
    question = "kāda ir darbadiena izstādes stendā?"
    assert best(TopicClassifier.train(plain), question) != "demo.duties"
    assert best(TopicClassifier.train(users), question) == "demo.duties"
    assert Matcher(users).index.score(question) == Matcher(plain).index.score(question)


def test_calibration_asks_each_users_question_of_a_model_trained_without_it(
        small_kb: Callable[..., Path]) -> None:
    kb = load_knowledge(small_kb({"ood.yaml": OUT_OF_DOMAIN_FILE,
                                  "calibration.yaml": CALIBRATION_FILE}), required_topics=())
    m = Matcher(kb)
    trials = user_trials(kb, m, k=2)
    assert [(t.expect, t.text) for t in trials] == [(tid, q) for tid, _, q in kb.calibration]
    for t in trials:
        i = m.classifier.classes.index(t.expect)
        seen = m.read(t.text).whole.scores[i]
        assert t.reading.whole.scores[i] < seen - 0.1, t.text  # not the model that learnt it


def test_check_asks_users_and_off_topic_questions_of_models_trained_without_them(
        small_kb: Callable[..., Path]) -> None:
    """`python -m bot check` reports how the bot does on wording it never learnt: a figure
    from models that saw the question would only say that the model can remember."""
    kb = load_knowledge(small_kb({"ood.yaml": OUT_OF_DOMAIN_FILE,
                                  "calibration.yaml": CALIBRATION_FILE}), required_topics=())
    m = Matcher(kb)
    trials = held_out_trials(kb, k=2, matcher=m)
    off = [q for lang in ("lv", "ru") for q in kb.out_of_domain[lang]]
    n = len(kb.calibration)
    assert [(t.expect, t.text) for t in trials[:n]] == [(tid, q) for tid, _, q in kb.calibration]
    assert sorted((t.expect, t.text) for t in trials[n:]) == sorted((None, q) for q in off)
    ood = m.classifier.ood
    for t in trials:
        i = ood if t.expect is None else m.classifier.classes.index(t.expect)
        seen = m.read(t.text).whole.scores[i]
        assert t.reading.whole.scores[i] < seen - 0.1, t.text  # not the model that learnt it


def test_a_word_the_model_never_saw_reads_as_its_known_kin(small_kb: Callable[..., Path]
                                                           ) -> None:
    kb = load_knowledge(small_kb({"ood.yaml": OUT_OF_DOMAIN_FILE}), required_topics=())
    c = TopicClassifier.train(kb)
    # "atbild" is in demo.duties' answer; "atbildība" is nowhere
    assert np.allclose(c.scores("demonstrētāja atbildība"), c.scores("demonstrētāja atbild"))
    assert not np.allclose(c.scores("demonstrētāja atbildība"), c.scores("demonstrētāja"))


def test_one_topic_and_nothing_else_still_trains(small_kb: Callable[..., Path]) -> None:
    only_hello = small_kb({"demo.yaml": _one_topic()})
    c = TopicClassifier.train(load_knowledge(only_hello, required_topics=()))
    assert c.classes == ("demo.hello",)
    assert best(c, "sveiki") == "demo.hello"


@pytest.mark.slow
def test_a_reload_that_changes_an_example_changes_the_model(kb_dir: Path, tmp_path: Path) -> None:
    directory = tmp_path / "knowledge"
    shutil.copytree(kb_dir, directory)
    state = KnowledgeState(directory)
    question = "vai konta pārvaldnieks drīkst smēķēt birojā pie loga"
    before = state.current.matcher.classifier
    assert best(before, question) != "role.rights"

    role = directory / "role.yaml"
    text = role.read_text(encoding="utf-8")
    anchor = "        - 'Vai konta pārvaldnieks drīkst pats pieņemt lēmumus?'\n"
    assert anchor in text
    role.write_text(text.replace(anchor, anchor + "        - Vai konta pārvaldnieks drīkst "
                                 "smēķēt birojā?\n"), encoding="utf-8")
    assert state.reload() == []
    after = state.current.matcher.classifier
    assert after is not before
    assert best(after, question) == "role.rights"


def _one_topic() -> str:
    return """\
section: demo
order: 1
title:
  lv: Demo
  ru: Демо
topics:
  - id: demo.hello
    title:
      lv: Sveiciens
      ru: Приветствие
    answer:
      lv: Sveiki!
      ru: Здравствуйте!
    questions:
      lv: [sveiki]
      ru: [привет]
"""


@pytest.mark.parametrize("text", ["", " ", "🙂", "1234", "a" * 5000])
def test_any_text_gets_a_score_for_every_class(matcher: Matcher, text: str) -> None:
    c = matcher.classifier
    s = c.scores(text)
    assert s.shape == (len(c.classes),) and np.isfinite(s).all()
