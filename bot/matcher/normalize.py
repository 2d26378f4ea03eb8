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
    "affix_variants", "content_stems", "content_words", "derivational_root", "fold",
    "has_latvian_letters", "is_cyrillic", "language_stems", "stem", "stems", "tokens",
    "words_and_tokens",
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
    "1s": "1c", "rezume": "cv", "resume": "cv", "ekscel": "eksel",
    "sales": "prodaz", "salary": "zarplat", "key": "klucev", "kei": "klucev", "zp": "zarplat",
}  # fmt: skip

# Question and function words (written naturally, normalized at import).
_STOP_LV = """
kas ko kā kāds kāda kādi kādas kādu kādus kādam kādai kur kad kāpēc kamdēļ vai ir
nav bija būs būt esmu esi ir un ar par uz no pie pēc līdz priekš bet jo ka lai ja tad arī
vēl jau tikai tik vien tas tā tie tās to tam tai tos šis šī šie šīs šo šim šai es man mani
mans mana manu mēs mums tu tev tevi tavs jūs jums jūsu viņš viņa viņam viņai viņu viņi
viņiem savs sava savu savi sev sevi te tur kaut kas kāds cik daudz ļoti tāds tāda
tādu tādi tādas tādā tādam tādiem kādēļ vajag vajadzētu varētu var varu drīkst gribu gribētu
vēlos vēlētos lūdzu pastāsti
pastāstiet pasaki pasakiet paskaidro paskaidrojiet zināt uzzināt interesē interesētu
jautājums jautāt saki sakiet kā īsti vispār nu labi ok okay tagad kpc iesaki iesakiet
izskaidro izskaidrojiet
kura kuri kuras kuru kurā kurai kuram kuriem kurām mūsu nevis vienkārši tiešām
"""
_STOP_RU = """
что кто как какой какая какое какие каких каким какую где когда почему зачем ли
и а но или да в во на с со к ко по о об от до из у за для при про над под
это этот эта эти этого этой тот та те то там тут здесь я мне меня мой моя мои ты тебе
тебя твой вы вам вас ваш он она оно они его ее её им их ему ей себя свой своя свои
есть быть был была были будет бы же ведь вот вообще ну ок
можно нужно надо хочу хотел хотела хотелось подскажите подскажи расскажите расскажи
скажите скажи объясните объясни пожалуйста интересно узнать знать вопрос сколько
посоветуйте посоветуй порекомендуйте порекомендуй
чем тем так также тоже всё все весь если мы нас нам кроме ещё уже чтобы ли
каков какова каково каковы который которая которое которые
которого которой которых которым такой такая такое такие том тому лишь даже просто
наш наша наши нашего нашей нашим реально
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
    if text.isprintable():  # the usual case: nothing invisible in it at all
        return text
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
    if not folded.isascii() and any(map(unicodedata.combining, folded)):
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
    if len(set(latin)) == 1 and len(latin) > 1:  # "ООО", "ааа": keep as typed, not "o"
        return latin
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
    return list(_tokens(text))


def words_and_tokens(text: str) -> list[tuple[str, str]]:
    """Each word as written (case folded) with its skeleton token, for rules that need
    the letters the skeleton merges ("я" and "а" both become "a")."""
    return [(t, sk) for t in _words(text) if (sk := _skeleton(t))]


@lru_cache(maxsize=16)
def _words(text: str) -> tuple[str, ...]:
    # One question is read by several steps (content words, role names, language votes):
    # the cache folds it once. Small on purpose: it is for the question at hand, not a
    # memo of past questions (benchmarks would measure the memo).
    return tuple(_TOKEN_RE.findall(fold(text)))


@lru_cache(maxsize=16)
def _tokens(text: str) -> tuple[str, ...]:
    return tuple(sk for t in _words(text) if (sk := _skeleton(t)))


def _skeleton_endings() -> tuple[str, ...]:
    # Endings are written as people spell them; tokens are compared in skeleton form
    # ("esošajiem" → "esosaiem"), so both spellings of every ending are stripped.
    ends = set(_RAW_ENDINGS) | {_skeleton(e) for e in _RAW_ENDINGS}
    return tuple(sorted((e for e in ends if e), key=len, reverse=True))


_ENDINGS: tuple[str, ...] = ()
_ENDINGS_BY_LENGTH: tuple[tuple[int, frozenset[str]], ...] = ()


@lru_cache(maxsize=65536)
def stem(token: str) -> str:
    """Strip one inflectional ending from a skeleton token, keeping at least 4 letters."""
    if token.isdigit() or any(ch.isdigit() for ch in token):
        return token
    # The longest ending that leaves enough of the word, looked up by length (as trying
    # every ending longest first would find it, at a fraction of the cost of a new word).
    for length, endings in _ENDINGS_BY_LENGTH:
        if len(token) - length >= _MIN_STEM and token[-length:] in endings:
            return _CANONICAL.get(token[:-length], token[:-length])
    return token


def _stop_set(raw_words: str) -> frozenset[str]:
    words = set()
    for raw in raw_words.split():
        for tok in tokens(raw):
            words.add(tok)
            words.add(stem(tok))
    return frozenset(words)


_ENDINGS = _skeleton_endings()
_ENDINGS_BY_LENGTH = tuple((n, frozenset(e for e in _ENDINGS if len(e) == n))
                           for n in sorted({len(e) for e in _ENDINGS}, reverse=True))
STOP_LV = _stop_set(_STOP_LV)
STOP_RU = _stop_set(_STOP_RU)
STOP_WORDS = STOP_LV | STOP_RU


def stems(text: str) -> list[str]:
    """All stems of a text in order (stop words kept); used for language voting."""
    return [stem(t) for t in tokens(text)]


# English words both languages' users type as they are: evidence of neither language.
_ENGLISH = frozenset({
    "account", "manager", "managers", "key", "sales", "cv", "crm", "kam", "b2b", "b2c",
    "excel", "hr", "ok", "vs", "skills", "soft", "hard", "office",
})


def language_stems(text: str) -> list[str]:
    """Stems that can tell Latvian from Russian: all words but English ones ("account
    manager" is written so in both)."""
    return [stem(sk) for t in _words(text) if t not in _ENGLISH and (sk := _skeleton(t))]


NEGATION = "ne"  # Russian "не" and Latvian "ne" (Latvian mostly writes it as a prefix)


# Prefixes that change a word's form more than its topic: Latvian negation (ne-), the
# debitive jā- (its skeleton is "a": "jāsedz" → "asedz"), Latvian and Russian verb prefixes.
_PREFIXES_BY_SIM: tuple[tuple[float, tuple[str, ...]], ...] = (
    (0.85, ("ne", "a")),
    (0.75, ("aiz", "pie", "par", "ie", "iz", "no", "sa", "pa", "uz", "at", "ap",
            "pere", "pri", "pro", "raz", "ras", "po", "za", "vi", "ot")),
)


def affix_variants(stem_: str) -> list[tuple[str, float]]:
    """Shorter stems an unknown word may be a prefixed form of, with how close each is
    ("nesadarbojas" → "sadarbo", "jāiemācās" → "iemac" → "mac"), never shorter than 4."""
    out: list[tuple[str, float]] = []
    frontier = [(stem_, 1.0)]
    for _ in range(2):  # "ne" + "jā" + verb at most
        nxt = []
        for word, sim in frontier:
            for psim, prefixes in _PREFIXES_BY_SIM:
                for p in prefixes:
                    if word.startswith(p) and len(word) - len(p) >= 4:
                        nxt.append((word[len(p):], sim * psim))
        out += nxt
        frontier = nxt
    return out


_VOWELS = frozenset("aeiou")
_VOWEL_T = re.compile(r"[aeiou]t$")
_CONSONANT_T = re.compile(r"[bgkp]t$")  # slēgt, likt, cept (not parakst-)


def derivational_root(stem_: str) -> str:
    """The root a Latvian derived word shares with its kin, for words the knowledge base
    never uses: -šana nouns (parakstīšana, as parakstīt), -ība nouns and -īgs adjectives
    (atbildība, atbildīgs, as atbild), the superlative vis-…-āk- and the comparative
    (viszemākā, zemāka), infinitives (noslēgt, as noslēgšana) and the conditional's
    (strādātu, as strādāt: the stemmer strips only its -u). Only a fallback: as an
    equality it would merge words whose meanings parted long ago (noturība "resilience" and
    noturēt "to keep a client", personība and personīgi), so the index and the model use
    it only for a word they do not know."""
    st = stem_
    if st.startswith("vis") and st.endswith("ak") and len(st) >= 8:
        st = st[3:]
    for _ in range(3):  # suffix after suffix: apmierinātība → apmierināt- → apmierin-
        before = st
        if st.endswith("san") and len(st) - 3 >= _MIN_STEM:
            st = st[:-3]
        elif st.endswith(("ib", "ig")) and len(st) - 2 >= _MIN_STEM or (
                st.endswith("ak") and len(st) - 2 >= 3):  # zemāk- → zem-
            st = st[:-2]
        elif _CONSONANT_T.search(st) and len(st) - 1 >= _MIN_STEM:
            st = st[:-1]
        elif _VOWEL_T.search(st) and len(st) - 2 >= _MIN_STEM:  # a conditional: strādātu
            st = st[:-2]
        elif st[-1:] in _VOWELS and len(st) > _MIN_STEM:
            st = st[:-1]
        if st == before:
            break
    return st


def _negated_stop_word(tok: str) -> bool:
    # Latvian writes "not" as a prefix: "neesmu", "nevar", "nekad", "neko" are function
    # words like "esmu", "var", "kad", "ko" (but "nedēļa" is no "dēļa"). In the skeleton
    # "neesmu" has lost a doubled e: "nesmu".
    if not tok.startswith(NEGATION) or len(tok) < 4:
        return False
    rests = (tok[2:], tok[1:]) if tok[2] != "e" else (tok[2:],)
    return any(r in STOP_WORDS or stem(r) in STOP_WORDS for r in rests)


@lru_cache(maxsize=16)
def content_words(text: str) -> tuple[tuple[str, bool], ...]:
    """Stems of the words that carry meaning, each with whether an ending was stripped
    (an inflected whole word, not a word the user stopped typing halfway).

    Stop words and 1-letter tokens are dropped. A separate negation joins the next word
    ("не подходит" → "nepodhod"), as Latvian writes it ("nepiemērots"), so "who does it
    suit" and "who does it not suit" differ. (Cached for the question at hand: the
    classifier, the index and the occupation check all read it.)"""
    out: list[tuple[str, bool]] = []
    negate = False
    for tok in tokens(text):
        if tok == NEGATION:
            negate = True
            continue
        if tok in STOP_WORDS or len(tok) < 2 and not tok.isdigit():
            continue
        word = NEGATION + tok if negate else tok
        st = stem(word)
        negate = False
        if st in STOP_WORDS or _negated_stop_word(word):
            continue
        out.append((st, st != word))
    if any(st in _DRIVING for st, _ in out):
        # "права"/"tiesības" beside a car or a driver is a driving licence, not rights:
        # "нужны ли права и машина?", "vai vajag autovadītāja tiesības?"
        out = [(_LICENCE if canonical(st) == _RIGHTS else st, infl) for st, infl in out]
    return tuple(out)


def content_stems(text: str) -> list[str]:
    """Stems of the words that carry meaning (see `content_words`)."""
    return [s for s, _ in content_words(text)]


def _synonyms() -> dict[str, str]:
    from .synonyms import build_map

    return build_map(lambda w: [stem(t) for t in tokens(w) if t not in STOP_WORDS])


SYNONYMS = _synonyms()


def _stems_of(words: str) -> frozenset[str]:
    return frozenset(stem(t) for w in words.split() for t in tokens(w))


def _foreign_roles() -> frozenset[str]:
    from .synonyms import FOREIGN_ROLES

    return _stems_of(FOREIGN_ROLES)


FOREIGN_ROLES = _foreign_roles()


def canonical(stem_: str) -> str:
    """The synonym group head of a stem (the stem itself when it has no group)."""
    return SYNONYMS.get(stem_, stem_)


# Words of driving: beside them "rights" (права, tiesības) is a driving licence.
_DRIVING = _stems_of("autovadītāja autovadītāju šofera šoferim водительские водительское "
                     "водителя машина машину mašīna mašīnu automašīna automašīnu автомобиль "
                     "автомобиля auto авто kategorijas категории")
[_RIGHTS] = {canonical(s) for s in _stems_of("tiesības")}
[_LICENCE] = _stems_of("apliecība")
