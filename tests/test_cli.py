"""The command line as an operator uses it: `python -m bot ask/eval/check/links`, the
terminal chat without a token, and the evaluation `contains` rule."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.evaluation import contains
from bot.i18n import gettext_for
from bot.knowledge.model import KnowledgeBase
from tests.processes import REPO, clean_env

pytestmark = pytest.mark.slow  # each test starts `python -m bot` (a load and a training per process)

ASK_KEYS = {"query", "lang", "outcome", "topic", "score", "answer", "suggestions", "also",
            "salary_filter"}

LV_BANK = "Kas ietilpst bankas klientu menedžera ikdienas darbā?"
RU_CV = "Как правильно составить резюме аккаунт-менеджеру?"
RU_SALARY = "Какую зарплату предлагают аккаунт-менеджерам в вакансиях?"
LV_CV = "Kā uzrakstīt CV, lai mani pieņemtu par konta pārvaldnieku?"
RU_BICYCLE = "как починить велосипед"


def bot(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot ARGS` from the repository, without any bot settings in the env."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=REPO, input=stdin, capture_output=True,
        text=True, encoding="utf-8", env=clean_env(), timeout=60, check=False,
    )


def json_lines(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


# -- ask -----------------------------------------------------------------------------------


def test_ask_json_prints_one_object_per_question(kb: KnowledgeBase) -> None:
    res = bot("ask", "--json", LV_BANK, RU_CV, RU_BICYCLE)
    assert res.returncode == 0, res.stderr
    objs = json_lines(res.stdout)
    assert len(objs) == 3
    for obj in objs:
        assert set(obj) == ASK_KEYS
        assert isinstance(obj["score"], float) and isinstance(obj["suggestions"], list)
    lv, ru, none = objs
    assert (lv["query"], lv["lang"], lv["outcome"], lv["topic"]) == (
        LV_BANK, "lv", "answer", "duties.bank")
    assert kb.topics["duties.bank"].title.lv in str(lv["answer"])
    assert (ru["query"], ru["lang"], ru["outcome"], ru["topic"]) == (
        RU_CV, "ru", "answer", "candidate.cv")
    assert kb.topics["candidate.cv"].title.ru in str(ru["answer"])
    assert (none["lang"], none["outcome"], none["topic"], none["suggestions"]) == (
        "ru", "none", None, [])


def test_ask_reads_questions_from_stdin() -> None:
    res = bot("ask", "--json", "-", stdin=f"{LV_BANK}\n\n   \n{RU_CV}\n")
    assert res.returncode == 0, res.stderr
    objs = json_lines(res.stdout)
    assert [o["query"] for o in objs] == [LV_BANK, RU_CV]  # blank lines skipped
    assert [o["topic"] for o in objs] == ["duties.bank", "candidate.cv"]


def test_ask_prints_the_reply_as_a_user_sees_it(kb: KnowledgeBase) -> None:
    res = bot("ask", "-", stdin=LV_BANK + "\n")
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith(kb.topics["duties.bank"].title.lv + "\n")
    assert "<b>" not in res.stdout


def test_ask_lang_forces_the_reply_language(kb: KnowledgeBase) -> None:
    (obj,) = json_lines(bot("ask", "--json", "--lang", "ru", LV_BANK).stdout)
    assert (obj["lang"], obj["topic"]) == ("ru", "duties.bank")
    assert kb.topics["duties.bank"].title.ru in str(obj["answer"])


# "How do I become one?": the issue's own two questions, and wordings the topic does not
# list (other names of the role, no diacritics, Russian in Latin letters).
HOW_TO_BECOME = [
    ("Как стать аккаунт-менеджером?", "ru"),
    ("kā kļūt par klientu menedžeri?", "lv"),
    ("Что нужно сделать, чтобы стать менеджером по работе с клиентами?", "ru"),
    ("kak stat akkaunt menedzherom", "ru"),
    ("Kā es varu kļūt par konta menedžeri?", "lv"),
    ("ka klut par konta parvaldnieku", "lv"),
]


def test_ask_answers_how_to_become_in_both_languages(kb: KnowledgeBase) -> None:
    res = bot("ask", "--json", *(q for q, _ in HOW_TO_BECOME))
    assert res.returncode == 0, res.stderr
    objs = json_lines(res.stdout)
    topic = kb.topics["candidate.how_to_become"]
    for (question, lang), obj in zip(HOW_TO_BECOME, objs, strict=True):
        assert (obj["query"], obj["outcome"], obj["topic"], obj["lang"]) == (
            question, "answer", "candidate.how_to_become", lang)
        assert str(obj["answer"]).startswith(f"<b>{topic.title.get(lang)}</b>")
        assert topic.answer.get(lang).split("\n")[0] in str(obj["answer"])


def test_ask_json_shows_the_salary_filter_applied(kb: KnowledgeBase) -> None:
    res = bot("ask", "--json", "Сколько платят клиентскому менеджеру в банке?", RU_SALARY)
    assert res.returncode == 0, res.stderr
    bank, plain = json_lines(res.stdout)
    assert bank["topic"] == plain["topic"] == "salary.overview"
    assert kb.salary_facts is not None
    assert bank["salary_filter"] == {"applied": ["bank"], "listings": 2,
                                     "of": kb.salary_facts.listings}
    assert plain["salary_filter"] is None


def test_ask_without_a_question_explains_itself() -> None:
    res = bot("ask")
    assert res.returncode == 2
    assert res.stderr.startswith("error:") and "'-'" in res.stderr


# -- eval ----------------------------------------------------------------------------------

EVAL_SET = f"""\
- q: "{LV_BANK}"
  expect: duties.bank
  lang: lv
