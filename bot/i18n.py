"""Per-locale gettext catalogs (lv, ru), chosen per reply, never installed globally.

Compiled .mo files are used when present (pybabel compile); otherwise the .po source is
compiled in memory with Babel, so a fresh checkout works without a build step.
"""

from __future__ import annotations

import gettext
import io
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES = ("lv", "ru")
DOMAIN = "messages"
BABEL_LOCALE = {"lv": "lv_LV", "ru": "ru_RU"}


def locales_dir() -> Path:
    """The repository's locales/ folder (next to the package, else the working dir)."""
    here = Path(__file__).resolve().parents[1] / "locales"
    return here if here.is_dir() else Path.cwd() / "locales"


@lru_cache(maxsize=8)
def translations(lang: str) -> gettext.NullTranslations:
    """The catalog of a reply language; untranslated strings fall back to English msgids."""
    lang = lang if lang in LOCALES else "lv"
    base = locales_dir() / lang / "LC_MESSAGES"
    mo, po = base / f"{DOMAIN}.mo", base / f"{DOMAIN}.po"
    try:
        if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
            with mo.open("rb") as fh:
                return gettext.GNUTranslations(fh)
        if po.is_file():
            with po.open("rb") as fh:
                catalog = read_po(fh, locale=lang)
            buf = io.BytesIO()
            write_mo(buf, catalog)
            buf.seek(0)
            return gettext.GNUTranslations(buf)
    except (OSError, ValueError):
        pass
    return gettext.NullTranslations()


def gettext_for(lang: str, message: str) -> str:
    return translations(lang).gettext(message)


def ngettext_for(lang: str, singular: str, plural: str, n: int) -> str:
    return translations(lang).ngettext(singular, plural, n)
