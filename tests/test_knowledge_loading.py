"""Loading the knowledge base: the shipped one is complete, and every admin mistake is
refused whole with the file, the line and the problem in plain words."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.actions import MAX_DATA, FileUnder
from bot.knowledge.contract import CONTRACT_TOPICS
from bot.knowledge.errors import KnowledgeInvalid, Problem
from bot.knowledge.loader import load_knowledge
from bot.knowledge.model import KnowledgeBase
from bot.state import KnowledgeState

_DOC = Path("shared") / "knowledge-topics.md"
# ../shared next to the checkout (main at /work/main, a worktree at /work/wt/<name>).
CONTRACT_DOC = next((p / _DOC for p in Path(__file__).resolve().parents if (p / _DOC).is_file()),
                    Path(__file__).resolve().parents[2] / _DOC)

SmallKb = Callable[..., Path]


# -- helpers ---------------------------------------------------------------------------


def edit(path: Path, old: str, new: str) -> str:
    """Replace one exact, unique piece of a file; return the new text."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur exactly once in {path.name}"
    text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return text


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """1-based number of the nth line containing needle."""
    hits = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(hits) >= nth, f"{needle!r} not found {nth} time(s)"
    return hits[nth - 1]


def rejected(directory: Path, required: tuple[str, ...] | None = ()) -> list[Problem]:
    """The problems of a knowledge directory that must not load."""
    with pytest.raises(KnowledgeInvalid) as exc:
        if required is None:
            load_knowledge(directory)
        else:
            load_knowledge(directory, required_topics=required)
    problems = exc.value.problems
    assert problems, "KnowledgeInvalid must carry at least one problem"
    assert str(exc.value) == "\n".join(str(p) for p in problems)
    return problems


def find(problems: list[Problem], *words: str) -> Problem:
    """The one problem whose message mentions every word (case-insensitive)."""
    hits = [p for p in problems if all(w.casefold() in p.message.casefold() for w in words)]
    assert len(hits) == 1, f"expected one problem mentioning {words}, got {problems}"
    return hits[0]


# -- the shipped knowledge base ----------------------------------------------------------


def contract_ids_from_document() -> list[str]:
    text = CONTRACT_DOC.read_text(encoding="utf-8")
    return re.findall(r"^\| `([a-z_]+\.[a-z_]+)` \|", text, flags=re.M)


@pytest.mark.skipif(not CONTRACT_DOC.is_file(), reason="shared/knowledge-topics.md not present")
def test_code_contract_lists_exactly_the_documented_topics() -> None:
    documented = contract_ids_from_document()
    assert len(documented) == len(set(documented)) >= 30
    assert sorted(documented) == sorted(CONTRACT_TOPICS)


def test_shipped_knowledge_base_loads(kb: KnowledgeBase) -> None:
    assert len(kb.topics) >= len(CONTRACT_TOPICS)
    assert {s.id for s in kb.sections} >= {
        "role", "duties", "job_description", "candidate", "career", "salary", "chat"}
    assert kb.vacancies and kb.salary_facts is not None
    assert kb.out_of_domain["lv"] and kb.out_of_domain["ru"]
    # every topic sits in exactly one section, and the sections list all topics
    listed = [tid for s in kb.sections for tid in s.topic_ids]
    assert sorted(listed) == sorted(kb.topics)


@pytest.mark.parametrize("topic_id", CONTRACT_TOPICS)
def test_contract_topic_is_complete_in_both_languages(kb: KnowledgeBase, topic_id: str) -> None:
    assert topic_id in kb.topics, f"contract topic {topic_id} is missing"
    t = kb.topics[topic_id]
    assert t.section == topic_id.split(".")[0]
    for lang in ("lv", "ru"):
        assert t.title.get(lang).strip(), f"{topic_id}: empty {lang} title"
        assert kb.answer(topic_id, lang).strip(), f"{topic_id}: empty {lang} answer"
        questions = t.questions[lang]
        assert len(questions) >= 12, f"{topic_id}: only {len(questions)} {lang} questions"
        assert all(q.strip() for q in questions)
    # translated, not copied
    assert t.title.lv != t.title.ru
    assert t.answer.lv != t.answer.ru
    assert re.search("[а-яё]", t.answer.ru.casefold()), f"{topic_id}: ru answer is not Russian"


