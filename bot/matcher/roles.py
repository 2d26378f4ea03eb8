"""The role's own names, and other kinds of manager.

"klientu menedžeris", "konta pārvaldnieks", "account manager", "менеджер по работе с
клиентами" all name the one job this bot is about: they are merged into one token, so
every name reads the same and its parts ("klienti", "darbs") keep their weight for
questions that are really about clients or work. "HR menedžeris", "project manager",
"менеджер по персоналу" name other jobs that only share the word "manager".
"""

from __future__ import annotations

import bisect
from functools import lru_cache

from rapidfuzz.distance import OSA

from .normalize import (
    FOREIGN_ROLES,
    SYNONYMS,
    canonical,
    content_stems,
    stem,
    stems,
    tokens,
    words_and_tokens,
)

__all__ = ["OCCUPATION", "ROLE", "ROLE_WORDS", "is_occupation", "merge_role_names",
           "named_occupations", "names_occupation", "names_other_manager", "names_seller",
           "occupation_context", "occupation_flags", "occupation_of", "speaks_of_self",
           "with_role_token"]


def _head(word: str) -> str:
    return canonical(stems(word)[0])


_MANAGER = _head("менеджер")
_ROLE_BEFORE = frozenset(_head(w) for w in ("klientu", "konta", "account", "apkalpošanas"))
_ROLE_WORK = _head("работе")
_CLIENT = _head("клиентам")
_LINKS = frozenset(tokens("по in of в"))

ROLE = "ROLE"  # one token for every full name of the role (upper case: no stem is)
OCCUPATION = "OCCUPATION"  # one token for every other occupation (the classifier's view)

# Words that show a question is about the job itself: its full name or a bare "manager".
# ("konts", "аккаунт" alone are as often a bank or Instagram account, and "KAM" reads as
# the Latvian "kam", to whom.)
ROLE_WORDS = frozenset({ROLE, _MANAGER})


def _other_managers() -> frozenset[str]:
    from .synonyms import OTHER_MANAGERS

    return frozenset(stem(t) for w in OTHER_MANAGERS.split() for t in tokens(w))


_OTHER_MANAGERS = _other_managers()


@lru_cache(maxsize=16)  # the question at hand: the index and the occupation check both ask
def names_other_manager(text: str) -> bool:
    """True when the text names another kind of manager: a qualifier right before the
    word ("HR menedžeris", "project manager", "personāla vadītājs") or after it with a
    preposition ("менеджер по персоналу")."""
    toks = tokens(text)
    for i, tok in enumerate(toks):
        if canonical(stem(tok)) != _MANAGER:
            continue
        after = toks[i + 2] if i + 2 < len(toks) and toks[i + 1] in _LINKS else None
        before = toks[i - 1] if i > 0 else None
        if any(t is not None and stem(t) in _OTHER_MANAGERS for t in (before, after)):
            return True
    return False


_MANAGER_STEMS = tuple(sorted({_MANAGER, *(s for s, head in SYNONYMS.items() if head == _MANAGER)}))


@lru_cache(maxsize=65536)
def _is_manager(canon: str) -> bool:
    """A word for "manager", or one typo away from a long one ("parvalnieka" for
    "pārvaldnieka"): a name of the role is typed as carelessly as any other word."""
    if canon == _MANAGER:
        return True
    return len(canon) >= 7 and any(
        len(m) >= 7 and OSA.distance(canon, m, score_cutoff=1) <= 1 for m in _MANAGER_STEMS)


def merge_role_names(stems_: list[str]) -> list[tuple[int, str]]:
    """Content stems with every full name of the role merged into ROLE, each item with the
    position of the stem it came from (a bare "menedžeris" stays itself)."""
    canon = [canonical(x) for x in stems_]
    drop: set[int] = set()
    heads: set[int] = set()
    for i, c in enumerate(canon):
        if not _is_manager(c):
            continue
        named = set()
        j = i - 1
        while j >= 0 and i - j <= 2 and canon[j] in _ROLE_BEFORE:
            named.add(j)
            j -= 1
        k = i + 1
        if k < len(canon) and canon[k] == _ROLE_WORK:
            named.add(k)
            k += 1
        if k < len(canon) and canon[k] == _CLIENT:  # "менеджер по клиентам"
            named.add(k)
        if named:
            drop |= named
            heads.add(i)
    return [(i, ROLE if i in heads else x) for i, x in enumerate(stems_) if i not in drop]


