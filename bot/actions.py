"""Every kind of button the bot shows, in one place: a typed action per kind, encoded into
Telegram's callback data and parsed back from it here and nowhere else.

Callback data comes back from the client, so it is untrusted and at most 64 bytes: an
action carries ids, never text (a Latvian or Cyrillic letter takes two bytes), and
`parse` returns None for anything that is not exactly one of these shapes (forged,
truncated, oversized). Whether an id still names something — a topic a reload removed —
is decided by the caller, which holds the knowledge base being served. The encoded forms
never change, so buttons under old messages keep working after an upgrade.

Pure: no Telegram import. The replies put actions on their buttons, the terminal chat
acts on them directly, and the Telegram adapter routes each kind to its own callback
with `CallbackQueryHandler(pattern=Kind.pattern)`.

Adding a kind of button
-----------------------
1. Here: a frozen dataclass deriving from `Action`, with a unique `prefix` (it ends with
   ':' when the action has fields) and a `fields` regex with one named group per field;
   `encode` / `from_fields` too unless it has at most one text field (the defaults do
   that). List it in `KINDS`. Set `admin = True` when only ADMIN_IDS may
   press it: the adapter then refuses everyone else as it refuses forged data.
   tests/test_actions.py round-trips every kind in KINDS and checks the 64-byte limit.
2. Telegram: its callback, `async def x(update, context, query, action: X) -> None`, next
   to its neighbours (bot/telegram/buttons.py for users', bot/telegram/filing.py for the
   admins' buttons that file questions), and one line `on_button(X, callback)` in
   `add_handlers` in bot/telegram/app.py, in the order of `KINDS`.
The terminal chat shows every button whose kind it handles (bot/localchat.py).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Self

from .knowledge.model import LANGS

MAX_DATA = 64  # bytes of callback data Telegram keeps
TOPIC_ID = r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*"  # knowledge/schema.json's topic id
SECTION_ID = r"[a-z][a-z0-9_]*"
FILTER_ID = r"[a-z][a-z0-9_]*"
FILTER_MARK = "~"  # t:<topic>~<filter>,<filter>: a salary topic with the question's filters


class Action:
    """One press of one kind of button. Subclasses are frozen dataclasses."""

    prefix: ClassVar[str]
    fields: ClassVar[str] = ""  # regex of what follows the prefix, one named group a field
    admin: ClassVar[bool] = False  # only ADMIN_IDS may press it
    # `prefix` + `fields`, the whole data and nothing else (python-telegram-bot calls
    # `pattern.match`, so the end is anchored here)
    pattern: ClassVar[re.Pattern[str]]

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls.pattern = cls.compile_pattern()

    @classmethod
    def compile_pattern(cls) -> re.Pattern[str]:
        return re.compile(rf"{re.escape(cls.prefix)}{cls.fields}\Z")

    def encode(self) -> str:
        """The callback data of this action. The default fits a kind of at most one text
        field: the prefix, then the field."""
        kind: Any = self  # a dataclass, as every subclass is
        values = [getattr(self, f.name) for f in dataclasses.fields(kind)]
        assert len(values) <= 1 and all(isinstance(v, str) for v in values), type(self)
        return self.prefix + "".join(values)

    @classmethod
    def from_fields(cls, found: dict[str, str]) -> Self:
        """The action from the named groups of a match of `pattern`. The default: each
        group is the text field of its name."""
        return cls(**found)

    @classmethod
    def parse(cls, data: str) -> Self | None:
        """This kind of action from callback data; None unless it is exactly that."""
        if len(data.encode("utf-8", "surrogatepass")) > MAX_DATA:
            return None
        found = cls.pattern.match(data)
        return cls.from_fields(found.groupdict()) if found else None


@dataclass(frozen=True, slots=True)
class ShowMenu(Action):
    """The list of sections ("📚 All topics", "⬅️ Back" from a section)."""

    prefix: ClassVar[str] = "menu"


@dataclass(frozen=True, slots=True)
class OpenSection(Action):
    """A section's topics, from the menu."""

    section: str
    prefix: ClassVar[str] = "s:"
    fields: ClassVar[str] = rf"(?P<section>{SECTION_ID})"