def test_related_topics_exist(kb: KnowledgeBase) -> None:
    for t in kb.topics.values():
        assert len(t.related) <= 3, t.id
        for rid in t.related:
            assert rid in kb.topics, f"{t.id} lists unknown related topic {rid}"
            assert rid != t.id


# -- the small knowledge base used below ---------------------------------------------


def test_small_knowledge_base_loads(small_kb: SmallKb) -> None:
    kb = load_knowledge(small_kb(), required_topics=())
    assert sorted(kb.topics) == ["demo.duties", "demo.hello", "demo.pay"]
    assert kb.topics["demo.duties"].related == ("demo.pay",)
    assert [v.id for v in kb.vacancies] == ["d01", "d02", "d03", "d04", "d05"]
    f = kb.salary_facts
    assert f is not None
    assert (f.listings, f.with_figure, f.negotiable, f.unstated) == (5, 3, 1, 1)
    assert (f.lowest, f.highest) == (40000, 120000)
    assert kb.answer("demo.pay", "lv").endswith("Alga ir atkarīga no pārdošanas apjoma.")
    assert "120" in kb.answer("demo.pay", "lv").split("\n\n")[0]


# -- one test per admin mistake --------------------------------------------------------


def test_yaml_syntax_error(small_kb: SmallKb) -> None:
    d = small_kb()
    # an unquoted text with ": " in it — the classic YAML slip
    text = edit(d / "demo.yaml", "      lv: Alga ir atkarīga no pārdošanas apjoma.",
                "      lv: Alga: atkarīga no pārdošanas apjoma.")
    p = find(rejected(d), "a ': ' (colon and space) inside a text: put the whole text in quotes")
    assert (p.file, p.line) == ("demo.yaml", line_of(text, "lv: Alga: atkarīga"))


def test_unknown_key_suggests_the_right_one(small_kb: SmallKb) -> None:
    d = small_kb()
    text = edit(d / "demo.yaml", "    title:\n      lv: Demonstrētāja pienākumi",
                "    titel:\n      lv: Demonstrētāja pienākumi")
    p = find(rejected(d), "unknown key")
    assert (p.file, p.line) == ("demo.yaml", line_of(text, "titel:"))
    assert "'titel'" in p.message
    assert "did you mean 'title'" in p.message


def test_a_topic_id_too_long_for_a_button_is_refused_at_its_line(small_kb: SmallKb) -> None:
    def renamed(new_id: str) -> tuple[Path, str]:
        d = small_kb()
        path = d / "demo.yaml"
        text = path.read_text(encoding="utf-8").replace("demo.pay", new_id)
        path.write_text(text, encoding="utf-8")
        return d, text

    long_id = "demo.pay_for_demonstrators_in_every_city1"
    assert len(long_id) == 41
    d, text = renamed(long_id)
    problems = [p for p in rejected(d) if "41 characters long; at most 40 are allowed" in p.message]
    # at the topic's id, and wherever another topic names it
    assert ("demo.yaml", line_of(text, f"id: {long_id}")) in [(p.file, p.line) for p in problems]
    assert ("demo.yaml", line_of(text, f"related: [{long_id}]")) in [(p.file, p.line)
                                                                   for p in problems]
    # 40 fit: every button that carries a topic id stays within Telegram's 64 bytes
    fits = long_id[:-1]
    d, _ = renamed(fits)
    assert fits in load_knowledge(d, required_topics=()).topics
    assert len(FileUnder("0123456789", fits).encode().encode()) <= MAX_DATA


def test_missing_language(small_kb: SmallKb) -> None:
    d = small_kb()
    text = edit(d / "demo.yaml",
                "      ru: |\n        Демонстратор показывает продукт клиентам и отвечает на их "
                "вопросы.\n", "")
    p = find(rejected(d), "Russian", "missing")
    # the answer: key of the first topic is where the ru text has to go
    assert (p.file, p.line) == ("demo.yaml", line_of(text, "    answer:", nth=1))
    assert "answer" in p.message


def test_empty_answer(small_kb: SmallKb) -> None:
    d = small_kb()
    text = edit(d / "demo.yaml", "      ru: Зарплата зависит от объёма продаж.", '      ru: "  "')
    p = find(rejected(d), "empty answer")
    assert (p.file, p.line) == ("demo.yaml", line_of(text, 'ru: "  "'))