def with_role_token(stems_: list[str]) -> list[str]:
    """`stems_` with every full name of the role merged into ROLE."""
    return [x for _, x in merge_role_names(stems_)]


_OCCUPATIONS = sorted(FOREIGN_ROLES)
_ADJECTIVE = ("sk", "ln")  # -isks, -ский, -льный once stemmed
# "autovadītāja apliecība", "права водителя", "psihologa diploms", "с дипломом
# психолога": a licence or a qualification, which one holds or a job may ask for — not
# that occupation's job.
_LICENCE = frozenset(_head(w) for w in (
    "apliecība", "tiesības", "права", "удостоверение", "diploms", "diplomu", "diploma",
    "диплом", "izglītība", "izglītību", "образование", "kvalifikācija", "квалификация"))


@lru_cache(maxsize=65536)
def occupation_of(st: str) -> str | None:
    """The occupation a content stem names (pavārs, юрист, arhitekts…), as the list spells
    it, or None: "jurists" and "juristu" stem differently and name one occupation."""
    # Exact, or the same word with another ending the stemmer did not strip alike
    # ("arhitekts" → "arhitekc" through the ts→c spelling rule, "arhitekta" → "arhitekt"):
    # all but the last letter of a long occupation stem. A short stem is too easily
    # another word that way ("storoz", сторож, and "storon", сторона): only t→c there
    # ("jurists" → "urisc").
    if st in FOREIGN_ROLES:
        return st
    if st.endswith("c") and st[:-1] + "t" in FOREIGN_ROLES:
        return st[:-1] + "t"
    if len(st) < 6 or st.endswith(_ADJECTIVE):  # "ekonomiskā", "строительной": adjectives
        return None
    i = bisect.bisect_right(_OCCUPATIONS, st) - 1
    for cand in _OCCUPATIONS[max(i - 1, 0): i + 2]:
        if len(cand) >= 7 and st[: len(cand) - 1] == cand[:-1] and abs(len(st) - len(cand)) <= 1:
            return cand
    return None


def is_occupation(st: str) -> bool:
    """A content stem that names another occupation (see `occupation_of`)."""
    return occupation_of(st) is not None


# The writer's own job: "esmu pavāre", "strādāju par šoferi", "я бухгалтер", "работаю
# водителем" (words as written: "я" and "а" share a skeleton, and "а водитель?" asks).
_SELF_WORDS = frozenset({"я", "ya", "ja", "esmu", "es"})
# ... and what the writer studies to become or works as on the side: "mācos par
# grāmatvedi", "учусь на экономиста", "подрабатываю промоутером".
_SELF_VERBS = frozenset(tokens("strādāju strādāju strādāju strādājis strādājusi biju "
                               "mācos studēju piestrādāju "
                               "работаю работал работала тружусь rabotayu rabotaju "
                               "учусь учился училась подрабатываю uchus podrabatyvayu"))
# A field, not a person: "психология" and "психолог", "auditorija" and "auditors" share
# a stem. The word as written tells them apart — a field's noun ends in -ija / -ия.
_FIELD_ENDINGS = ("ija", "ijas", "iju", "ijā", "ijai", "ijām", "ijās", "ия", "ии", "ию",
                  "ией", "иях", "иям", "иями", "iya", "iyu", "iey")


# Dative endings, as written ("нужно бухгалтеру", "бухгалтерам", "vajag grāmatvedim",
# "pavāram", "medmāsai"): the occupation a requirement is for, not a licence's holder.
_DATIVE = ("у", "ю", "ам", "ям", "am", "im", "ai", "ei", "iem", "ām", "ēm")


def _of_self(word: str, token: str) -> bool:
    """"I" or "I work": a word (as written) that starts the writer's own story."""
    return word in _SELF_WORDS or token in _SELF_VERBS


def speaks_of_self(text: str) -> bool:
    """The text says "I am" or "I work (as)": "я тоже аккаунт-менеджер", "es arī strādāju
    par konta pārvaldnieku" tell about the writer, they do not ask about the job."""
    return any(_of_self(w, t) for w, t in words_and_tokens(text))