@dataclass(frozen=True, slots=True)
class OpenTopic(Action):
    """A topic's answer: from a reply (related topics, "did you mean", a second question),
    or from the menu (`from_menu`: shown in place, with a way back to its section). A
    salary topic offered for a question that named filters ("в банке") carries them, so
    the figures follow the question when the button is pressed."""

    topic: str
    filters: tuple[str, ...] = ()
    from_menu: bool = False
    prefix: ClassVar[str] = "t:"
    fields: ClassVar[str] = (rf"(?P<topic>{TOPIC_ID})"
                             rf"(?:{FILTER_MARK}(?P<filters>{FILTER_ID}(?:,{FILTER_ID})*))?")

    @classmethod
    def compile_pattern(cls) -> re.Pattern[str]:
        """Both spellings are one kind, one pattern, one callback: "t:…" from a reply,
        "mt:…" from the menu."""
        return re.compile(rf"(?P<menu>m?){re.escape(cls.prefix)}{cls.fields}\Z")

    def encode(self) -> str:
        tail = FILTER_MARK + ",".join(self.filters) if self.filters else ""
        return f"{'m' if self.from_menu else ''}{self.prefix}{self.topic}{tail}"

    @classmethod
    def from_fields(cls, found: dict[str, str]) -> Self:
        filters = tuple(found["filters"].split(",")) if found.get("filters") else ()
        return cls(found["topic"], filters, bool(found.get("menu")))


@dataclass(frozen=True, slots=True)
class SetLanguage(Action):
    """Fix the reply language (/language, or the switch under a greeting)."""

    lang: str
    prefix: ClassVar[str] = "lang:"
    fields: ClassVar[str] = "(?P<lang>" + "|".join(LANGS) + ")"


@dataclass(frozen=True, slots=True)
class Vote(Action):
    """👍 or 👎 under an answer."""

    topic: str
    up: bool
    prefix: ClassVar[str] = "f:"
    fields: ClassVar[str] = rf"(?P<vote>[+-]):(?P<topic>{TOPIC_ID})"

    def encode(self) -> str:
        return f"{self.prefix}{'+' if self.up else '-'}:{self.topic}"

    @classmethod
    def from_fields(cls, found: dict[str, str]) -> Self:
        return cls(found["topic"], found["vote"] == "+")


@dataclass(frozen=True, slots=True)
class Share(Action):
    """🔗 under an answer: a deep link to the topic."""

    topic: str
    prefix: ClassVar[str] = "share:"
    fields: ClassVar[str] = rf"(?P<topic>{TOPIC_ID})"


# -- admins' buttons: learning from unanswered questions (bot/learning.py) -----------------

QUESTION_REF = r"[0-9a-f]{10}"  # learning.reference(): what names a question, not its text
ENTRY_ID = r"[A-Za-z0-9_-]{1,32}"  # knowledge/schema.json's id of a learned question
Order = Literal["newest", "most"]  # learning.Order
ORDERS: tuple[Order, Order] = ("newest", "most")


@dataclass(frozen=True, slots=True)
class UnansweredPage(Action):
    """A page of /unanswered: newest or most asked first, from `offset` on."""

    order: Order = "newest"
    offset: int = 0
    prefix: ClassVar[str] = "uq:"
    fields: ClassVar[str] = r"(?P<order>[nm]):(?P<offset>0|[1-9][0-9]{0,4})"
    admin: ClassVar[bool] = True

    def encode(self) -> str:
        return f"{self.prefix}{self.order[0]}:{self.offset}"

    @classmethod
    def from_fields(cls, found: dict[str, str]) -> Self:
        return cls(ORDERS[found["order"] == "m"], int(found["offset"]))


