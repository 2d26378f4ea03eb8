"""Bring Latvian, Russian and Russian-in-Latin text to one comparable token form.

Users type without diacritics ("pienakumi"), in translit ("objazannosti akkaunt
menedzhera"), with doubled letters ("paarvaldnieks") and in every case and script. Every
text — knowledge-base questions and user queries alike — goes through the same pipeline,
so two spellings of one word meet in the same *skeleton*:

    NFKC + casefold → drop zero-width/control marks → Cyrillic to Latin → Latvian
    diacritics folded → digraphs and spelling variants collapsed → doubled letters
    collapsed → stop words dropped → endings stripped.

The skeleton is lossy on purpose; it is only used for comparison, never shown.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = [
    "FOREIGN_ROLES", "STOP_LV", "STOP_RU", "STOP_WORDS", "SYNONYMS", "canonical",
    "content_stems", "fold", "has_latvian_letters", "is_cyrillic", "stem", "stems", "tokens",
]

_CYRILLIC_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "c",
    "ч": "ch", "ш": "sh", "щ": "sh", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "і": "i", "ї": "i", "є": "e", "ў": "u", "ґ": "g",
}  # fmt: skip


# Order matters: longer digraphs first. Applied to every Latin skeleton, so a variant
# typed by a user and the same word written correctly always collapse the same way.
_DIGRAPHS: tuple[tuple[str, str], ...] = (
    ("shch", "s"), ("sch", "s"), ("tch", "c"), ("sh", "s"), ("ch", "c"), ("zh", "z"),
    ("kh", "h"), ("dj", "dz"), ("ts", "c"), ("tz", "c"), ("ck", "k"), ("ph", "f"), ("x", "ks"),
    ("q", "k"), ("w", "v"),
    ("ya", "a"), ("ja", "a"), ("ia", "a"), ("yu", "u"), ("ju", "u"), ("iu", "u"),
    ("yo", "o"), ("jo", "o"), ("ye", "e"), ("je", "e"), ("y", "i"), ("j", "i"),
)  # fmt: skip
_DIGRAPH_RE = re.compile("|".join(re.escape(a) for a, _ in _DIGRAPHS))
_DIGRAPH_MAP = dict(_DIGRAPHS)
_FOUR_RE = re.compile(r"(?<![0-9])4(?![0-9])(?=[a-z])|(?<=[a-z])4(?![0-9])")
_DOUBLE_RE = re.compile(r"([a-z])\1+")
_TOKEN_RE = re.compile(r"[^\W_]+", re.UNICODE)

# English loans and common variants that no letter rule can bring together.
_CANONICAL = {
    "acount": "akaunt", "akount": "akaunt", "akaunts": "akaunt",
    "manager": "menedzer", "menager": "menedzer", "maneger": "menedzer",
    "menedzers": "menedzer", "meneger": "menedzer", "menedzeris": "menedzer",
    "1s": "1c", "rezume": "cv", "resume": "cv",
    "sales": "prodaz", "salary": "zarplat", "key": "klucev", "zp": "zarplat",
}  # fmt: skip

# Question and function words (written naturally, normalized at import).
_STOP_LV = """
kas ko kā kāds kāda kādi kādas kādu kādus kādam kādai kur kad kāpēc kamdēļ vai ir
nav bija būs būt esmu esi ir un ar par uz no pie pēc līdz priekš bet jo ka lai ja tad arī
vēl jau tikai tik vien tas tā tie tās to tam tai tos šis šī šie šīs šo šim šai es man mani
mans mana manu mēs mums tu tev tevi tavs jūs jums jūsu viņš viņa viņam viņai viņu viņi
viņiem savs sava savu savi sev sevi te tur kaut kas kāds cik daudz ļoti tāds tāda
kādēļ vajag vajadzētu varētu var varu drīkst gribu gribētu vēlos vēlētos lūdzu pastāsti
pastāstiet pasaki pasakiet paskaidro paskaidrojiet zināt uzzināt interesē interesētu
jautājums jautāt saki sakiet kā īsti vispār nu labi ok okay tagad
"""
_STOP_RU = """
что кто как какой какая какое какие каких каким какую где когда почему зачем ли
и а но или да в во на с со к ко по о об от до из у за для при про над под
это этот эта эти этого этой тот та те то там тут здесь я мне меня мой моя мои ты тебе
тебя твой вы вам вас ваш он она оно они его ее её им их ему ей себя свой своя свои
есть быть был была были будет бы же ведь вот вообще ну ок
можно нужно надо хочу хотел хотела хотелось подскажите подскажи расскажите расскажи
скажите скажи объясните объясни пожалуйста интересно узнать знать вопрос сколько
чем тем так также тоже всё все весь если мы нас нам кроме ещё уже чтобы ли
kak chto kto eto
"""

_RAW_ENDINGS = (
        {
            # Latvian noun/adjective/verb endings (folded)
            "ajiem", "ajam", "ajai", "ajas", "ajos", "ajs", "ais", "iem", "ieem",
            "ams", "ama", "ami", "ot", "os", "am", "as", "es", "is", "us", "ai", "ei",
            "ie", "em", "im", "um", "s", "a", "e", "i", "o", "u",
            # Russian endings in the Latin skeleton
            "ovi", "ev", "ov", "oi", "ii", "ogo", "ego", "omu", "emu",
            "imi", "ih", "ah", "om", "ui", "iu", "at", "it", "et", "ut",
            # nouns in -ость: обязанность, обязанности, обязанностей, обязанностями…
            "ost", "osti", "ostei", "ostam", "ostami", "ostah", "ostu",
            "ete", "ite",
        }
)  # fmt: skip
_MIN_STEM = 4


def is_cyrillic(text: str) -> bool:
    """True when the text holds at least one Cyrillic letter."""
    return any("\u0400" <= ch <= "\u04ff" for ch in text)


def has_latvian_letters(text: str) -> bool:
    """True when the text holds a letter only Latvian uses (ā, š, ņ…)."""
    low = text.lower()
    return any(ch in "āčēģīķļņšūž" for ch in low)


def _drop_marks(text: str) -> str:
    # Format characters (soft hyphen, zero-width joiners, RTL marks, BOM) vanish so a
    # word they sit inside stays one word; control characters and the zero-width space
    # separate words.
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch == "\u200b" or cat == "Cc" or cat in ("Cs", "Co", "Cn"):
            out.append(" ")
        elif cat != "Cf":
            out.append(ch)
    return "".join(out)


def fold(text: str) -> str:
    """Case-folded, NFKC-normalized text without invisible characters (still readable).

    Combining marks that do not compose into a letter (a Russian stress mark on а́) are
    dropped so they do not split a word; ā, š, й stay as they are."""
    # NFKC first (𝑨 → A) so case folding sees plain letters, and again after it (ß́ → sś → sś).
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", _drop_marks(text)).casefold())
    if any(unicodedata.combining(ch) for ch in folded):
        folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return folded.replace("ё", "е")


@lru_cache(maxsize=65536)
def _skeleton(token: str) -> str:
    # Accents go first (ā→a, š→s, ķ→k, й→и, ѝ→и), then Cyrillic becomes Latin.
    bare = "".join(
        ch for ch in unicodedata.normalize("NFKD", token) if not unicodedata.combining(ch)
    )
    latin = "".join(_CYRILLIC_TO_LATIN.get(ch, ch) for ch in bare)
    # Chat translit writes ч as 4 ("4to", "o4en"); a lone 4 between letters is one.
    if "4" in latin and not latin.isdigit():
        latin = _FOUR_RE.sub("ch", latin)
    # Collapsing can create a new digraph ("iya" → "ia"): repeat until stable so the
    # skeleton of a skeleton is itself.
    for _ in range(8):
        new = _DOUBLE_RE.sub(r"\1", _DIGRAPH_RE.sub(lambda m: _DIGRAPH_MAP[m.group(0)], latin))
        if new == latin:
            break
        latin = new
    return _CANONICAL.get(latin, latin)


def tokens(text: str) -> list[str]:
    """Skeleton tokens of a text, stop words included."""
    return [sk for t in _TOKEN_RE.findall(fold(text)) if (sk := _skeleton(t))]


def _skeleton_endings() -> tuple[str, ...]:
    # Endings are written as people spell them; tokens are compared in skeleton form
    # ("esošajiem" → "esosaiem"), so both spellings of every ending are stripped.
    ends = set(_RAW_ENDINGS) | {_skeleton(e) for e in _RAW_ENDINGS}
    return tuple(sorted((e for e in ends if e), key=len, reverse=True))


_ENDINGS: tuple[str, ...] = ()


@lru_cache(maxsize=65536)
def stem(token: str) -> str:
    """Strip one inflectional ending from a skeleton token, keeping at least 4 letters."""
    if token.isdigit() or any(ch.isdigit() for ch in token):
        return token
    for ending in _ENDINGS:
        if token.endswith(ending) and len(token) - len(ending) >= _MIN_STEM:
            return _CANONICAL.get(token[: -len(ending)], token[: -len(ending)])
    return token


def _stop_set(raw_words: str) -> frozenset[str]:
    words = set()
    for raw in raw_words.split():
        for tok in tokens(raw):
            words.add(tok)
            words.add(stem(tok))
    return frozenset(words)


_ENDINGS = _skeleton_endings()
STOP_LV = _stop_set(_STOP_LV)
STOP_RU = _stop_set(_STOP_RU)
STOP_WORDS = STOP_LV | STOP_RU


def stems(text: str) -> list[str]:
    """All stems of a text in order (stop words kept); used for language voting."""
    return [stem(t) for t in tokens(text)]


NEGATION = "ne"  # Russian "не" and Latvian "ne" (Latvian mostly writes it as a prefix)


def content_stems(text: str) -> list[str]:
    """Stems of the words that carry meaning: stop words and 1-letter tokens dropped.

    A separate negation joins the next word ("не подходит" → "nepodhod"), as Latvian
    writes it ("nepiemērots"), so "who does it suit" and "who does it not suit" differ."""
    out: list[str] = []
    negate = False
    for tok in tokens(text):
        if tok == NEGATION:
            negate = True
            continue
        if tok in STOP_WORDS or len(tok) < 2 and not tok.isdigit():
            continue
        st = stem(NEGATION + tok if negate else tok)
        negate = False
        if st in STOP_WORDS:
            continue
        out.append(st)
    return out


def _synonyms() -> dict[str, str]:
    from .synonyms import build_map

    return build_map(lambda w: [stem(t) for t in tokens(w) if t not in STOP_WORDS])


SYNONYMS = _synonyms()


def _foreign_roles() -> frozenset[str]:
    from .synonyms import FOREIGN_ROLES

    return frozenset(stem(t) for w in FOREIGN_ROLES.split() for t in tokens(w))


FOREIGN_ROLES = _foreign_roles()


def canonical(stem_: str) -> str:
    """The synonym group head of a stem (the stem itself when it has no group)."""
    return SYNONYMS.get(stem_, stem_)
