"""Per-locale gettext catalogs (lv, ru), chosen per reply, never installed globally.

One way only: the .po files (locales/, shipped inside the package) are read and compiled
in memory with Babel when a locale is first used. There is no build step and no .mo file
that could be stale or missing; `tests/test_catalogs.py` checks that every catalog compiles
and is complete.
"""

from __future__ import annotations

import gettext
import io
import logging
from functools import lru_cache

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from .knowledge.model import LANGS
from .resources import locales_dir

LOCALES = LANGS  # a catalog per reply language
DOMAIN = "messages"
BABEL_LOCALE = {"lv": "lv_LV", "ru": "ru_RU"}
log = logging.getLogger(__name__)


@lru_cache(maxsize=8)
def translations(lang: str) -> gettext.NullTranslations:
    """The catalog of a reply language; untranslated strings fall back to English msgids."""
    lang = lang if lang in LOCALES else "lv"
    po = locales_dir() / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    try:
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        buf = io.BytesIO()
        write_mo(buf, catalog)
        buf.seek(0)
        return gettext.GNUTranslations(buf)
    except (OSError, ValueError) as exc:
        log.error("no %s catalog (%s): interface strings stay in English", lang, exc)
        return gettext.NullTranslations()


def N_(message: str) -> str:  # noqa: N802 - marks a string for pybabel extract only
    return message


def gettext_for(lang: str, message: str) -> str:
    return translations(lang).gettext(message)


def ngettext_for(lang: str, singular: str, plural: str, n: int) -> str:
    return translations(lang).ngettext(singular, plural, n)