@dataclass(frozen=True, slots=True)
class ShowQuestion(Action):
    """An unanswered question with its buttons (back from choosing another topic)."""

    ref: str
    prefix: ClassVar[str] = "uc:"
    fields: ClassVar[str] = rf"(?P<ref>{QUESTION_REF})"
    admin: ClassVar[bool] = True


@dataclass(frozen=True, slots=True)
class FileUnder(Action):
    """File an unanswered question as an example of a topic (one of the bot's guesses, or
    one chosen from the menu)."""

    ref: str
    topic: str
    prefix: ClassVar[str] = "uf:"
    fields: ClassVar[str] = rf"(?P<ref>{QUESTION_REF}):(?P<topic>{TOPIC_ID})"
    admin: ClassVar[bool] = True

    def encode(self) -> str:
        return f"{self.prefix}{self.ref}:{self.topic}"


@dataclass(frozen=True, slots=True)
class FileOffTopic(Action):
    """File an unanswered question as off-topic: the bot must refuse it."""

    ref: str
    prefix: ClassVar[str] = "uo:"
    fields: ClassVar[str] = rf"(?P<ref>{QUESTION_REF})"
    admin: ClassVar[bool] = True


@dataclass(frozen=True, slots=True)
class ChooseTopic(Action):
    """"Another topic…": the menu in filing mode — the sections, then a section's topics,
    whose buttons file the question (FileUnder)."""

    ref: str
    section: str = ""  # "": the list of sections
    prefix: ClassVar[str] = "ub:"
    fields: ClassVar[str] = rf"(?P<ref>{QUESTION_REF})(?::(?P<section>{SECTION_ID}))?"
    admin: ClassVar[bool] = True

    def encode(self) -> str:
        return f"{self.prefix}{self.ref}{':' + self.section if self.section else ''}"

    @classmethod
    def from_fields(cls, found: dict[str, str]) -> Self:
        return cls(found["ref"], found.get("section") or "")


@dataclass(frozen=True, slots=True)
class SkipQuestion(Action):
    """Leave an unanswered question for now (it stays in /unanswered)."""

    ref: str
    prefix: ClassVar[str] = "us:"
    fields: ClassVar[str] = rf"(?P<ref>{QUESTION_REF})"
    admin: ClassVar[bool] = True


@dataclass(frozen=True, slots=True)
class Unlearn(Action):
    """Undo a filed question, by its id in learned.yaml: under the confirmation, or in the
    /learned list (`listed`: the list is shown again without it)."""

    entry: str
    listed: bool = False
    prefix: ClassVar[str] = "uu:"
    fields: ClassVar[str] = rf"(?P<entry>{ENTRY_ID})"
    admin: ClassVar[bool] = True

    @classmethod
    def compile_pattern(cls) -> re.Pattern[str]:
        """"uu:…" under a confirmation, "luu:…" in the /learned list: one kind, one callback."""
        return re.compile(rf"(?P<listed>l?){re.escape(cls.prefix)}{cls.fields}\Z")

    def encode(self) -> str:
        return f"{'l' if self.listed else ''}{self.prefix}{self.entry}"

    @classmethod
    def from_fields(cls, found: dict[str, str]) -> Self:
        return cls(found["entry"], bool(found.get("listed")))


KINDS: tuple[type[Action], ...] = (ShowMenu, OpenSection, OpenTopic, SetLanguage, Vote, Share,
                                   UnansweredPage, ShowQuestion, FileUnder, FileOffTopic,
                                   ChooseTopic, SkipQuestion, Unlearn)
# What browsing shows: a menu or a topic, from the core alone (conversation.act).
Navigation = ShowMenu | OpenSection | OpenTopic


def parse(data: str) -> Action | None:
    """The action some callback data encodes, of whichever kind; None for anything else."""
    for kind in KINDS:
        action = kind.parse(data)
        if action is not None:
            return action
    return None
