"""Salary figures are computed from the vacancy listings, never typed: they agree with the
listings, with the seed article, and follow an edit of vacancies.yaml."""

from __future__ import annotations

import re
import shutil
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from babel.numbers import format_decimal, get_group_symbol

from bot.evaluation import contains
from bot.knowledge.loader import load_knowledge
from bot.knowledge.model import KnowledgeBase

SEED_NAME = Path("shared") / "seed" / "000_2fed76d2789fe178.txt"
# ../shared next to the checkout (main at /work/main, a worktree at /work/wt/<name>).
SEED = next((p / SEED_NAME for p in Path(__file__).resolve().parents if (p / SEED_NAME).is_file()),
            Path(__file__).resolve().parents[2] / SEED_NAME)
LOCALE = {"lv": "lv_LV", "ru": "ru_RU"}


def own_count(vacancies: list[dict[str, Any]]) -> dict[str, Any]:
    """The figures, counted here independently of bot.knowledge.salary."""
    salaries = [v["salary"] for v in vacancies if v.get("salary")]
    figures = [s for s in salaries if "min" in s or "max" in s]
    lows = [s["min"] for s in figures if "min" in s]
    highs = [s["max"] for s in figures if "max" in s]
    return {
        "listings": len(vacancies),
        "with_figure": len(figures),
        "negotiable": sum(1 for s in salaries if s.get("negotiable") is True),
        "unstated": sum(1 for v in vacancies if "salary" not in v),
        "lowest": min(lows + highs),
        "highest": max(lows + highs),
        "typical_low": round(statistics.median(lows)),
        "typical_high": round(statistics.median(highs)),
    }


