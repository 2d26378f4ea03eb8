"""learned.yaml as the loader reads it: its questions become examples of their topic (or
off-topic examples), a wrong entry is refused with file and line like any admin mistake,
and a question that is already known is noted, not added twice."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.knowledge.errors import KnowledgeInvalid, Problem
from bot.knowledge.loader import load_knowledge
from bot.knowledge.model import LEARNED_FILE, KnowledgeBase
from bot.resources import knowledge_dir

SmallKb = Callable[..., Path]


def learned(*entries: str) -> str:
    return "# the bot's file\nlearned:\n" + "".join(entries)


def entry(eid: str, topic: str, lang: str, text: str, extra: str = "") -> str:
    return (f"  - id: {eid}\n    topic: {topic}\n    lang: {lang}\n    text: \"{text}\"\n"
            f"    by: cli\n    at: \"2025-01-31T12:00:00+00:00\"\n{extra}")


def load(d: Path) -> KnowledgeBase:
    return load_knowledge(d, required_topics=())


def problems_of(d: Path) -> list[Problem]:
    with pytest.raises(KnowledgeInvalid) as exc:
        load(d)
    return exc.value.problems


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_shipped_learned_file_is_there_and_empty(kb: KnowledgeBase) -> None:
    shipped = knowledge_dir() / LEARNED_FILE
    text = shipped.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=schema.json\n")
    assert "Never file a question from an evaluation set" in text
    assert text.rstrip().endswith("learned:")
    assert kb.learned == () and kb.notes == ()


@pytest.mark.parametrize("content", [None, "", "\n\n", "# nothing learned yet\n", "learned:\n",
                                     "learned: []\n"])
def test_a_missing_or_empty_learned_file_is_fine(small_kb: SmallKb, content: str | None) -> None:
    kb = load(small_kb({LEARNED_FILE: content}))
    assert kb.learned == () and kb.notes == ()
    assert kb.topics["demo.duties"].questions["lv"] == ("Ko dara demonstrētājs?",
                                                        "demonstrētāja pienākumi")


def test_learned_questions_join_their_topic_and_the_refusals(small_kb: SmallKb) -> None:
    text = learned(entry("a1", "demo.duties", "lv", "ar ko nodarbojas tāds demonstrētājs"),
                   entry("b2", "off-topic", "ru", "как испечь пирог"))
    kb = load(small_kb({LEARNED_FILE: text}))
    duties = kb.topics["demo.duties"]
    assert duties.questions["lv"][-1] == "ar ko nodarbojas tāds demonstrētājs"
    assert duties.learned == {"lv": ("ar ko nodarbojas tāds demonstrētājs",)}
    src = duties.question_source("lv", "ar ko nodarbojas tāds demonstrētājs")
    assert (src.file, src.line) == (LEARNED_FILE, line_of(text, "- id: a1"))
    # the topic's own examples still point at its own file
    own = duties.question_source("lv", "Ko dara demonstrētājs?")
    assert own.file == "demo.yaml"
    assert kb.out_of_domain["ru"] == ("как испечь пирог",)
    assert [(e.id, e.topic, e.lang, e.by) for e in kb.learned] == [
        ("a1", "demo.duties", "lv", "cli"), ("b2", None, "ru", "cli")]


def test_an_unknown_topic_is_refused_at_its_line(small_kb: SmallKb) -> None:
    text = learned(entry("a1", "demo.duties", "lv", "ar ko nodarbojas demonstrētājs"),
                   entry("b2", "demo.dutis", "lv", "kas jādara demonstrētājam"))
    [p] = problems_of(small_kb({LEARNED_FILE: text}))
    assert (p.file, p.line) == (LEARNED_FILE, line_of(text, "topic: demo.dutis"))
    assert "unknown topic 'demo.dutis'" in p.message and "did you mean 'demo.duties'" in p.message


def test_an_id_used_twice_is_refused(small_kb: SmallKb) -> None:
    text = learned(entry("a1", "demo.duties", "lv", "ar ko nodarbojas demonstrētājs"),
                   entry("a1", "demo.pay", "lv", "cik maksā demonstrētājam mēnesī"))
    [p] = problems_of(small_kb({LEARNED_FILE: text}))
    assert (p.file, p.line) == (LEARNED_FILE, line_of(text, "text: \"cik maksā") - 3)
    assert "'a1' is used twice" in p.message and f"{LEARNED_FILE}:3" in p.message


@pytest.mark.parametrize(("old", "new", "words"), [
    ("    lang: lv\n", "    lang: en\n", "'en' is not allowed"),
    ("    topic: demo.duties\n", "", "required key 'topic' is missing"),
    ('    at: "2025-01-31T12:00:00+00:00"\n', "    at: 2025-01-31T12:00:00+00:00\n",
     "read by YAML as a timestamp"),
    ('    at: "2025-01-31T12:00:00+00:00"\n', '    at: "2025-13-31T12:00:00"\n',
     "is not a date and time"),
    ("    by: cli\n", "    by: cli\n    who: me\n", "unknown key 'who'"),
])
def test_a_malformed_entry_names_its_line(small_kb: SmallKb, old: str, new: str,
                                          words: str) -> None:
    text = learned(entry("a1", "demo.duties", "lv", "ar ko nodarbojas demonstrētājs")).replace(
        old, new)
    problems = problems_of(small_kb({LEARNED_FILE: text}))
    assert any(words in p.message and p.file == LEARNED_FILE and p.line > 2 for p in problems), \
        problems


def test_a_question_over_two_lines_is_refused(small_kb: SmallKb) -> None:
    text = learned(entry("a1", "demo.duties", "lv", "ar ko nodarbojas demonstrētājs")).replace(
        'text: "ar ko nodarbojas demonstrētājs"',
        "text: ar ko nodarbojas\n      demonstrētājs")
    [p] = problems_of(small_kb({LEARNED_FILE: text}))
    assert p.line == line_of(text, "text: ar ko") and "learned question" in p.message


def test_learned_questions_belong_in_learned_yaml_only(small_kb: SmallKb) -> None:
    text = learned(entry("a1", "demo.duties", "lv", "ar ko nodarbojas demonstrētājs"))
    [p] = problems_of(small_kb({"learned-old.yaml": text}))
    assert p.file == "learned-old.yaml" and "kept in learned.yaml only" in p.message


@pytest.mark.parametrize(("text", "known"), [
    ("ko dara  demonstrētājs", "an example question of topic 'demo.duties' (demo.yaml:"),
    ("Kā cept pīrāgus?", "an off-topic example (ood.yaml:3)"),
    ("скока платят демонстратору", "a calibration question of topic 'demo.pay'"),
])
def test_a_question_already_known_is_noted_not_added(small_kb: SmallKb, text: str,
                                                     known: str) -> None:
    ood = "out_of_domain:\n  lv:\n    - Kā cept pīrāgus?\n  ru:\n    - Как печь пироги?\n"
    calibration = "calibration:\n  demo.pay:\n    ru:\n      - скока платят демонстратору\n"
    d = small_kb({LEARNED_FILE: learned(entry("a1", "demo.duties", "lv", text)),
                  "ood.yaml": ood, "calibration.yaml": calibration})
    kb = load(d)
    [note] = kb.notes
    assert (note.file, note.line) == (LEARNED_FILE, 3)
    assert known in note.message and "not added again" in note.message
    assert kb.learned == ()
    assert kb.topics["demo.duties"].questions["lv"] == ("Ko dara demonstrētājs?",
                                                        "demonstrētāja pienākumi")
    assert text not in kb.out_of_domain["lv"][1:]


def test_the_same_question_learned_twice_is_added_once(small_kb: SmallKb) -> None:
    text = learned(entry("a1", "demo.duties", "lv", "ar ko nodarbojas demonstrētājs"),
                   entry("b2", "demo.pay", "lv", "Ar ko nodarbojas demonstrētājs?"))
    kb = load(small_kb({LEARNED_FILE: text}))
    assert [e.id for e in kb.learned] == ["a1"]
    [note] = kb.notes
    assert note.line == line_of(text, "- id: b2")
    assert "already learned for topic 'demo.duties' (learned.yaml:3)" in note.message
    assert "Ar ko nodarbojas demonstrētājs?" not in kb.topics["demo.pay"].questions["lv"]
