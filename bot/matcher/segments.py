"""Cutting a chat message into the parts people put in it.

A message on Telegram is often more than a question: "Sveiki! Man ir 19 gadi, strādāju
kafejnīcā. Kādi ir konta pārvaldnieka pienākumi? Paldies!" The matcher reads the whole
message first; these parts let it also ask which sentence carries the question, and
whether a message asks two things ("plusi un mīnusi", "what are the duties and how much
do they pay?").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .normalize import NEGATION, content_stems, fold, tokens
from .roles import ROLE_WORDS, speaks_of_self, with_role_token

# A sentence ends at . ! ? … ; or a line break (an ellipsis or "?!" counts once).
_SENTENCE_END = re.compile(r"(?<=[.!?…;])\s+|\s*\n+\s*")
# A clause inside a sentence starts after a comma, a dash or "and"/"un"/"и"/"а также"…
_CLAUSE_SPLIT = re.compile(
    r"\s*[,:]\s+|\s+[-–—]\s+|\s+(?:and|un|kā arī|а также|а ещё|и ещё|и|а|i)\s+",
    re.IGNORECASE,
)

# Words that make a sentence a question even without a question mark, written naturally
# (folded to the skeleton at import, so "kadi", "какие" and "kakie" all count).
_QUESTION_WORDS = """
kas ko kā kāds kāda kādi kādas kādu kādām kādam kādēļ cik vai kur kad kāpēc kamdēļ kuri
kura kuru kurš kam kurā pastāsti pastāstiet paskaidro paskaidrojiet pasaki pasakiet
что кто как какой какая какие каких каким какую какое каков какова сколько скока где
когда почему зачем ли можно нужно надо чем кем куда откуда расскажите расскажи
объясните объясни подскажите подскажи помогите помоги посоветуйте посоветуй скажите скажи
порекомендуйте порекомендуй iesaki iesakiet izskaidro izskaidrojiet palīdzi palīdziet
"""
QUESTION_TOKENS = frozenset(t for w in _QUESTION_WORDS.split() for t in tokens(w))


_MIN_QUESTION_WORDS = 3  # content words a question needs to stand without its story

# A question word that only makes an indefinite pronoun asks nothing: "что-то новое",
# "где-нибудь", "какую-либо" (the particle after it), "kaut ko", "kaut kur" ("kaut"
# before it), "… ko jaunu", "… ko citu", "… ko vairāk" (something new, else, more).
_INDEFINITE_AFTER = frozenset(tokens("то нибудь либо"))
_INDEFINITE_BEFORE = frozenset(tokens("kaut"))
_SOMETHING = frozenset(tokens("ko"))
_SOMETHING_WHAT = frozenset(tokens("jaunu citu vairāk labāku"))


def _asks(toks: list[str], j: int) -> bool:
    """Whether the question word at toks[j] asks (it is not part of an indefinite pronoun)."""
    after = toks[j + 1] if j + 1 < len(toks) else ""
    if after in _INDEFINITE_AFTER or (j > 0 and toks[j - 1] in _INDEFINITE_BEFORE):
        return False
    # (at the start it asks: "ko jaunu var iemācīties")
    return not (j > 0 and toks[j] in _SOMETHING and after in _SOMETHING_WHAT)


@dataclass(frozen=True, slots=True)
class Segment:
    """A sentence of a message, and whether it reads as a question."""

    text: str
    question: bool


# Question words that also join a clause to a statement after a comma ("saka, ka
# noderēja", "nesapratu, kā sagatavoties", "понимаю, что от меня ждут").
_SUBORDINATORS = frozenset(t for w in ("kas", "ko", "kā", "ka", "что", "как", "кто", "где", "когда",
                                       "чем") for t in tokens(w))


def asks_outright(text: str) -> bool:
    """Whether a text (a message without its small talk) asks something: a question mark,
    or a question word anywhere but right after a comma, where "ka/kā/ko/что/как…" start
    a clause of a statement ("Paldies! Mamma saka, ka noderēja" asks nothing) — unless
    the clause before is a negated verb of knowing ("nesapratu, kā…", "не знаю, что…")."""
    if "?" in text:
        return True
    for s in sentences(text):
        before: list[str] = []
        for i, part in enumerate(s.text.split(",")):
            toks = tokens(part)
            for j, t in enumerate(toks):
                if t in QUESTION_TOKENS and _asks(toks, j) and not (
                        i > 0 and j == 0 and t in _SUBORDINATORS and not _not_knowing(before)):
                    return True
            before = toks
    return False


# Words of a reaction to an answer: "Paldies, tagad saprotu, ko dara …", "Спасибо, теперь
# понятно, чем занимается …", "mamma saka, ka noderēja" say that something was understood
# or helped (not when negated: "не понятно, чем…" asks).
_REACTION_WORDS = """
saprotu sapratu sapratām saprasts skaidrs skaidri noderēja noderīgi noderīga palīdzēja
palīdzēji palīdzējāt понятно понял поняла поняли ясно помогло помогли помог помогла
пригодилось пригодится полезно полезная полезный
"""
_REACTION = frozenset(t for w in _REACTION_WORDS.split() for t in tokens(w))


def reacts(text: str) -> bool:
    """Whether a message reacts to an answer (understood, it helped) rather than asks."""
    toks = tokens(text)
    return any(t in _REACTION and not (j > 0 and toks[j - 1] == NEGATION)
               for j, t in enumerate(toks))


def _not_knowing(words: list[str]) -> bool:
    """A clause ending in a negated verb ("nesapratu", "nezinu", "не знаю", "не понял"):
    what follows it ("…, kā tikt pie šī darba") is a question asked indirectly."""
    if not words:
        return False
    last = words[-1]
    return (last.startswith("ne") and len(last) > 4) or (len(words) > 1 and words[-2] == "ne")


def is_question(sentence: str) -> bool:
    """A question mark, or a question word anywhere in it ("vai", "как", "skolko")."""
    if "?" in sentence:
        return True
    toks = tokens(sentence)
    return any(t in QUESTION_TOKENS and _asks(toks, j) for j, t in enumerate(toks))


@lru_cache(maxsize=16)
def sentences(text: str) -> tuple[Segment, ...]:
    """The message's sentences in order (the whole text when it has one)."""
    parts = [p.strip() for p in _SENTENCE_END.split(fold(text).strip())]
    return tuple(Segment(p, is_question(p)) for p in parts if p)