def test_duplicate_topic_id_across_two_files(small_kb: SmallKb) -> None:
    other = """\
section: extra
title:
  lv: Papildus
  ru: Дополнительно
topics:
  - id: extra.first
    title:
      lv: Pirmā papildu tēma
      ru: Первая дополнительная тема
    answer:
      lv: Teksts.
      ru: Текст.
    questions:
      lv: ["Kas ir pirmā papildu tēma?"]
      ru: ["Что такое первая дополнительная тема?"]
  - id: demo.duties
    title:
      lv: Vēlreiz pienākumi
      ru: Снова обязанности
    answer:
      lv: Cits teksts.
      ru: Другой текст.
    questions:
      lv: ["Kādi pienākumi vēlreiz?"]
      ru: ["Какие обязанности снова?"]
"""
    d = small_kb({"extra.yaml": other})
    p = find(rejected(d), "duplicate topic id", "demo.duties")
    assert (p.file, p.line) == ("extra.yaml", line_of(other, "- id: demo.duties"))
    first = line_of((d / "demo.yaml").read_text(encoding="utf-8"), "- id: demo.duties")
    assert f"demo.yaml:{first}" in p.message


def test_duplicate_question(small_kb: SmallKb) -> None:
    d = small_kb()
    text = edit(d / "demo.yaml", "        - зарплата демонстратора",
                "        - что делает  демонстратор")
    p = find(rejected(d), "duplicate question")
    assert (p.file, p.line) == ("demo.yaml", line_of(text, "что делает  демонстратор"))
    first = line_of(text, "- Что делает демонстратор?")
    assert f"demo.yaml:{first}" in p.message and "demo.duties" in p.message


CALIBRATION = """calibration:
  demo.duties:
    lv:
      - ar ko nodarbojas demonstretajs
    ru:
      - демонстратор чем занят весь день
  demo.pay:
    ru:
      - скока платят демонстратору
"""


def test_calibration_questions_load_apart_from_the_examples(small_kb: SmallKb) -> None:
    kb = load_knowledge(small_kb({"calibration.yaml": CALIBRATION}), required_topics=())
    assert kb.calibration == (
        ("demo.duties", "lv", "ar ko nodarbojas demonstretajs"),
        ("demo.duties", "ru", "демонстратор чем занят весь день"),
        ("demo.pay", "ru", "скока платят демонстратору"),
    )
    # the matcher is not given them: they are no topic's examples
    assert all(q not in kb.topics[t].questions[lang] for t, lang, q in kb.calibration)


def test_calibration_question_for_an_unknown_topic(small_kb: SmallKb) -> None:
    text = CALIBRATION.replace("  demo.pay:", "  demo.pey:")
    p = find(rejected(small_kb({"calibration.yaml": text})), "unknown topic")
    assert (p.file, p.line) == ("calibration.yaml", line_of(text, "demo.pey:"))
    assert "'demo.pey'" in p.message and "did you mean 'demo.pay'" in p.message


def test_calibration_question_that_is_also_an_example(small_kb: SmallKb) -> None:
    text = CALIBRATION.replace("скока платят демонстратору", "что делает  демонстратор")
    p = find(rejected(small_kb({"calibration.yaml": text})), "also an example question")
    assert (p.file, p.line) == ("calibration.yaml", line_of(text, "что делает  демонстратор"))
    assert "demo.duties" in p.message and "demo.yaml:" in p.message


def test_calibration_question_in_an_unknown_language(small_kb: SmallKb) -> None:
    text = CALIBRATION.replace("    ru:\n      - скока", "    en:\n      - скока")
    p = find(rejected(small_kb({"calibration.yaml": text})), "unknown key")
    assert (p.file, p.line) == ("calibration.yaml", line_of(text, "en:"))


def test_unknown_related_id(small_kb: SmallKb) -> None:
    d = small_kb()
    text = edit(d / "demo.yaml", "    related: [demo.duties, demo.pay]",
                "    related: [demo.duties, demo.salary]")
    p = find(rejected(d), "unknown related topic")
    assert (p.file, p.line) == ("demo.yaml", line_of(text, "demo.salary]"))
    assert "'demo.salary'" in p.message and "demo.hello" in p.message


