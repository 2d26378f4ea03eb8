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
        figures=tuple(sorted(((s.min, s.max) for s in figures),
                             key=lambda r: (r[0] or r[1] or 0, r[1] or 0))),
    )


# Up to this many listings with a figure are shown one by one: a "typical range" of a
# handful of listings would be the medians of two or three numbers.
FEW = 5


def format_money(amount: int, currency: str, lang: str) -> str:
    """Whole amount with the locale's grouping and currency sign: '30 000 ₽', '30 000 RUB'."""
    return format_currency(
        amount, currency, locale=BABEL_LOCALE.get(lang, "lv_LV"), format="#,##0 ¤",
        currency_digits=False,
    )


def _count_lines(f: SalaryFacts, lang: str, with_figure_line: bool = True) -> list[str]:
    lines = []
    if with_figure_line:
        lines.append(ngettext_for(lang, "• %(n)d listing gives a figure",
                                  "• %(n)d listings give a figure", f.with_figure)
                     % {"n": f.with_figure})
    if f.negotiable:
        lines.append(ngettext_for(lang, "• %(n)d says “by agreement”",
                                  "• %(n)d say “by agreement”", f.negotiable) % {"n": f.negotiable})
    if f.unstated:
        lines.append(ngettext_for(lang, "• %(n)d names no salary",
                                  "• %(n)d name no salary", f.unstated) % {"n": f.unstated})
    return lines


def _range_lines(f: SalaryFacts, lang: str) -> list[str]:
    """Lowest, highest and typical figure (the month is named once, in the heading)."""
    _ = lambda s: gettext_for(lang, s)  # noqa: E731
    money = lambda n: format_money(n, f.currency, lang)  # noqa: E731
    lines = []
    if f.lowest is not None and f.highest is not None:
        lines.append(_("• lowest: %(amount)s") % {"amount": money(f.lowest)})
        lines.append(_("• highest: %(amount)s") % {"amount": money(f.highest)})
    if f.typical_low is not None and f.typical_high is not None:
        lines.append(_("• typical range: %(low)s – %(high)s") % {
            "low": money(f.typical_low), "high": money(f.typical_high)})
    return lines


def _listing_lines(f: SalaryFacts, lang: str) -> list[str]:
    """Each listing's own figure: '40 000 – 100 000 ₽', 'from 80 000 ₽', 'up to 60 000 ₽'."""
    _ = lambda s: gettext_for(lang, s)  # noqa: E731
    money = lambda n: format_money(n, f.currency, lang)  # noqa: E731
    lines = []
    for low, high in f.figures:
        if low is not None and high is not None:
            lines.append(_("• %(low)s – %(high)s") % {"low": money(low), "high": money(high)})
        elif low is not None:
            lines.append(_("• from %(amount)s") % {"amount": money(low)})
        elif high is not None:
            lines.append(_("• up to %(amount)s") % {"amount": money(high)})
    return lines


def facts_text(f: SalaryFacts, lang: str) -> str:
    """The computed part of the salary answer, in the reply language: where the figures
    come from (Russian listings, roubles a month) comes first, every time."""
    heading = ngettext_for(
        lang,
        "Salaries in %(n)d vacancy listing from Russia (roubles a month):",
        "Salaries in %(n)d vacancy listings from Russia (roubles a month):",
        f.listings,
    ) % {"n": f.listings}
    return "\n".join([heading, *_range_lines(f, lang), *_count_lines(f, lang)])


def filter_label(filter_id: str, lang: str) -> str:
    """What a filter selects, as a reply heading names it."""
    _ = lambda s: gettext_for(lang, s)  # noqa: E731
    labels = {
        "bank": _("banking"),
        "auto": _("car business"),
        "it": _("IT"),
        "medical": _("medicine and pharmaceuticals"),
        "construction": _("construction and renovation"),
        "transport": _("transport and haulage"),
        "logistics": _("logistics and customs"),
        "advertising": _("advertising"),
        "telecom": _("telecommunications"),
        "beauty": _("beauty industry"),
        "legal": _("legal consulting"),
        "hospitality": _("hotels"),
        "no_experience": _("experience not required"),
        "no_higher_education": _("no completed higher education required"),
        "english": _("English required"),
        "no_english": _("no English required"),
        "car": _("driving licence or own car required"),
        "no_car": _("no driving licence or car required"),
        "corporate": _("work with corporate clients"),
        "key_account": _("corporate clients (no listing is for a key account manager as "
                         "such; these are the nearest)"),
        "b2b": _("B2B sales"),
    }
    return labels.get(filter_id, filter_id)


def subset_text(filter_ids: Sequence[str], f: SalaryFacts, overall: SalaryFacts,
                lang: str) -> str:
    """The computed part of a salary answer for the listings a question's filter selects,
    with the figures of all listings after it when the selection gives none."""
    what = ", ".join(filter_label(fid, lang) for fid in filter_ids)
    what = what[:1].upper() + what[1:]
    if f.listings == 0:
        head = ngettext_for(
            lang,
            "%(what)s: no listing among the %(total)d vacancy listing from Russia.",
            "%(what)s: no listing among the %(total)d vacancy listings from Russia.",
            overall.listings,
        ) % {"what": what, "total": overall.listings}
        return head + "\n\n" + facts_text(overall, lang)
    head = ngettext_for(
        lang,
        "%(what)s: %(n)d of the %(total)d vacancy listing from Russia.",
        "%(what)s: %(n)d of the %(total)d vacancy listings from Russia.",
        overall.listings,
    ) % {"what": what, "n": f.listings, "total": overall.listings}
    if f.with_figure == 0:
        lines = [head, gettext_for(lang, "None of them gives a salary figure:"),
                 *_count_lines(f, lang, with_figure_line=False)]
        return "\n".join(lines) + "\n\n" + facts_text(overall, lang)
    lines = [head, gettext_for(lang, "Their salaries (roubles a month):")]
    if f.with_figure <= FEW:
        lines += _listing_lines(f, lang) + _count_lines(f, lang, with_figure_line=False)
    else:
        lines += _range_lines(f, lang) + _count_lines(f, lang)
    return "\n".join(lines)