- q: "{RU_SALARY}"
  expect: salary.overview
  lang: ru
  contains: ["300 000", "₽"]
- q: "{RU_BICYCLE}"
  expect: null
  lang: ru
- q: "{LV_CV}"
  expect: salary.overview   # wrong on purpose
  lang: lv
- q: "{RU_SALARY}"
  expect: [salary.overview, career.cons]
  lang: ru
  contains: ["3 000"]       # not in "30 000" nor "300 000"
"""


@pytest.fixture
def eval_file(tmp_path: Path) -> Path:
    path = tmp_path / "eval.yaml"
    path.write_text(EVAL_SET, encoding="utf-8")
    return path


def test_eval_prints_accuracy_and_failures(eval_file: Path) -> None:
    res = bot("eval", str(eval_file))
    assert res.returncode == 0, res.stderr
    out = res.stdout
    assert "accuracy 60.0% (3/5)" in out
    fails = [line for line in out.splitlines() if line.startswith("FAIL ")]
    assert len(fails) == 2
    assert repr(LV_CV) in fails[0] and "chose candidate.cv, expected salary.overview" in fails[0]
    assert repr(RU_SALARY) in fails[1] and "reply lacks '3 000'" in fails[1]
    assert "confident wrong answers 1" in out


def test_eval_min_accuracy_gates_the_exit_code(eval_file: Path) -> None:
    strict = bot("eval", str(eval_file), "--min-accuracy", "1.0")
    assert strict.returncode == 1
    assert "below --min-accuracy" in strict.stderr
    assert bot("eval", str(eval_file), "--min-accuracy", "0.6").returncode == 0


def test_eval_json_report(eval_file: Path) -> None:
    res = bot("eval", str(eval_file), "--json")
    assert res.returncode == 0, res.stderr
    report = json.loads(res.stdout)
    assert (report["cases"], report["passed"], report["accuracy"]) == (5, 3, 0.6)
    assert report["by_lang"] == {"lv": 0.5, "ru": pytest.approx(2 / 3, abs=1e-4)}
    assert report["out_of_domain_refused"] == 1.0
    assert report["confident_wrong"] == 1
    assert sum(report["outcomes"].values()) == 5
    failures = {f["q"]: f for f in report["failures"]}
    assert failures[LV_CV]["topic"] == "candidate.cv"
    assert failures[LV_CV]["expect"] == ["salary.overview"]
    assert failures[RU_SALARY]["reasons"] == ["reply lacks '3 000'"]


def test_eval_unreadable_file_is_an_error(tmp_path: Path) -> None:
    res = bot("eval", str(tmp_path / "missing.yaml"))
    assert res.returncode == 2 and "cannot read" in res.stderr


# -- check ---------------------------------------------------------------------------------


def test_check_passes_on_the_shipped_knowledge() -> None:
    res = bot("check")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "ERROR" not in res.stdout
    assert res.stdout.splitlines()[-1].startswith("OK: 0 errors")


@pytest.fixture
def broken_kb(kb_dir: Path, tmp_path: Path) -> tuple[Path, int]:
    """A copy of the shipped knowledge with a typo'd key in duties.yaml, and its line."""
    d = tmp_path / "knowledge"
    shutil.copytree(kb_dir, d)
    path = d / "duties.yaml"
    text = path.read_text(encoding="utf-8")
    old = "  - id: duties.bank\n    title:\n"
    assert text.count(old) == 1
    text = text.replace(old, "  - id: duties.bank\n    titel:\n")
    path.write_text(text, encoding="utf-8")
    line = text[: text.index("    titel:\n")].count("\n") + 1
    return d, line


def test_check_fails_on_a_broken_copy(broken_kb: tuple[Path, int]) -> None:
    directory, line = broken_kb
    res = bot("--knowledge", str(directory), "check")
    assert res.returncode == 1
    errors = [x for x in res.stdout.splitlines() if x.startswith("ERROR ")]
    assert f"ERROR duties.yaml:{line}: unknown key 'titel'" in "\n".join(errors)
    assert "did you mean 'title'" in res.stdout
    assert res.stdout.splitlines()[-1].startswith("FAILED:")