def test_salary_min_greater_than_max(small_kb: SmallKb) -> None:
    d = small_kb()
    text = edit(d / "vacancies.yaml", "      min: 50000\n      max: 120000",
                "      min: 150000\n      max: 120000")
    p = find(rejected(d), "greater than max")
    assert (p.file, p.line) == ("vacancies.yaml", line_of(text, "min: 150000"))
    assert "d03" in p.message and "150000" in p.message and "120000" in p.message


def test_non_numeric_salary(small_kb: SmallKb) -> None:
    d = small_kb()
    text = edit(d / "vacancies.yaml", "      min: 40000", "      min: 40 000 rub")
    p = find(rejected(d), "whole number")
    assert (p.file, p.line) == ("vacancies.yaml", line_of(text, "40 000 rub"))
    assert "'40 000 rub'" in p.message and "digits" in p.message


def test_vacancy_facts_load(small_kb: SmallKb) -> None:
    d = small_kb()
    edit(d / "vacancies.yaml", "  - id: d03\n    industry: it\n",
         "  - id: d03\n    industry: it\n    experience: preferred\n    experience_years: 2\n"
         "    asks: {higher_education: incomplete_ok, english: preferred}\n"
         "    clients: [corporate, b2b]\n")
    kb = load_knowledge(d, required_topics=())
    v = kb.vacancies[2]
    assert (v.id, v.industry, v.experience, v.experience_years) == ("d03", "it", "preferred", 2)
    assert dict(v.asks) == {"higher_education": "incomplete_ok", "english": "preferred"}
    assert v.clients == ("corporate", "b2b")
    assert (kb.vacancies[0].experience, kb.vacancies[0].asks, kb.vacancies[0].clients) == \
        (None, {}, ())
    # every filter's figures are there at load: d03 is the only IT listing
    it = kb.salary_subsets[("it",)]
    assert (it.listings, it.lowest, it.highest) == (1, 50000, 120000)


@pytest.mark.parametrize(("old", "new", "words", "shown"), [
    ("    industry: it\n", "    industry: fintech\n", ("'fintech'", "not allowed"), "fintech"),
    ("    industry: it\n", "    industry: it\n    experience: some\n", ("'some'", "none"),
     "some"),
    ("    industry: it\n", "    industry: it\n    asks: {english: yes please}\n",
     ("'yes please'", "required"), "yes please"),
    ("    industry: it\n", "    industry: it\n    clients: [vip]\n", ("'vip'", "corporate"),
     "vip"),
    ("    industry: it\n", "    industry: it\n    asks: {russian: required}\n",
     ("unknown key 'russian'", "english"), "russian"),
    ("    industry: it\n", "    industry: it\n    experience: required\n"
     "    experience_years: 0\n", ("at least 1",), "experience_years: 0"),
])
def test_bad_vacancy_fact_names_its_line(small_kb: SmallKb, old: str, new: str,
                                         words: tuple[str, ...], shown: str) -> None:
    d = small_kb()
    text = edit(d / "vacancies.yaml", old, new)
    p = find(rejected(d), *words)
    assert (p.file, p.line) == ("vacancies.yaml", line_of(text, shown))


def test_experience_years_without_experience(small_kb: SmallKb) -> None:
    d = small_kb()
    text = edit(d / "vacancies.yaml", "    industry: it\n",
                "    industry: it\n    experience: none\n    experience_years: 3\n")
    p = find(rejected(d), "experience_years", "d03")
    assert (p.file, p.line) == ("vacancies.yaml", line_of(text, "experience_years: 3"))
    assert "none" in p.message


def test_yaml_alias_is_refused(small_kb: SmallKb) -> None:
    d = small_kb()
    edit(d / "demo.yaml", "  lv: Demonstrācija\n", "  lv: &x Demonstrācija\n")
    text = edit(d / "demo.yaml", "      lv: Demonstrētāja pienākumi", "      lv: *x")
    p = find(rejected(d), "alias")
    assert (p.file, p.line) == ("demo.yaml", line_of(text, "lv: *x"))