@lru_cache(maxsize=16)  # the question at hand: its model text and the occupation check both ask
def occupation_context(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """What `occupation_flags` needs from the words as written, in one pass: the stems of
    the writer's own occupations, one or two words after "I am" or "I work (as)" (the
    story around a question, not what it asks about) and of the fields that share an
    occupation's stem ("психология", "auditorija": no occupation at all); and the stems of
    the occupations written in the dative ("какое образование нужно бухгалтеру" asks
    about accountants, where "с образованием психолога" names a degree)."""
    pairs = words_and_tokens(text)
    own: set[str] = set()
    addressed: set[str] = set()
    for i, (w, tok) in enumerate(pairs):
        st = stem(tok)
        if not is_occupation(st):
            continue
        if w.endswith(_FIELD_ENDINGS):  # a field of study or work, named by the same stem
            own.add(st)
            continue
        if w.endswith(_DATIVE):
            addressed.add(st)
        if (any(_of_self(w2, t) for w2, t in pairs[max(0, i - 2): i])
                or (i > 0 and stem(pairs[i - 1][1]) in own)):
            own.add(st)  # the second of two ("šoferi kurjeru firmā") goes with the first
    return frozenset(own), frozenset(addressed)


def occupation_flags(stems_: list[str], own: frozenset[str] = frozenset(),
                     addressed: frozenset[str] = frozenset()) -> list[bool]:
    """For each content stem, whether it names another occupation here: "autovadītāja"
    does, but not in "autovadītāja apliecība" (a licence, as "права водителя" is) unless
    it is written in the dative (`addressed`: "образование нужно бухгалтеру"), nor the
    writer's own job (`own`); both from `occupation_context`."""
    flags = [is_occupation(s) and s not in own for s in stems_]
    for i, flag in enumerate(flags):
        if flag and stems_[i] not in addressed and any(
                0 <= j < len(stems_) and canonical(stems_[j]) in _LICENCE for j in (i - 1, i + 1)):
            flags[i] = False
    return flags


# Shop sellers. The knowledge base speaks of them only beside "manager" ("why are sellers
# called managers?") and in a phone shop (duties.mobile_retail, whose staff sell): a
# question about a seller that names neither asks about another occupation ("обязанности
# продавца", "pārdevējas alga veikalā").
_SELLERS = frozenset(stems("pārdevējs pārdevēja pārdevēju pārdevēji pārdevējas pārdevējai "
                           "pārdevējiem продавец продавца продавцу продавцом продавцы "
                           "продавцов продавщица продавщицы продавщицей prodavec prodavca "
                           "prodavcy prodavcom"))
_PHONE_SHOP = frozenset(stems("mobilais mobilo mobilā telefons telefonu telefoni telefonus "
                              "sakaru salons salonā salonu мобильный мобильных мобильной "
                              "телефон телефона телефонов телефоны связи салон салоне салона "
                              "telefon telefonov svyazi salon salone"))


def names_seller(text: str) -> bool:
    """The text asks about a shop seller (not the writer's own job, nor a phone shop's)."""
    pairs = words_and_tokens(text)
    found = [stem(t) for _, t in pairs]
    if any(s in _PHONE_SHOP for s in found):
        return False
    return any(s in _SELLERS and not any(_of_self(w, t) for w, t in pairs[max(0, i - 2): i])
               for i, s in enumerate(found))


def named_occupations(text: str) -> frozenset[str] | None:
    """The other occupations a text names ("arhitekta mīnusi", "какие качества нужны
    воспитателю"; see `occupation_of`), empty when none — or None when it names another
    kind of manager or a shop seller ("HR menedžeris", "обязанности продавца"), whatever
    else it says: no example of ours asks about those beside the role."""
    if names_other_manager(text) or names_seller(text):
        return None
    st = content_stems(text)
    return frozenset(occupation_of(s) or s for s, flag in
                     zip(st, occupation_flags(st, *occupation_context(text)), strict=True) if flag)


def names_occupation(text: str) -> bool:
    """True when the text names another occupation or another kind of manager."""
    return named_occupations(text) != frozenset()