def test_check_json(kb: KnowledgeBase, broken_kb: tuple[Path, int]) -> None:
    good = json.loads(bot("check", "--json").stdout)
    assert set(good) == {"ok", "errors", "warnings", "topics", "vacancies", "calibration",
                         "learned"}
    assert good["learned"] == {"topics": 0, "off_topic": 0}  # the shipped file has none
    assert good["ok"] is True and good["errors"] == []
    cal = good["calibration"]
    assert cal["in_domain"] == len(kb.calibration)
    assert cal["answered_right"] + cal["answered_wrong"] <= cal["in_domain"]
    assert cal["out_of_domain"] == sum(len(v) for v in kb.out_of_domain.values())
    assert good["vacancies"] == len(kb.vacancies)
    assert {t["id"] for t in good["topics"]} == set(kb.topics)
    for w in good["warnings"]:
        assert set(w) == {"file", "line", "message"}

    directory, line = broken_kb
    res = bot("--knowledge", str(directory), "check", "--json")
    assert res.returncode == 1
    bad = json.loads(res.stdout)
    assert set(bad) == {"ok", "errors", "warnings", "topics", "vacancies", "calibration",
                        "learned"}
    assert bad["ok"] is False and bad["topics"] == [] and bad["vacancies"] == 0
    assert bad["calibration"] is None and bad["learned"] is None
    assert {"file": "duties.yaml", "line": line} in [
        {"file": e["file"], "line": e["line"]} for e in bad["errors"]]


def test_other_commands_refuse_a_broken_knowledge_base(broken_kb: tuple[Path, int]) -> None:
    directory, line = broken_kb
    res = bot("--knowledge", str(directory), "ask", LV_BANK)
    assert res.returncode == 2
    assert f"duties.yaml:{line}:" in res.stderr


# -- links ---------------------------------------------------------------------------------


def test_links_prints_a_deep_link_per_topic(kb: KnowledgeBase) -> None:
    res = bot("links", "--username", "TestBot")
    assert res.returncode == 0, res.stderr
    rows = dict(line.split("\t") for line in res.stdout.splitlines())
    assert rows["duties.bank"] == "https://t.me/TestBot?start=duties-bank"
    assert set(rows) == set(kb.topics)
    for link in rows.values():
        payload = link.removeprefix("https://t.me/TestBot?start=")
        assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", payload), link


# -- the terminal chat ---------------------------------------------------------------------


def test_terminal_chat_answers_piped_questions_in_their_language(kb: KnowledgeBase) -> None:
    res = bot(stdin=f"{LV_BANK}\n{RU_CV}\n")
    assert res.returncode == 0, res.stderr
    out = res.stdout
    assert out.startswith("No TELEGRAM_BOT_TOKEN set")
    lv_title = kb.topics["duties.bank"].title.lv
    ru_title = kb.topics["candidate.cv"].title.ru
    assert f"\n{lv_title}\n" in out and f"\n{ru_title}\n" in out
    assert out.index(lv_title) < out.index(ru_title)
    assert "<b>" not in out
    # the conversation followed the user into Russian
    assert out.rstrip("\n").splitlines()[-1] == gettext_for("ru", "Goodbye!")


# -- help ----------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [[], ["ask"], ["eval"], ["check"], ["links"]],
                         ids=["main", "ask", "eval", "check", "links"])
def test_every_command_has_help(command: list[str]) -> None:
    res = bot(*command, "--help")
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("usage: python -m bot")
    if not command:
        for sub in ("ask", "eval", "check", "links"):
            assert sub in res.stdout


# -- the evaluation "contains" rule ----------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "needle", "found"),
    [
        ("no 300 000 rubļu", "30 000", False),
        ("līdz 140 000 RUB", "40 000", False),
        ("līdz 40 000 RUB", "40 000", True),
        ("no 30\u00a0000 ₽", "30 000", True),  # no-break space
        ("no 30\u202f000 ₽", "30 000", True),  # narrow no-break space
        ("no 30000 ₽", "30 000", True),
        ("no 30 000 ₽", "30000", True),
        ("no 30\u00a0000 ₽", "30\u202f000", True),
        ("30 000–300 000", "300 000", True),
        ("2030 000", "30 000", False),
        ("Zarplata: ЗАРПЛАТА", "зарплата", True),
        ("KONTA PĀRVALDNIEKS", "konta pārvaldnieks", True),
        ("Straße", "STRASSE", True),
        ("pienākumi", "pienakumi", False),  # diacritics are not folded
        ("anything", "", True),
    ],
)
def test_contains_rule(reply: str, needle: str, found: bool) -> None:
    assert contains(reply, needle) is found