def test_non_utf8_file(small_kb: SmallKb) -> None:
    notes = "section: notes\ntitle:\n  lv: Piezīmes\n  ru: Zametki\n"
    d = small_kb({"notes.yaml": notes.encode("cp1257")})  # saved as Windows-1257
    p = find(rejected(d), "UTF-8")
    assert (p.file, p.line) == ("notes.yaml", line_of(notes, "Piezīmes"))


def test_a_control_character_names_its_line(small_kb: SmallKb) -> None:
    # PyYAML refuses the whole text before parsing; that used to escape as a ReaderError
    d = small_kb()
    text = edit(d / "demo.yaml", "        - sveiki\n", "        - sveiki\x7f\n")
    p = find(rejected(d), "a character YAML does not allow")
    assert (p.file, p.line) == ("demo.yaml", line_of(text, "- sveiki"))
    assert "U+007F" in p.message


def test_file_over_one_megabyte(small_kb: SmallKb) -> None:
    big = "# padding\n" * 100_001  # 1 000 010 bytes of comments: valid YAML, too big
    assert len(big.encode()) > 1_000_000
    d = small_kb({"big.yaml": big})
    p = find(rejected(d), "too large")
    assert (p.file, p.line) == ("big.yaml", 1)


def test_required_contract_topics_missing(small_kb: SmallKb) -> None:
    problems = rejected(small_kb(), required=None)  # the default: the contract topics
    for tid in CONTRACT_TOPICS:
        p = find(problems, f"'{tid}'", "required")
        assert p.file == f"{tid.split('.')[0]}.yaml"
        assert "missing" in p.message


def test_renamed_contract_topic_names_its_file(kb_dir: Path, tmp_path: Path) -> None:
    d = tmp_path / "knowledge"
    shutil.copytree(kb_dir, d)
    edit(d / "duties.yaml", "  - id: duties.bank\n", "  - id: duties.banking\n")
    p = find(rejected(d, required=None), "'duties.bank'", "required")
    assert p.file == "duties.yaml"


# -- all or nothing ----------------------------------------------------------------------


GOOD_EXTRA = """\
section: extra
title:
  lv: Papildus
  ru: Дополнительно
topics:
  - id: extra.first
    title:
      lv: Papildu tēma
      ru: Дополнительная тема
    answer:
      lv: Teksts.
      ru: Текст.
    questions:
      lv: ["Kas ir papildu tēma?"]
      ru: ["Что такое дополнительная тема?"]
"""


def test_one_bad_file_rejects_the_whole_base(small_kb: SmallKb) -> None:
    d = small_kb({"extra.yaml": GOOD_EXTRA})
    assert "extra.first" in load_knowledge(d, required_topics=()).topics  # good as written
    edit(d / "vacancies.yaml", "      max: 90000", "      max: lots")
    problems = rejected(d)
    assert {p.file for p in problems} == {"vacancies.yaml"}


def test_every_mistake_in_every_file_is_reported_at_once(small_kb: SmallKb) -> None:
    d = small_kb()
    edit(d / "vacancies.yaml", "      max: 90000", "      max: lots")
    text = edit(d / "demo.yaml", "        - sveiki", '        - ""')
    problems = rejected(d)
    assert {p.file for p in problems} == {"vacancies.yaml", "demo.yaml"}
    find(problems, "whole number")
    p = find(problems, "empty")
    assert p.line == line_of(text, '- ""')


@pytest.mark.slow
def test_broken_edit_is_never_served(kb_dir: Path, tmp_path: Path) -> None:
    d = tmp_path / "knowledge"
    shutil.copytree(kb_dir, d)
    state = KnowledgeState(d)
    before = state.current
    old_title = before.kb.topics["duties.bank"].title.lv
    text = edit(d / "duties.yaml", f"      lv: {old_title}\n", "      lv: Jauns virsraksts\n"
                "      lv: Otrs virsraksts\n")
    problems = state.reload()
    assert problems and state.current is before
    p = find(problems, "appears twice")
    assert (p.file, p.line) == ("duties.yaml", line_of(text, "lv: Otrs virsraksts"))
    edit(d / "duties.yaml", "      lv: Otrs virsraksts\n", "")
    assert state.reload() == []
    assert state.current is not before
    assert state.current.kb.topics["duties.bank"].title.lv == "Jauns virsraksts"