def read_vacancies(directory: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load((directory / "vacancies.yaml").read_text(encoding="utf-8"))
    return list(data["vacancies"])


def money(amount: int, lang: str) -> str:
    return format_decimal(amount, locale=LOCALE[lang])


def salary_lines(kb: KnowledgeBase, lang: str, topic: str = "salary.overview") -> str:
    """The computed part of a salary answer (its first paragraph)."""
    return kb.answer(topic, lang).split("\n\n")[0]


# -- the shipped figures ---------------------------------------------------------------


def test_lowest_and_highest(kb: KnowledgeBase) -> None:
    f = kb.salary_facts
    assert f is not None
    assert (f.lowest, f.highest) == (30000, 300000)
    assert f.currency == "RUB"


def test_counts_match_the_listings(kb: KnowledgeBase, kb_dir: Path) -> None:
    mine = own_count(read_vacancies(kb_dir))
    f = kb.salary_facts
    assert f is not None
    assert {k: getattr(f, k) for k in mine} == mine
    assert f.with_figure + f.negotiable + f.unstated == f.listings


@pytest.mark.skipif(not SEED.is_file(), reason="shared/seed article not present")
def test_counts_match_the_seed_article(kb: KnowledgeBase) -> None:
    seed = SEED.read_text(encoding="utf-8")
    # A heading directly followed by another heading is an empty duplicate, not a listing.
    listings = len(re.findall(r"^Prasības pretendentam:(?!\s*Prasības pretendentam:)", seed,
                              flags=re.M))
    salary_lines_ = re.findall(r"^Alga:.*$", seed, flags=re.M)
    negotiable = [s for s in salary_lines_ if re.match(r"Alga: pēc vienošanās", s)]
    amounts = [int(re.sub(r"\s", "", n)) for s in salary_lines_
               for n in re.findall(r"\d[\d\s]*\d", s)]
    f = kb.salary_facts
    assert f is not None
    assert f.listings == listings
    assert f.negotiable == len(negotiable)
    assert f.with_figure == len(salary_lines_) - len(negotiable)
    assert f.unstated == listings - len(salary_lines_)
    assert (f.lowest, f.highest) == (min(amounts), max(amounts))


# -- how the figures read --------------------------------------------------------------


@pytest.mark.parametrize("lang", ["lv", "ru"])
def test_locale_groups_thousands_with_a_non_breaking_space(lang: str) -> None:
    # Telegram must never wrap "300 000" between its groups.
    assert get_group_symbol(LOCALE[lang]) == "\u00a0"
    assert money(300000, lang) == "300\u00a0000"


@pytest.mark.parametrize("lang", ["lv", "ru"])
def test_salary_answer_shows_the_figures_in_locale_format(kb: KnowledgeBase, lang: str) -> None:
    text = salary_lines(kb, lang)
    f = kb.salary_facts
    assert f is not None
    for amount in (30000, 300000, f.typical_low, f.typical_high):
        assert amount is not None
        assert money(amount, lang) in text, f"{amount} not shown as {money(amount, lang)!r}"
    for n in (f.listings, f.with_figure, f.negotiable, f.unstated):
        assert contains(text, str(n)), f"count {n} missing from the {lang} answer"
    # the curated text follows the figures
    assert kb.answer("salary.overview", lang).endswith(
        kb.topics["salary.overview"].answer.get(lang))


def test_russian_answer_uses_the_rouble_sign(kb: KnowledgeBase) -> None:
    text = salary_lines(kb, "ru")
    assert f"{money(30000, 'ru')} ₽" in text
    assert f"{money(300000, 'ru')} ₽" in text


def test_latvian_answer_names_the_currency(kb: KnowledgeBase) -> None:
    text = salary_lines(kb, "lv")
    assert re.search(r"300\u00a0000 (RUB|₽)", text)


# -- the answer follows the data ---------------------------------------------------------


def test_editing_a_listing_changes_the_answer(kb_dir: Path, tmp_path: Path) -> None:
    d = tmp_path / "knowledge"
    shutil.copytree(kb_dir, d)
    vacancies = read_vacancies(d)
    top = max(vacancies, key=lambda v: (v.get("salary") or {}).get("max", 0))
    bottom = min((v for v in vacancies if "min" in (v.get("salary") or {})),
                 key=lambda v: v["salary"]["min"])
    top["salary"]["max"] += 50000
    bottom["salary"]["min"] -= 5000
    vacancies.append({"id": "v_new", "salary": {"negotiable": True}})
    (d / "vacancies.yaml").write_text(
        yaml.safe_dump({"vacancies": vacancies}, allow_unicode=True, sort_keys=False),
        encoding="utf-8")

    kb = load_knowledge(d)
    mine = own_count(vacancies)
    f = kb.salary_facts
    assert f is not None
    assert {k: getattr(f, k) for k in mine} == mine
    assert (f.lowest, f.highest) == (25000, 350000)  # 30 000 − 5 000, 300 000 + 50 000
    assert not {30000, 300000} & set(mine.values())
    for lang in ("lv", "ru"):
        text = salary_lines(kb, lang)
        assert money(350000, lang) in text and money(25000, lang) in text
        assert not contains(text, "300 000")
        assert not contains(text, "30 000")
        assert contains(text, str(mine["listings"])) and contains(text, str(mine["negotiable"]))


@pytest.mark.parametrize(
    ("n", "ru_phrase", "lv_phrase"),
    [
        (1, "в 1 российской вакансии", "1 Krievijas vakances sludinājumā"),
        (3, "в 3 российских вакансиях", "3 Krievijas vakanču sludinājumos"),
        (21, "в 21 российской вакансии", "21 Krievijas vakances sludinājumā"),
    ],
)
def test_listing_count_uses_the_right_plural(
    small_kb: Callable[..., Path], n: int, ru_phrase: str, lv_phrase: str
) -> None:
    listings = "vacancies:\n" + "".join(
        f"  - id: x{i}\n    salary:\n      min: {40000 + i * 1000}\n" for i in range(n))
    kb = load_knowledge(small_kb({"vacancies.yaml": listings}), required_topics=())
    assert ru_phrase in salary_lines(kb, "ru", "demo.pay")
    assert lv_phrase in salary_lines(kb, "lv", "demo.pay")
