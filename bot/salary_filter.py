"""Which listings a pay question is about: "in a bank", "without experience", "key account".

A pure function of the question's words. They go through the matcher's normalizer
(`bot/matcher/normalize.py`), so Latvian with or without diacritics, Russian in Cyrillic or
in Latin letters and every case ending meet the same stems ("bankā", "в банке",
"v banke" → "bank"). The filter ids are those of `bot/knowledge/listing_filters.py`, which
decides which listings each one selects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .knowledge.listing_filters import FILTER_IDS
from .matcher.normalize import stems


@dataclass(frozen=True, slots=True)
class Cue:
    """Words that name a filter: one entry per consecutive word, each a set of stem
    prefixes ("=" at the end of one asks for the whole stem)."""

    filter: str
    words: tuple[tuple[str, ...], ...]


def _cue(filter_id: str, *words: str) -> Cue:
    assert filter_id in FILTER_IDS or filter_id.startswith("-"), filter_id
    return Cue(filter_id, tuple(tuple(w.split("|")) for w in words))


# A filter whose id starts with "-" is a requirement: named after "without" (bez/без, нет,
# не нужен, nav vajadzīga…) it selects the listings that do not ask for it; named plainly,
# the listings that do ("-experience" plainly names nothing: every listing but eight wants
# some). Longer cues are tried first, and a word serves one cue only.
CUES: tuple[Cue, ...] = (
    # sectors
    _cue("bank", "bank"),
    _cue("auto", "avtobizn|autobizn|avtosalon|autosalon|avtodiler|autodiler|diler|avtomobiln"),
    _cue("auto", "auto=|avto=", "nozar|sfer|biznes|bizn"),
    _cue("it", "aiti="),
    _cue("medical", "medicin|medic=|farmac|laborator"),
    _cue("construction", "stroit|buvniec|buvfirm|buvmaterial|remont"),
    _cue("transport", "transport|perevoz|parvada|gruzoperevoz"),
    _cue("logistics", "logist|tamozn|muit|ved=|vnesneekonom"),
    _cue("advertising", "reklam"),
    _cue("telecom", "telekom|telek=|sputnik|satelit"),
    _cue("telecom", "operator", "svaz"),
    _cue("telecom", "sakar", "operator|nozar|uznem|kompan|firm"),
    _cue("beauty", "krasot|skaistumkop|beauty|kosmet"),
    _cue("legal", "urist|konsalt|advokat"),
    _cue("legal", "uridisk|uridicesk|urid=", "firm|kompan|bir|konsult|konsalt"),
    _cue("hospitality", "viesnic|gostinic|otel|hotel"),
    # whom the listing's clients are
    _cue("key_account", "kluc"),
    _cue("key_account", "galven|acleg", "klient"),
    _cue("corporate", "korporativ|urlic"),
    _cue("corporate", "uridisk|uridicesk|urid=", "lic|person"),
    _cue("b2b", "b2b="),
    # the candidate
    _cue("no_experience", "novic|novik|nacinaus|iesacej|iesace|unior|dzunior|stazer|stazier"),
    _cue("no_experience", "s=|no=|ot=", "nul"),
    _cue("-experience", "opit|pieredz|staz|eksperienc"),
    _cue("-higher_education", "viseg|vissu|augstak|diplom|vuz=|augstskol"),
    _cue("-higher_education", "obrazovan|izglitib"),
    _cue("-english", "angl|english"),
    _cue("-car", "masin|automasin|avtomobil|auto=|avto="),
    _cue("-car", "voditelsk|autovaditaj|vaditaj"),
    _cue("-car", "b=", "kategor"),
)

_WITHOUT = frozenset({"bez", "without", "ne", "nav", "net", "nee"})
_NEGATED = {"-experience": "no_experience", "-higher_education": "no_higher_education",
            "-english": "no_english", "-car": "no_car"}
_PLAIN = {"-english": "english", "-car": "car"}
# Written in capitals, these are names ("IT", "KAM"); in lower case, Latvian words ("it",
# "kam" — as if, to whom).
_CAPITALS = (("it", re.compile(r"(?<![\w-])(?:IT|ИТ)(?![\w-])")),
             ("key_account", re.compile(r"(?<![\w-])KAM(?![\w-])")))


def _matches(stem_: str, options: tuple[str, ...]) -> bool:
    return any(stem_ == o[:-1] if o.endswith("=") else stem_.startswith(o) for o in options)


def _negated(toks: list[str], start: int, end: int) -> bool:
    """A "without" word up to two words before the cue ("bez darba pieredzes", "нет
    никакого опыта") or two after it ("опыт не нужен", "pieredze nav vajadzīga")."""
    return any(t in _WITHOUT for t in toks[max(0, start - 2):start] + toks[end:end + 2])


def read_filter(question: str) -> tuple[str, ...]:
    """The salary filters a question names, in the order it names them (no repeats)."""
    toks = stems(question)
    used = [False] * len(toks)
    found: list[tuple[int, str]] = []
    for cue in sorted(CUES, key=lambda c: -len(c.words)):
        n = len(cue.words)
        for i in range(len(toks) - n + 1):
            if any(used[i:i + n]) or not all(
                    _matches(toks[i + k], cue.words[k]) for k in range(n)):
                continue
            fid = cue.filter
            if fid.startswith("-"):
                if _negated(toks, i, i + n):
                    fid = _NEGATED[fid]
                elif fid in _PLAIN:
                    fid = _PLAIN[fid]
                else:
                    continue
            used[i:i + n] = [True] * n
            found.append((i, fid))
    for fid, pattern in _CAPITALS:
        m = pattern.search(question)
        if m:
            found.append((len(stems(question[:m.start()])), fid))
    out: list[str] = []
    for _, fid in sorted(found):
        if fid not in out and not (fid == "corporate" and "key_account" in out):
            out.append(fid)
    if "corporate" in out and "key_account" in out:  # one set of listings, named once
        out.remove("corporate")
    return tuple(out)
