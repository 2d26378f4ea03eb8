"""Salary figures computed from the vacancy listings, and their wording per locale.

The numbers are never typed by hand: edit vacancies.yaml and the answer follows.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from babel.numbers import format_currency

from ..i18n import BABEL_LOCALE, gettext_for, ngettext_for
from .model import SalaryFacts, Vacancy


def compute_facts(vacancies: Sequence[Vacancy]) -> SalaryFacts:
    """Counts, extremes and the typical range (medians of lower and upper bounds)."""
    salaries = [v.salary for v in vacancies if v.salary is not None]
    figures = [s for s in salaries if s.has_figure]
    lows = [s.min for s in figures if s.min is not None]
    highs = [s.max for s in figures if s.max is not None]
    every = lows + highs
    return SalaryFacts(
        listings=len(vacancies),
        with_figure=len(figures),
        negotiable=sum(1 for s in salaries if s.negotiable),
        unstated=sum(1 for v in vacancies if v.salary is None),
        lowest=min(every) if every else None,
        highest=max(every) if every else None,
        typical_low=round(statistics.median(lows)) if lows else None,
        typical_high=round(statistics.median(highs)) if highs else None,
        currency=figures[0].currency if figures else "RUB",
    )


def format_money(amount: int, currency: str, lang: str) -> str:
    """Whole amount with the locale's grouping and currency sign: '30 000 ₽', '30 000 RUB'."""
    return format_currency(
        amount, currency, locale=BABEL_LOCALE.get(lang, "lv_LV"), format="#,##0 ¤",
        currency_digits=False,
    )


def facts_text(f: SalaryFacts, lang: str) -> str:
    """The computed part of the salary answer, in the reply language."""
    _ = lambda s: gettext_for(lang, s)  # noqa: E731
    money = lambda n: format_money(n, f.currency, lang)  # noqa: E731
    lines = [
        ngettext_for(
            lang,
            "Salaries in %(n)d vacancy listing quoted in the source article (roubles a month):",
            "Salaries in %(n)d vacancy listings quoted in the source article (roubles a month):",
            f.listings,
        ) % {"n": f.listings}
    ]
    if f.lowest is not None and f.highest is not None:
        lines.append(_("• lowest figure: %(amount)s a month") % {"amount": money(f.lowest)})
        lines.append(_("• highest figure: %(amount)s a month") % {"amount": money(f.highest)})
    if f.typical_low is not None and f.typical_high is not None:
        lines.append(
            _("• typical range: %(low)s – %(high)s a month") % {
                "low": money(f.typical_low), "high": money(f.typical_high)}
        )
    lines.append(ngettext_for(lang, "• %(n)d listing gives a figure",
                              "• %(n)d listings give a figure", f.with_figure)
                 % {"n": f.with_figure})
    lines.append(ngettext_for(lang, "• %(n)d says “by agreement”",
                              "• %(n)d say “by agreement”", f.negotiable) % {"n": f.negotiable})
    if f.unstated:
        lines.append(ngettext_for(lang, "• %(n)d names no salary",
                                  "• %(n)d name no salary", f.unstated) % {"n": f.unstated})
    return "\n".join(lines)