def clauses(sentence: str) -> tuple[str, ...]:
    """A sentence cut at commas, dashes and "and" ("plusi un mīnusi" → "plusi", "mīnusi")."""
    return tuple(c for c in (p.strip() for p in _CLAUSE_SPLIT.split(sentence)) if c)


def _queries_role(sentence: str) -> bool:
    """A query about the role typed as into a search box ("klientu menedžera pienākumi
    bankā"): the role and at least one more content word, and not about the writer."""
    words = with_role_token(content_stems(sentence))
    return (len(words) > 1 and any(w in ROLE_WORDS for w in words)
            and not speaks_of_self(sentence))


def question_part(text: str) -> str | None:
    """The message's question sentences when it also has others (a greeting, a story),
    else None: "Sveiki! Man ir 19 gadi. Kādi ir pienākumi?" → "kādi ir pienākumi?".
    Sentences with a question mark are the questions when there are any: a question word
    also serves in statements ("gribu ko vairāk", "думаю, что…"). A question too short to
    stand alone comes with the sentence before it."""
    parts = sentences(text)
    at = ([i for i, s in enumerate(parts) if "?" in s.text]
          or [i for i, s in enumerate(parts) if s.question]
          or [i for i, s in enumerate(parts) if _queries_role(s.text)])
    if not at or len(at) == len(parts):
        return None
    asked = [parts[i].text for i in at]
    joined = " ".join(asked)
    if len(content_stems(joined)) >= _MIN_QUESTION_WORDS:
        return joined
    # "Ar ko sākt?", "Как это сделать?": a question of a word or two refers to what was
    # said right before it ("Хочу стать аккаунт-менеджером. С чего начать?"), which then
    # belongs to the question; the rest of the story (who the writer is) does not. (Nothing
    # before it, or nothing else in the message: the whole message is the question.)
    first = at[0]
    if first == 0 or (first == 1 and len(parts) == 2):
        return None
    context = " ".join([parts[first - 1].text, *asked])
    return context if len(content_stems(context)) >= _MIN_QUESTION_WORDS else None
