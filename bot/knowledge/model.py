"""Immutable knowledge objects: what the matcher and the replies read, never mutate."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .errors import Problem

LANGS: tuple[str, ...] = ("lv", "ru")
# The file the bot writes itself (admins may edit it too): questions admins filed from
# real traffic (see bot/learning.py). Its entries become examples at load.
LEARNED_FILE = "learned.yaml"
OFF_TOPIC = "off-topic"  # the `topic` of a learned question the bot must refuse


@dataclass(frozen=True, slots=True)
class Text:
    """One text in both reply languages."""

    lv: str
    ru: str

    def get(self, lang: str) -> str:
        return self.ru if lang == "ru" else self.lv


@dataclass(frozen=True, slots=True)
class Source:
    """Where an object was written, so messages can point an admin at it."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, slots=True)
class Topic:
    id: str
    section: str
    title: Text
    answer: Text
    questions: Mapping[str, tuple[str, ...]]
    related: tuple[str, ...]
    source: Source
    facts: str | None = None
    question_lines: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    # The example questions (also in `questions`, after the topic's own) that came from
    # learned.yaml: their lines in `question_lines` are lines of that file.
    learned: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def question_line(self, lang: str, text: str) -> int:
        """Line of an example question in its file (the topic's line if not found)."""
        qs = self.questions.get(lang, ())
        lines = self.question_lines.get(lang, ())
        if text in qs and len(lines) == len(qs):
            return lines[qs.index(text)]
        return self.source.line

    def question_source(self, lang: str, text: str) -> Source:
        """Where an example question is written: the topic's file, or learned.yaml."""
        file = LEARNED_FILE if text in self.learned.get(lang, ()) else self.source.file
        return Source(file, self.question_line(lang, text))


@dataclass(frozen=True, slots=True)
class LearnedQuestion:
    """A question an admin filed from real traffic (learned.yaml): an example of its topic,
    or an off-topic example (`topic` None), from the next load on."""

    id: str  # stable: undo names it
    topic: str | None  # None: off-topic (the bot must refuse it)
    lang: str
    text: str
    by: str  # who filed it: an admin's Telegram id, "cli", or a name written by hand
    at: str  # when, ISO 8601
    source: Source


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    order: int
    title: Text
    topic_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Salary:
    """A listing's pay: a range (either end may be open) or "by agreement"."""

    min: int | None
    max: int | None
    negotiable: bool
    currency: str = "RUB"
    period: str = "month"

    @property
    def has_figure(self) -> bool:
        return self.min is not None or self.max is not None


# What a listing says about experience: "none" (not needed, or candidates without it are
# considered), "preferred" (desirable or an advantage), "required"; None when it is silent.
EXPERIENCE_LEVELS: tuple[str, ...] = ("none", "preferred", "required")
# Requirement flags a listing can raise, and how strongly ("incomplete_ok": a degree or an
# unfinished one; only for higher_education).
FLAGS: tuple[str, ...] = ("higher_education", "english", "driving_licence", "car")
# The kinds of client a listing names: corporate clients or sales (legal entities), B2B,
# B2C, small and medium businesses.
CLIENT_KINDS: tuple[str, ...] = ("corporate", "b2b", "b2c", "smb")


@dataclass(frozen=True, slots=True)
class Vacancy:
    """One listing of the seed article, with the facts a question can filter on, each read
    from the listing's own text (see the header of vacancies.yaml)."""

    id: str
    requirements: Text | None
    salary: Salary | None
    industry: str | None
    source: Source
    experience: str | None = None
    experience_years: int | None = None  # the least number of years the listing names
    asks: Mapping[str, str] = field(default_factory=dict)  # flag → required/preferred/…
    clients: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SalaryFacts:
    """Figures computed from the vacancy listings at load time."""

    listings: int
    with_figure: int
    negotiable: int
    unstated: int
    lowest: int | None
    highest: int | None
    typical_low: int | None
    typical_high: int | None
    currency: str = "RUB"
    # Each listing's own range (lowest first), so a handful of listings can be shown one
    # by one instead of as a "typical range" of two numbers.
    figures: tuple[tuple[int | None, int | None], ...] = ()


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything the bot knows; replaced whole on reload, never edited in place."""

    topics: Mapping[str, Topic]
    sections: tuple[Section, ...]
    vacancies: tuple[Vacancy, ...]
    salary_facts: SalaryFacts | None
    answers: Mapping[tuple[str, str], str] = field(default_factory=dict)
    directory: str = ""
    out_of_domain: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Users' wording of the topics' questions (calibration.yaml): (topic, lang, text). The
    # classifier learns from them; calibration asks each of one trained without it.
    calibration: tuple[tuple[str, str, str], ...] = ()
    # Salary figures per filter and pair of filters (listing_filters.key), computed at load.
    salary_subsets: Mapping[tuple[str, ...], SalaryFacts] = field(default_factory=dict)
    # learned.yaml's questions that were added (to their topic's examples, or to the
    # out-of-domain examples), in the file's order.
    learned: tuple[LearnedQuestion, ...] = ()
    # What the loader noticed but did not refuse the knowledge base for (a learned question
    # that is already an example is skipped, not added twice); `check` shows them.
    notes: tuple[Problem, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "topics", MappingProxyType(dict(self.topics)))
        object.__setattr__(self, "answers", MappingProxyType(dict(self.answers)))
        object.__setattr__(self, "salary_subsets", MappingProxyType(dict(self.salary_subsets)))

    def answer(self, topic_id: str, lang: str) -> str:
        """The full answer text (computed facts included) of a topic in a language."""
        return self.answers[(topic_id, lang)]
