"""Learning from real questions: an admin files a question the bot could not answer under
a topic (or as off-topic) in knowledge/learned.yaml, and from the next load on it is one
of that topic's examples (or an off-topic example) that the index and the classifier are
trained on.

No Telegram here: the command line (`python -m bot unanswered/learn/unlearn/learned/
export-unanswered`) and the admins' buttons in Telegram are two front ends over these
functions.

learned.yaml is the bot's file, but admins may edit it too, so the bot never re-dumps it:
it appends an entry's lines at the end or cuts one entry's lines out, checks that the
result reads back as exactly the old entries plus (or minus) that one, and writes it
whole through a temporary file in the same directory (written, fsynced, then renamed over
the old one): a crash, a full disk or a failing rename leaves the old file as it was.
Writers (the bot, the command line) take turns through a lock on the directory. The other
knowledge files are only ever read.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import difflib
import hashlib
import json
import os
import re
import secrets
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from . import resources
from .knowledge.contract import CONTRACT_TOPICS
from .knowledge.errors import KnowledgeInvalid, Problem
from .knowledge.loader import load_knowledge
from .knowledge.model import LANGS, LEARNED_FILE, OFF_TOPIC, KnowledgeBase, LearnedQuestion, Source
from .knowledge.schema import validate
from .knowledge.yamlsource import YamlDocument, parse_text, read_text
from .matcher.normalize import has_latvian_letters, is_cyrillic, tokens
from .redact import redact_secrets
from .storage import MAX_STORED_TEXT

if TYPE_CHECKING:  # the model's libraries load only when a command needs them
    from .matcher.decide import Decision, Matcher
    from .state import KnowledgeState
    from .storage import Storage, UnansweredAsk

try:  # the lock is advisory and Unix-only; elsewhere writers simply do not take turns
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

MAX_TEXT = MAX_STORED_TEXT  # a question is one line, as long as storage keeps one
GUESSES = 3
_TEMP_GLOB = f".{LEARNED_FILE}.*.tmp"  # not .yaml: the loader never reads a half-written one


class LearningError(Exception):
    """Nothing was written; the message is one line for an admin."""


Known = Literal["learned", "title", "example", "off-topic example", "calibration"]


class AlreadyKnown(LearningError):
    """The question is already known: `kind` says as what, `topic` of which topic (None for
    an off-topic one), `where` in which file and line (for a message in another language)."""

    def __init__(self, text: str, kind: Known, topic: str | None, where: str) -> None:
        self.text, self.kind, self.topic, self.where = text, kind, topic, where
        what = {
            "learned": (f"learned for topic '{topic}'" if topic else "learned as off-topic"),
            "title": f"the title of topic '{topic}'",
            "example": f"an example question of topic '{topic}'",
            "off-topic example": "an off-topic example",
            "calibration": f"a calibration question of topic '{topic}'",
        }[kind]
        super().__init__(f"'{text}' is already {what} ({where}): nothing was filed")


class NotLearned(LearningError):
    """No learned question has this id."""


class CannotWrite(LearningError):
    """The knowledge directory cannot be written (missing, read-only, the installed
    package's copy): nothing was changed."""


class KnowledgeBroken(LearningError):
    """The knowledge base on disk does not load; filing would not take effect."""

    def __init__(self, problems: list[Problem], consequence: str = "") -> None:
        self.problems = problems
        first = str(problems[0]) if problems else "unknown problem"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        tail = f"; {consequence}" if consequence else ""
        super().__init__(f"the knowledge base has problems: {first}{more}{tail}")


def question_key(text: str) -> str:
    """What makes two questions the same question: the matcher's skeleton tokens (case,
    diacritics, Cyrillic or translit, punctuation and spacing do not count)."""
    return " ".join(tokens(text))


def clean_text(text: str) -> str:
    """A question as it is filed: one line, single spaces, no invisible characters."""
    return " ".join("".join(ch for ch in str(text) if ch.isprintable() or ch.isspace()).split())


# -- reading learned.yaml ------------------------------------------------------------------


Raw = tuple[dict[str, Any], ...]  # the entries as YAML reads them


@dataclass(frozen=True, slots=True)
class _Learned:
    """learned.yaml as read: its text, the document and its entries (in file order)."""

    text: str
    doc: YamlDocument | None
    entries: tuple[LearnedQuestion, ...]
    raw: Raw


def _entries(doc: YamlDocument | None) -> tuple[tuple[LearnedQuestion, ...], Raw]:
    raw = tuple(doc.data.get("learned") or ()) if doc is not None and doc.data else ()
    out = []
    for i, e in enumerate(raw):
        topic = str(e["topic"])
        out.append(LearnedQuestion(
            str(e["id"]), None if topic == OFF_TOPIC else topic, str(e["lang"]),
            clean_text(e["text"]), "" if e.get("by") is None else str(e["by"]),
            "" if e.get("at") is None else str(e["at"]),
            Source(LEARNED_FILE, doc.line(("learned", i)) if doc else 0)))
    return tuple(out), raw


def _parse(text: str) -> tuple[YamlDocument | None, list[Problem]]:
    doc, problems = parse_text(text, LEARNED_FILE, allow_empty=True)
    if doc is None or doc.data is None:
        return doc, problems
    problems = validate(doc)
    if not problems and "learned" not in doc.data:
        problems = [Problem(LEARNED_FILE, 1, "learned.yaml must hold one key, 'learned:'")]
    return (doc, []) if not problems else (None, problems)


def _read(path: Path) -> _Learned:
    """learned.yaml as it is now (a missing file is an empty one), read the way the loader
    reads knowledge files: a link out of the directory, a device or a huge file is refused."""
    if not os.path.lexists(path):
        text = ""
    else:
        read, problems = read_text(path, LEARNED_FILE, path.parent)
        if read is None:
            raise KnowledgeBroken(problems)
        text = read
    doc, problems = _parse(text)
    if problems:
        raise KnowledgeBroken(problems)
    entries, raw = _entries(doc)
    return _Learned(text, doc, entries, raw)


def recent(directory: str | Path, n: int = 10) -> list[LearnedQuestion]:
    """The last `n` questions filed, newest first (by their time, then their place in the
    file: one written by hand without a time counts as oldest)."""
    entries = _read(Path(directory) / LEARNED_FILE).entries
    order = sorted(range(len(entries)), key=lambda i: (_when(entries[i].at), i), reverse=True)
    return [entries[i] for i in order[: max(n, 0)]]


def _when(at: str) -> float:
    try:
        when = dt.datetime.fromisoformat(at)
    except ValueError:
        return 0.0
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.timestamp()


# -- writing it ----------------------------------------------------------------------------


@contextlib.contextmanager
def _turn(directory: Path) -> Iterator[None]:
    """One writer at a time (the bot, the command line): an exclusive lock on the
    directory itself, so no lock file lies among the knowledge files."""
    if fcntl is None:  # pragma: no cover
        yield
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def write_atomically(path: Path, data: bytes) -> None:
    """Put `data` at `path` all at once: a temporary file in the same directory, written
    and fsynced, then renamed over `path` (atomic on POSIX), then the directory fsynced so
    the rename itself survives a power cut. On any failure the old file is untouched and
    the temporary file is removed."""
    directory = path.parent
    mode = (path.stat().st_mode & 0o777) if path.exists() else 0o644
    tmp = directory / f".{path.name}.{secrets.token_hex(4)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, mode)
    try:
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    with contextlib.suppress(OSError):  # not every filesystem can fsync a directory
        dfd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def _bytes_now(path: Path) -> bytes:
    """The file's bytes (none if it is missing), to see whether it changed."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return b""


def _remove_stale_temporaries(directory: Path) -> None:
    """Temporary files a killed writer left (only ever called while holding the turn, so
    none of them is being written)."""
    for stale in directory.glob(_TEMP_GLOB):
        with contextlib.suppress(OSError):
            stale.unlink()


def _check_writable(directory: Path) -> None:
    if resources.is_installed_copy(directory):
        raise CannotWrite("the knowledge base is the copy inside the installed package, "
                            "which the bot does not change: set KNOWLEDGE_DIR to a directory "
                            "of your own (a copy of it) to file questions")
    if not directory.is_dir():
        raise CannotWrite(f"the knowledge directory {directory} does not exist")


Edit = Callable[[_Learned], tuple[str, LearnedQuestion]]


def _rewrite(directory: Path, edit: Edit, before_edit: Callable[[], None] | None = None,
             nothing: str = "nothing was changed") -> tuple[LearnedQuestion, str, str]:
    """Run `edit` on learned.yaml as it is now and write its result atomically; returns
    the entry, the old text and the new text. If the file changes while the edit is made
    (an admin saved it), the edit is made again on the new content."""
    _check_writable(directory)
    path = directory / LEARNED_FILE
    try:
        with _turn(directory):
            _remove_stale_temporaries(directory)
            for _attempt in range(3):
                try:
                    current = _read(path)
                except KnowledgeBroken as exc:
                    raise KnowledgeBroken(exc.problems, nothing) from None
                if before_edit is not None:
                    before_edit()
                new_text, entry = edit(current)
                if _bytes_now(path) != current.text.encode("utf-8"):
                    continue  # edited meanwhile: start again from what is there now
                write_atomically(path, new_text.encode("utf-8"))
                return entry, current.text, new_text
    except OSError as exc:
        raise CannotWrite(f"cannot write {path}: {exc.strerror or exc}; {nothing} (the bot "
                            "needs write access to the knowledge directory to learn)") from None
    raise LearningError(f"{path} kept changing while the bot wrote it; {nothing}: try again")


def _yaml_string(text: str) -> str:
    """A double-quoted YAML scalar (JSON's string syntax is one), readable as typed."""
    return json.dumps(text, ensure_ascii=False)


def _is_id(by: str) -> bool:
    """A Telegram user id (ASCII digits: YAML reads them as a number)."""
    return by.isascii() and by.isdigit()


def _block(entry: LearnedQuestion, indent: int) -> str:
    pad = " " * indent
    by = entry.by if _is_id(entry.by) or entry.by == "cli" else _yaml_string(entry.by)
    return "".join(f"{pad}{line}\n" for line in (
        f"- id: {entry.id}",
        f"  topic: {entry.topic or OFF_TOPIC}",
        f"  lang: {entry.lang}",
        f"  text: {_yaml_string(entry.text)}",
        f"  by: {by}",
        f"  at: {_yaml_string(entry.at)}",
    ))


_EMPTY_KEY = re.compile(r"^learned:[ \t]*(\[[ \t]*\]|null|~)?[ \t]*(#.*)?$")


def _template() -> str:
    """A new learned.yaml: the shipped one's header, no entries."""
    shipped = resources.knowledge_dir() / LEARNED_FILE
    with contextlib.suppress(OSError, UnicodeDecodeError):
        lines = shipped.read_text(encoding="utf-8").splitlines(keepends=True)
        head = [line for line in lines if line.startswith("#")]
        return "".join(head) + "learned:\n"
    return "learned:\n"


def _appended(current: _Learned, entry: LearnedQuestion) -> str:
    """learned.yaml's text with the entry's lines added at the end of the list."""
    if not current.text.strip():  # missing or empty: a new file with the shipped header
        text = _template()
    elif current.doc is None or not current.doc.data:  # comments only: keep them, add the key
        text = current.text + ("" if current.text.endswith("\n") else "\n") + "learned:\n"
    else:
        text = current.text
    lines = text.splitlines(keepends=True)
    if current.entries and current.doc is not None:
        first = lines[current.doc.line(("learned", 0)) - 1]
        if not first.lstrip(" ").startswith("- "):
            raise LearningError("learned.yaml is not written as a list of '- id: …' blocks "
                                "(the form the bot adds to): nothing was filed")
        indent = len(first) - len(first.lstrip(" "))
    else:
        indent = 2
        key = next((i for i, line in enumerate(lines) if line.startswith("learned:")), None)
        if key is None or not _EMPTY_KEY.match(lines[key].rstrip("\r\n")):
            raise LearningError("learned.yaml does not end with an empty 'learned:' list the "
                                "bot can add to: nothing was filed")
        lines[key] = "learned:\n"
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    return "".join(lines) + _block(entry, indent)


def _cut(current: _Learned, index: int) -> str:
    """learned.yaml's text without the lines of entry `index`."""
    doc = current.doc
    assert doc is not None
    first = doc.line(("learned", index))
    last = max([first] + [doc.line(("learned", index, key)) for key in current.raw[index]])
    lines = current.text.splitlines(keepends=True)
    return "".join(lines[: first - 1] + lines[last:])


def _same_entries(text: str, expected: Sequence[dict[str, Any]]) -> bool:
    doc, problems = _parse(text)
    if problems:
        return False
    _, raw = _entries(doc)
    return list(raw) == list(expected)


def _raw(entry: LearnedQuestion) -> dict[str, Any]:
    """An entry as YAML reads back what _block wrote."""
    return {"id": entry.id, "topic": entry.topic or OFF_TOPIC, "lang": entry.lang,
            "text": entry.text, "by": int(entry.by) if _is_id(entry.by) else entry.by,
            "at": entry.at}


def _known(kb: KnowledgeBase, current: _Learned, key: str
           ) -> tuple[Known, str | None, str] | None:
    """(as what, of which topic, where) if a question with this key is known already."""
    for e in current.entries:
        if question_key(e.text) == key:
            return "learned", e.topic, f"{e.source}, id {e.id}"
    for t in kb.topics.values():
        for lang in LANGS:
            if question_key(t.title.get(lang)) == key:
                return "title", t.id, str(t.source)
            for q in t.questions[lang]:
                if question_key(q) == key:
                    return "example", t.id, str(t.question_source(lang, q))
    for lang in LANGS:
        for q in kb.out_of_domain.get(lang, ()):
            if question_key(q) == key:
                return "off-topic example", None, "out_of_domain.yaml"
    for tid, _lang, q in kb.calibration:
        if question_key(q) == key:
            return "calibration", tid, "calibration.yaml"
    return None


def guess_language(kb: KnowledgeBase, text: str) -> str | None:
    """The language of a question when it is clear (Cyrillic; Latvian letters; else the
    words of each language's examples, as the matcher weighs them), else None."""
    if is_cyrillic(text):
        return "ru"
    if has_latvian_letters(text):
        return "lv"
    from .matcher.index import Index

    lv, ru = Index(kb).language_votes(text)
    if abs(lv - ru) >= 0.5:
        return "lv" if lv > ru else "ru"
    return None


def _new_id(taken: Iterable[str]) -> str:
    """A short id that YAML reads as text (a leading letter: 12345678 would be a number,
    5e123456 a float) and that fits a button's data."""
    used = set(taken)
    while True:
        eid = "q" + secrets.token_hex(4)
        if eid not in used:
            return eid


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _filed_text(text: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (bytes that were not UTF-8 on a command line)
        raise LearningError("the question is not valid text (it is not UTF-8): nothing was "
                            "filed") from None
    clean = clean_text(text)
    if not clean:
        raise LearningError("the question is empty: nothing was filed")
    if len(clean) > MAX_TEXT:
        raise LearningError(f"the question is {len(clean)} characters long; at most {MAX_TEXT} "
                            "are filed (one question, not a whole chat): nothing was filed")
    if redact_secrets(clean) != clean:
        raise LearningError("the question contains something that looks like a secret (a "
                            "token, a password, a key): it is not written into the knowledge "
                            "base")
    if not question_key(clean):
        raise LearningError("the question has no words the bot can read: nothing was filed")
    return clean


def _file(directory: Path, topic: str | None, lang: str | None, text: str, by: str | int,
          required_topics: Iterable[str]) -> tuple[LearnedQuestion, str, str]:
    if lang is not None and lang not in LANGS:
        raise LearningError(f"the language must be {' or '.join(LANGS)}, got {lang!r}")
    clean = _filed_text(text)
    key = question_key(clean)
    who = str(by).strip() or "cli"
    state: dict[str, KnowledgeBase] = {}

    def load() -> None:  # inside the writers' turn: the knowledge base as it is on disk
        try:
            state["kb"] = load_knowledge(directory, required_topics=required_topics)
        except KnowledgeInvalid as exc:
            raise KnowledgeBroken(exc.problems, "nothing was filed") from None

    def edit(current: _Learned) -> tuple[str, LearnedQuestion]:
        kb = state["kb"]
        if topic is not None and topic not in kb.topics:
            hint = difflib.get_close_matches(topic, list(kb.topics), n=1)
            tip = f" — did you mean '{hint[0]}'?" if hint else ""
            raise LearningError(f"there is no topic '{topic}'{tip}: nothing was filed")
        known = _known(kb, current, key)
        if known is not None:
            raise AlreadyKnown(clean, *known)
        language = lang or guess_language(kb, clean)
        if language is None:
            raise LearningError(f"the language of '{clean}' is not clear: say which it is, "
                                "lv or ru (--lang on the command line); nothing was filed")
        entry = LearnedQuestion(_new_id(e.id for e in current.entries), topic, language, clean,
                                who, _now(), Source(LEARNED_FILE, 0))
        new_text = _appended(current, entry)
        if not _same_entries(new_text, [*current.raw, _raw(entry)]):
            raise LearningError("learned.yaml would not read back as it should after adding "
                                "the question (is it written in an unusual form?): nothing "
                                "was filed")
        line = 1 + new_text.count("\n") - _block(entry, 0).count("\n")
        return new_text, dataclasses.replace(entry, source=Source(LEARNED_FILE, line))

    return _rewrite(directory, edit, before_edit=load, nothing="nothing was filed")


def file_question(directory: str | Path, topic: str | None, lang: str | None, text: str,
                  by: str | int, *, required_topics: Iterable[str] = CONTRACT_TOPICS
                  ) -> LearnedQuestion:
    """File `text` as an example of `topic` (None: off-topic) in `lang` (None: guessed,
    guess_language; unclear is an error), filed `by` an admin's Telegram id or "cli".
    Returns the entry written.

    Raises AlreadyKnown (an example, an off-topic or calibration question, or learned
    already — by question_key), KnowledgeBroken (the knowledge base on disk does not load,
    so filing would not take effect) or LearningError (unknown topic, empty or too long
    text, a secret in it, a directory that cannot be written); then nothing was written.
    The served knowledge base is not touched: reload it (KnowledgeState.reload) after."""
    return _file(Path(directory), topic, lang, text, by, required_topics)[0]


def _undo(directory: Path, entry_id: str) -> tuple[LearnedQuestion, str, str]:
    def edit(current: _Learned) -> tuple[str, LearnedQuestion]:
        index = next((i for i, e in enumerate(current.entries) if e.id == entry_id), None)
        if index is None:
            raise NotLearned(f"no learned question has the id '{entry_id}' (`python -m bot "
                             "learned` lists them): nothing was changed")
        new_text = _cut(current, index)
        if not _same_entries(new_text, [r for i, r in enumerate(current.raw) if i != index]):
            raise LearningError(f"learned.yaml would not read back as it should without entry "
                                f"'{entry_id}' (is it written in an unusual form?): remove it "
                                "by hand")
        return new_text, current.entries[index]

    return _rewrite(directory, edit)


def undo(directory: str | Path, entry_id: str) -> LearnedQuestion:
    """Remove the learned question `entry_id` from learned.yaml (only its own lines);
    returns it. NotLearned if there is none. Reload the knowledge base after."""
    return _undo(Path(directory), entry_id)[0]


def _restore(directory: Path, wrote: str, before: str, entry_id: str, added: bool) -> None:
    """Put learned.yaml back as it was before our write: byte for byte if nobody touched
    it since, else by removing (or adding back) only our entry."""
    path = directory / LEARNED_FILE
    with _turn(directory):
        if _bytes_now(path) == wrote.encode("utf-8"):
            write_atomically(path, before.encode("utf-8"))
            return
    if added:
        with contextlib.suppress(NotLearned):
            undo(directory, entry_id)


# -- filing and reloading: what the admin front ends call ------------------------------------


@dataclass(frozen=True, slots=True)
class Learned:
    """What filing (or undoing) did, for the confirmation an admin reads."""

    entry: LearnedQuestion
    # The reload was refused (the loader's problems): learned.yaml is back as it was and
    # the bot serves what it served before.
    problems: tuple[Problem, ...]
    # How the reloaded bot now answers the question (None when the reload was refused).
    decision: Decision | None

    @property
    def undone(self) -> bool:
        return bool(self.problems)

    @property
    def settled(self) -> bool:
        """Filed: the bot now answers it with that topic (off-topic: refuses it)."""
        return self.decision is not None and answers_as_filed(self.decision, self.entry)


def answers_as_filed(decision: Decision, entry: LearnedQuestion) -> bool:
    """Whether a decision on the entry's question is what filing it asked for: that topic
    answered outright, or (off-topic) a refusal."""
    if entry.topic is None:
        return decision.outcome == "none"
    return decision.outcome == "answer" and decision.topic == entry.topic


def _reloaded(state: KnowledgeState, entry: LearnedQuestion, before: str, wrote: str,
              added: bool) -> Learned:
    problems = state.reload()
    if problems:
        _restore(Path(state.directory), wrote, before, entry.id, added)
        return Learned(entry, tuple(problems), None)
    return Learned(entry, (), state.current.matcher.decide(entry.text, entry.lang))


def learn(state: KnowledgeState, topic: str | None, lang: str | None, text: str,
          by: str | int) -> Learned:
    """File a question, reload the served knowledge base (the model retrains: about two
    seconds, so call it off the event loop) and ask the reloaded bot the question. If the
    reload is refused, learned.yaml is put back as it was. LearningError as file_question."""
    directory = Path(state.directory)
    entry, before, wrote = _file(directory, topic, lang, text, by, CONTRACT_TOPICS)
    return _reloaded(state, entry, before, wrote, added=True)


def unlearn(state: KnowledgeState, entry_id: str) -> Learned:
    """Undo a filed question, reload, and ask the reloaded bot the question again (the
    answer goes back to what it was). NotLearned if there is no such entry."""
    entry, before, wrote = _undo(Path(state.directory), entry_id)
    return _reloaded(state, entry, before, wrote, added=False)


# -- the questions to learn from -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Unanswered:
    """Stored questions that share a question_key: what /unanswered lists."""

    text: str  # the newest wording (as stored: case-folded)
    count: int  # times asked, all wordings together
    newest: float  # the latest time (Unix seconds)
    lang: str  # the reply language the latest time
    outcome: str  # "suggest" or "none", the latest time
    guesses: tuple[str, ...]  # topic ids the matcher ranks best now, best first (≤ 3)
    answered_now: str | None  # the topic the bot now answers it with outright, if any
    key: str = ""  # question_key: what the group shares

    @property
    def ref(self) -> str:
        """A short stable handle for a button (see `reference`, `unanswered_by_ref`)."""
        return reference(self.key)

    @property
    def shown(self) -> str:
        """The text for an admin's eyes: a token or password a user pasted stays hidden."""
        return redact_secrets(self.text)

    @property
    def language(self) -> str:
        """The language to file it in: the one its letters show (Cyrillic, Latvian
        diacritics), else the one the bot answered it in (a user who fixed a language with
        /language may have written in the other)."""
        if is_cyrillic(self.text):
            return "ru"
        return "lv" if has_latvian_letters(self.text) else self.lang


Order = Literal["newest", "most"]


def _known_keys(kb: KnowledgeBase) -> set[str]:
    """Questions the bot was given: examples (learned ones too), titles, off-topic ones."""
    keys = {question_key(q) for t in kb.topics.values() for lang in LANGS
            for q in (t.title.get(lang), *t.questions[lang])}
    keys |= {question_key(q) for lang in LANGS for q in kb.out_of_domain.get(lang, ())}
    return keys


def reference(key: str) -> str:
    """A short stable handle of a question (10 hex digits of its key's hash): what a
    button's data can carry instead of the text (Telegram allows 64 bytes)."""
    return hashlib.blake2b(key.encode("utf-8"), digest_size=5).hexdigest()


def _groups(storage: Storage, matcher: Matcher) -> list[tuple[UnansweredAsk, int, str]]:
    """(newest ask, times asked, key) per question_key, newest first; questions the bot
    was given by now are left out."""
    known = _known_keys(matcher.kb)
    groups: dict[str, tuple[UnansweredAsk, int, str]] = {}
    for ask in storage.unanswered_asks():  # newest first
        key = question_key(ask.text)
        if not key or key in known:
            continue
        newest, count, _ = groups.get(key, (ask, 0, key))
        groups[key] = (newest, count + ask.count, key)
    return list(groups.values())


def unanswered(storage: Storage, matcher: Matcher, order: Order = "newest",
               limit: int | None = None, offset: int = 0) -> list[Unanswered]:
    """Stored questions answered with "did you mean" or "I don't know", grouped by
    question_key, newest first (or most asked first), each with the matcher's best guesses
    (asked only of the `limit` questions from `offset` on: a page costs a page). Questions
    that are examples by now (filed, or written into a topic) are left out. Reads the
    database and runs the matcher: call it off the event loop."""
    ranked = _groups(storage, matcher)
    if order == "most":
        ranked.sort(key=lambda g: (-g[1], -g[0].newest))
    end = None if limit is None else offset + limit
    return [_group(matcher, ask, count) for ask, count, _ in ranked[offset:end]]


def count_unanswered(storage: Storage, matcher: Matcher) -> int:
    """How many questions `unanswered` lists in all (for "page 2 of 5")."""
    return len(_groups(storage, matcher))


def _group(matcher: Matcher, ask: UnansweredAsk, count: int) -> Unanswered:
    decision = matcher.decide(ask.text, ask.lang)
    return Unanswered(ask.text, count, ask.newest, ask.lang, ask.outcome,
                      tuple(matcher.rank(ask.text).topics[:GUESSES]),
                      decision.topic if decision.outcome == "answer" else None,
                      question_key(ask.text))


def unanswered_by_ref(storage: Storage, matcher: Matcher, ref: str) -> Unanswered | None:
    """The unanswered question a button's `ref` names (None once it is filed or gone), so
    a button still works after a restart or another admin's filing."""
    found = [g for g in _groups(storage, matcher) if reference(g[2]) == ref]
    return _group(matcher, found[0][0], found[0][1]) if found else None


def evaluation_skeleton(questions: Sequence[Unanswered], source: str = "") -> str:
    """The questions as an evaluation set in shared/eval/README.md's format, `expect`
    left empty ("") for a person to fill in — `python -m bot eval` refuses the file until
    every one is (an empty `expect:` would read as null: "must refuse")."""
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    head = [
        f"# Unanswered questions{' from ' + source if source else ''}, exported {stamp} by",
        "# `python -m bot export-unanswered`: an evaluation-set skeleton (the format of",
        "# shared/eval/README.md). Fill in every `expect`: the topic id the bot must answer",
        "# with, a list of ids when several are right, or null when the bot must refuse the",
        "# question; `python -m bot eval FILE` refuses the file while one is still empty.",
        "# An evaluation set measures wording the bot was not taught: never also file these",
        "# questions with `python -m bot learn` (or the buttons in Telegram).",
        "# Above each case: how often it was asked and the bot's best guesses now.",
    ]
    out = ["\n".join(head), ""]
    for u in questions:
        when = time.strftime("%Y-%m-%d %H:%M", time.gmtime(u.newest))
        guesses = ", ".join(u.guesses) or "none"
        out.append(f"# asked {u.count}×, last {when} UTC; guesses: {guesses}")
        out.append(f"- q: {_yaml_string(u.shown)}\n  expect: \"\"\n  lang: {u.lang}")
    return "\n".join(out) + "\n"
