"""Which vacancy listings a salary filter selects: one predicate per filter id.

A filter is what a pay question can name: a sector ("in a bank"), "without experience",
"key account", "with English"… Reading the filter from the user's words is
`bot/salary_filter.py`'s job; which listings it selects is decided here, from the facts each
listing carries in vacancies.yaml, so the figures of every filter are computed once, at load.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

from .model import SalaryFacts, Vacancy
from .salary import compute_facts

# Sectors a listing can name (vacancies.yaml `industry`; the schema allows exactly these).
INDUSTRIES: tuple[str, ...] = (
    "bank", "auto", "it", "medical", "construction", "transport", "logistics",
    "advertising", "telecom", "beauty", "legal", "hospitality",
)  # fmt: skip

# Every filter id, sectors first. "key_account" selects the same listings as "corporate"
# (no listing is for a key account manager as such; corporate clients are the nearest), but
# is named apart so the reply can say so.
FILTER_IDS: tuple[str, ...] = INDUSTRIES + (
    "no_experience", "no_higher_education", "english", "no_english", "car", "no_car",
    "corporate", "key_account", "b2b",
)  # fmt: skip


def selects(filter_id: str, v: Vacancy) -> bool:
    """Whether a listing belongs to a filter (unknown ids select nothing)."""
    if filter_id in INDUSTRIES:
        return v.industry == filter_id
    if filter_id == "no_experience":  # the listing does not require experience
        return v.experience in ("none", "preferred")
    if filter_id == "no_higher_education":  # a completed degree is not required
        return v.asks.get("higher_education") != "required"
    if filter_id == "english":
        return "english" in v.asks
    if filter_id == "no_english":
        return "english" not in v.asks
    if filter_id == "car":
        return "car" in v.asks or "driving_licence" in v.asks
    if filter_id == "no_car":
        return "car" not in v.asks and "driving_licence" not in v.asks
    if filter_id in ("corporate", "key_account"):
        return "corporate" in v.clients
    if filter_id == "b2b":
        return "b2b" in v.clients
    return False


def select(vacancies: Sequence[Vacancy], filter_ids: Sequence[str]) -> list[Vacancy]:
    """The listings every one of the filters selects."""
    return [v for v in vacancies if all(selects(f, v) for f in filter_ids)]


def key(filter_ids: Sequence[str]) -> tuple[str, ...]:
    """The lookup key of a filter combination: order-free, without repeats."""
    return tuple(sorted(set(filter_ids)))


def subset_facts(vacancies: Sequence[Vacancy]) -> dict[tuple[str, ...], SalaryFacts]:
    """Figures of every filter and every pair of filters, computed once at load (a question
    names one or two; a few hundred small sums cost nothing)."""
    out: dict[tuple[str, ...], SalaryFacts] = {}
    for size in (1, 2):
        for combo in combinations(FILTER_IDS, size):
            out[key(combo)] = compute_facts(select(vacancies, combo))
    return out
