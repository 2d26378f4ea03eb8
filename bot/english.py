"""Tell a question written in English, so the bot can say it speaks only Latvian and Russian.

Only words that are common in English questions and are not Latvian, nor Russian in Latin
letters, count ("to", "no", "i", "a", "es", "my", "do", "it" all are); the role's English
name ("account manager") and other loans both languages use count for nothing.
"""

from __future__ import annotations

import re

_WORD_RE = re.compile(r"[^\W\d_]+")
_LATIN_ONLY = re.compile(r"[a-z' ]+")
ENGLISH_WORDS = frozenset(re.findall(r"\S+", """
    what whats how much many does did are is was were the an of for with about and or but
    who where when why which this that these those there their they you your yours can
    could should would will shall may might must need needs have has had get become
    earn earns salary pay paid duties duty responsibilities requirements qualities job
    jobs work works working career tell please hello hi thanks thank want know any some
    good bad best average typical be being been from into than then
"""))
NEUTRAL = frozenset({"account", "manager", "managers", "key", "sales", "cv", "crm", "kam",
                     "b2b", "b2c", "excel", "hr", "ok", "vs", "skills", "soft", "hard",
                     "office"})


def looks_english(text: str) -> bool:
    """At least two distinct English words, and they make up at least half of the words
    that are not shared loans; plain Latin letters only."""
    words = [w.casefold() for w in _WORD_RE.findall(text)]
    if not words or not all(_LATIN_ONLY.fullmatch(w) for w in words):
        return False  # Cyrillic or Latvian letters: not English
    counted = [w for w in words if w not in NEUTRAL]
    english = [w for w in counted if w in ENGLISH_WORDS]
    return len(set(english)) >= 2 and 2 * len(english) >= len(counted)
