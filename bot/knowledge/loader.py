"""Load knowledge/*.yaml into one immutable KnowledgeBase, all or nothing.

Every mistake is collected (not just the first) and reported with file, line and a plain
sentence; if there is any, `KnowledgeInvalid` is raised and no object is returned, so a
caller that already serves a knowledge base simply keeps it.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .contract import CONTRACT_TOPICS
from .errors import KnowledgeInvalid, Problem
from .listing_filters import subset_facts
from .model import (
    LANGS,
    LEARNED_FILE,
    OFF_TOPIC,
    KnowledgeBase,
    LearnedQuestion,
    Salary,
    SalaryFacts,
    Section,
    Source,
    Text,
    Topic,
    Vacancy,
)
from .salary import compute_facts, facts_text
from .schema import validate
from .yamlsource import PathKey, YamlDocument, read_yaml

VACANCY_FILE = "vacancies.yaml"
DEFAULT_ORDER = 100  # a section without `order` comes after those with one
_SPACE_RE = re.compile(r"\s+")


def knowledge_files(directory: Path) -> list[Path]:
    """The YAML files that make up a knowledge base, in a stable order: every `.yaml` or
    `.yml` entry but directories (read_yaml refuses links out, pipes and devices)."""
    return sorted(p for p in directory.iterdir()
                  if p.suffix in (".yaml", ".yml") and (p.is_symlink() or not p.is_dir()))


def _text(d: dict[str, Any]) -> Text:
    return Text(lv=str(d["lv"]).strip(), ru=str(d["ru"]).strip())


def _question_key(q: str) -> str:
    return _SPACE_RE.sub(" ", q.casefold()).strip(" ?!.")


def _joined_questions(doc: YamlDocument, path: PathKey, texts: Any) -> list[Problem]:
    """A question is one line. YAML silently joins an over-indented next line to it, and a
    block (| or >) can hold several lines: either way two questions become one."""
    out = []
    for j, q in enumerate(texts if isinstance(texts, list) else []):
        problem = _joined(doc, path + (j,), q, "question", "write each question on its own "
                          "'- ' line")
        if problem is not None:
            out.append(problem)
    return out


def _joined(doc: YamlDocument, path: PathKey, q: Any, what: str, fix: str) -> Problem | None:
    style = doc.block_style(path)
    if style is None:
        return None
    short = " ".join(str(q).split())
    short = short if len(short) <= 60 else short[:57] + "…"
    how = ("continues on the next line (over-indented?), so YAML joins the lines into one"
           if style == "continued" else f"is a block ('{style}') over several lines")
    return Problem(doc.name, doc.line(path), f"{what} '{short}' {how}: {fix}")


def _question_lines(doc: YamlDocument) -> list[Problem]:
    """Every list of questions in a (schema-valid) file: topics' examples, calibration and
    out-of-domain questions."""
    data, out = doc.data, []
    for i, t in enumerate(data.get("topics") or []):
        for lang in LANGS:
            out += _joined_questions(doc, ("topics", i, "questions", lang),
                                     t.get("questions", {}).get(lang))
    for tid, by_lang in (data.get("calibration") or {}).items():
        for lang, qs in by_lang.items():
            out += _joined_questions(doc, ("calibration", tid, lang), qs)
    for lang, qs in (data.get("out_of_domain") or {}).items():
        out += _joined_questions(doc, ("out_of_domain", lang), qs)
    for i, entry in enumerate(data.get("learned") or []):
        problem = _joined(doc, ("learned", i, "text"), entry.get("text"), "learned question",
                          "write it on one line")
        if problem is not None:
            out.append(problem)
    return out


# Where a question already is, by its key: (file, line, what it is there).
Seen = dict[str, tuple[str, int, str]]


def _learned(docs: list[YamlDocument], topics: dict[str, Topic], examples: Seen,
             calibration: Seen, ood: Seen, problems: list[Problem]
             ) -> tuple[list[LearnedQuestion], list[Problem]]:
    """learned.yaml's entries that become examples, and notes on those skipped.

    An entry naming a topic that does not exist, an id used twice or a time that is not
    one is a problem (the file is refused like any other). A question that is already an
    example, an off-topic example, a calibration question or learned before is skipped and
    noted: it is known already."""
    entries: list[LearnedQuestion] = []
    notes: list[Problem] = []
    ids: dict[str, int] = {}
    seen: Seen = {}
    for doc in docs:
        if doc.name != LEARNED_FILE:
            problems.append(Problem(doc.name, doc.key_line(("learned",)),
                                    f"learned questions are kept in {LEARNED_FILE} only "
                                    "(the file the bot writes): move them there"))
            continue
        for i, e in enumerate(doc.data["learned"] or []):
            line = doc.line(("learned", i))
            eid, tid, text = str(e["id"]), str(e["topic"]), str(e["text"]).strip()
            bad = False
            if eid in ids:
                problems.append(Problem(doc.name, doc.line(("learned", i, "id")),
                                        f"learned question id '{eid}' is used twice (also at "
                                        f"{doc.name}:{ids[eid]}): give each entry its own id"))
                bad = True
            ids.setdefault(eid, line)
            if tid != OFF_TOPIC and tid not in topics:
                hint = difflib.get_close_matches(tid, list(topics), n=1)
                tip = f" — did you mean '{hint[0]}'?" if hint else ""
                problems.append(Problem(doc.name, doc.line(("learned", i, "topic")),
                                        f"learned question '{text}' names unknown topic "
                                        f"'{tid}'{tip} (or '{OFF_TOPIC}')"))
                bad = True
            at = e.get("at")
            if at is not None:
                try:
                    datetime.fromisoformat(str(at))
                except ValueError:
                    problems.append(Problem(doc.name, doc.line(("learned", i, "at")),
                                            f"at: '{at}' is not a date and time like "
                                            "'2025-01-31T12:00:00+00:00'"))
                    bad = True
            if bad:
                continue
            key = _question_key(text)
            known = examples.get(key) or calibration.get(key) or ood.get(key) or seen.get(key)
            if known is not None:
                fname, fline, what = known
                notes.append(Problem(doc.name, line, f"learned question '{text}' is already "
                                     f"{what} ({fname}:{fline}); it is not added again"))
                continue
            seen[key] = (doc.name, line, "learned" + (f" for topic '{tid}'" if tid != OFF_TOPIC
                                                     else " as off-topic"))
            by = e.get("by")
            entries.append(LearnedQuestion(eid, None if tid == OFF_TOPIC else tid, e["lang"], text,
                                           "" if by is None else str(by),
                                           "" if at is None else str(at), Source(doc.name, line)))
    return entries, notes


def _with_learned(topics: dict[str, Topic], entries: list[LearnedQuestion]) -> dict[str, Topic]:
    """The topics with their learned questions added after their own examples."""
    out = dict(topics)
    for e in entries:
        if e.topic is None:
            continue
        t = out[e.topic]
        out[e.topic] = dataclasses.replace(
            t,
            questions={**t.questions, e.lang: (*t.questions[e.lang], e.text)},
            question_lines={**t.question_lines,
                            e.lang: (*t.question_lines.get(e.lang, ()), e.source.line)},
            learned={**t.learned, e.lang: (*t.learned.get(e.lang, ()), e.text)},
        )
    return out


def _id_owners(section_docs: list[YamlDocument]) -> dict[str, tuple[str, int]]:
    """Which occurrence (file, index) of each topic id is the real one: the first in the
    file of its own section (the id's prefix), else the first. A copy is then blamed
    wherever it is, also when its file sorts before the original's."""
    owners: dict[str, tuple[str, int]] = {}
    rightful: set[str] = set()
    seen_sections: set[str] = set()
    for doc in section_docs:
        sid = doc.data["section"]
        if sid in seen_sections:  # reported and skipped by the loader
            continue
        seen_sections.add(sid)
        for i, t in enumerate(doc.data["topics"]):
            tid = t["id"]
            own = tid.startswith(sid + ".")
            if tid not in owners or (own and tid not in rightful):
                owners[tid] = (doc.name, i)
                if own:
                    rightful.add(tid)
    return owners


@dataclass
class _Documents:
    """The schema-valid files of a knowledge base, by what they hold."""

    sections: list[YamlDocument]
    vacancies: list[YamlDocument]
    out_of_domain: list[YamlDocument]
    calibration: list[YamlDocument]
    learned: list[YamlDocument]


@dataclass
class _Sections:
    """Topics and sections built from the section files, and what later checks need."""

    topics: dict[str, Topic] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # section id → its file
    # question key → (file, line, topic) of its first occurrence
    questions: dict[str, tuple[str, int, str]] = field(default_factory=dict)
    related: list[tuple[str, int, str, str]] = field(default_factory=list)  # file, line, topic, id


def load_knowledge(
    directory: str | Path, required_topics: Iterable[str] = CONTRACT_TOPICS
) -> KnowledgeBase:
    """Read, validate and build a knowledge base; raise KnowledgeInvalid on any problem."""
    root = Path(directory)
    docs = _read(root)
    problems: list[Problem] = []
    out_of_domain, ood_seen = _out_of_domain(docs.out_of_domain)
    built = _build_sections(docs.sections, problems)
    problems += _related_problems(built)
    calibration, calibration_seen = _calibration(docs.calibration, built, problems)
    example_seen = {k: (f, line, f"an example question of topic '{tid}'")
                    for k, (f, line, tid) in built.questions.items()}
    learned, notes = _learned(docs.learned, built.topics, example_seen, calibration_seen,
                              ood_seen, problems)
    vacancies = _vacancies(docs.vacancies, problems)
    problems += _missing_topics(required_topics, built)
    facts = compute_facts(vacancies) if vacancies else None
    problems += _salary_without_figures(built.topics, facts)
    if problems:
        raise KnowledgeInvalid(problems)
    topics = _with_learned(built.topics, learned)
    for e in learned:
        if e.topic is None:
            out_of_domain[e.lang] += (e.text,)
    return KnowledgeBase(topics, tuple(sorted(built.sections, key=lambda s: (s.order, s.id))),
                         tuple(vacancies), facts, _answers(topics, facts), str(root),
                         out_of_domain, tuple(calibration), subset_facts(vacancies),
                         tuple(learned), tuple(notes))


def _read(root: Path) -> _Documents:
    """Every knowledge file read and checked against the schema, sorted by kind; any
    problem in any file raises (a broken file is never half-read)."""
    if not root.is_dir():
        raise KnowledgeInvalid([Problem(str(root), 0, "the knowledge directory does not exist")])
    files = knowledge_files(root)
    if not files:
        raise KnowledgeInvalid([Problem(str(root), 0, "no .yaml files in the knowledge directory")])
    problems: list[Problem] = []
    docs: list[YamlDocument] = []
    for path in files:
        # an empty learned.yaml (or one of comments only) is fine: nothing learned yet
        doc, found = read_yaml(path, path.name, root, allow_empty=path.name == LEARNED_FILE)
        problems += found
        if doc is not None and doc.data is not None:
            schema_problems = validate(doc)
            problems += schema_problems
            if not schema_problems:
                problems += _question_lines(doc)
                docs.append(doc)
    if problems:
        raise KnowledgeInvalid(problems)
    kinds = _Documents([], [], [], [], [])
    for doc in docs:
        if "vacancies" in doc.data:  # the schema's order: one kind per file
            kinds.vacancies.append(doc)
        elif "calibration" in doc.data:
            kinds.calibration.append(doc)
        elif "out_of_domain" in doc.data:
            kinds.out_of_domain.append(doc)
        elif "learned" in doc.data:
            kinds.learned.append(doc)
        else:
            kinds.sections.append(doc)
    return kinds


def _out_of_domain(docs: list[YamlDocument]) -> tuple[dict[str, tuple[str, ...]], Seen]:
    """The off-topic examples per language, and where each is written."""
    out: dict[str, tuple[str, ...]] = {lang: () for lang in LANGS}
    seen: Seen = {}
    for doc in docs:
        for lang in LANGS:
            out[lang] += tuple(q.strip() for q in doc.data["out_of_domain"][lang])
            for j, q in enumerate(doc.data["out_of_domain"][lang]):
                seen.setdefault(_question_key(q), (doc.name, doc.line(("out_of_domain", lang, j)),
                                                   "an off-topic example"))
    return out, seen


def _build_sections(docs: list[YamlDocument], problems: list[Problem]) -> _Sections:
    """Sections and their topics; a section defined twice, a topic id outside its section,
    a duplicate topic id or example question are problems."""
    built = _Sections()
    owners = _id_owners(docs)
    for doc in docs:
        sid = doc.data["section"]
        if sid in built.files:
            problems.append(Problem(doc.name, doc.line(("section",)),
                                    f"section '{sid}' is already defined in {built.files[sid]}"))
            continue
        built.files[sid] = doc.name
        ids: list[str] = []
        for i, t in enumerate(doc.data["topics"]):
            topic = _topic(doc, sid, i, t, owners, docs, built, problems)
            if topic is not None:
                built.topics[topic.id] = topic
                ids.append(topic.id)
        data = doc.data
        built.sections.append(Section(sid, int(data.get("order", DEFAULT_ORDER)),
                                      _text(data["title"]), tuple(ids)))
    return built


def _topic(doc: YamlDocument, sid: str, i: int, t: dict[str, Any],
           owners: dict[str, tuple[str, int]], docs: list[YamlDocument], built: _Sections,
           problems: list[Problem]) -> Topic | None:
    """One topic of a section file (None when it is a duplicate of a topic elsewhere)."""
    tid = t["id"]
    if not tid.startswith(sid + "."):
        problems.append(Problem(doc.name, doc.line(("topics", i, "id")),
                                f"topic id '{tid}' must start with '{sid}.' "
                                f"(the section of this file)"))
    owner = owners[tid]
    if owner != (doc.name, i):
        owner_doc = next(d for d in docs if d.name == owner[0])
        problems.append(Problem(doc.name, doc.line(("topics", i, "id")),
                                f"duplicate topic id '{tid}' (also at {owner[0]}:"
                                f"{owner_doc.line(('topics', owner[1]))})"))
        return None
    for lang in LANGS:
        for j, q in enumerate(t["questions"][lang]):
            key = _question_key(q)
            qline = doc.line(("topics", i, "questions", lang, j))
            if key in built.questions:
                fname, fline, other = built.questions[key]
                problems.append(Problem(doc.name, qline,
                                        f"duplicate question '{q.strip()}' (also in "
                                        f"topic '{other}' at {fname}:{fline})"))
            else:
                built.questions[key] = (doc.name, qline, tid)
    for j, rid in enumerate(t.get("related", [])):
        built.related.append((doc.name, doc.line(("topics", i, "related", j)), tid, rid))
    return Topic(
        id=tid,
        section=sid,
        title=_text(t["title"]),
        answer=_text(t["answer"]),
        questions={lang: tuple(q.strip() for q in t["questions"][lang]) for lang in LANGS},
        related=tuple(t.get("related", [])),
        source=Source(doc.name, doc.line(("topics", i))),
        facts=t.get("facts"),
        question_lines={
            lang: tuple(doc.line(("topics", i, "questions", lang, j))
                        for j in range(len(t["questions"][lang])))
            for lang in LANGS
        },
    )


def _related_problems(built: _Sections) -> list[Problem]:
    out = []
    for fname, line, tid, rid in built.related:
        if rid not in built.topics:
            out.append(Problem(fname, line, f"topic '{tid}' lists unknown related topic '{rid}'"))
        elif rid == tid:
            out.append(Problem(fname, line, f"topic '{tid}' lists itself as related"))
    return out


def _calibration(docs: list[YamlDocument], built: _Sections,
                 problems: list[Problem]) -> tuple[list[tuple[str, str, str]], Seen]:
    """(topic, lang, question) of calibration.yaml — only for topics that exist, and never a
    topic's own example question (the matcher is trained on those) — and where each is."""
    calibration: list[tuple[str, str, str]] = []
    seen_here: Seen = {}
    for doc in docs:
        for tid, by_lang in doc.data["calibration"].items():
            if tid not in built.topics:
                hint = difflib.get_close_matches(tid, list(built.topics), n=1)
                tip = f" — did you mean '{hint[0]}'?" if hint else ""
                problems.append(Problem(doc.name, doc.key_line(("calibration", tid)),
                                        f"calibration questions for unknown topic '{tid}'{tip}"))
                continue
            for lang, qs in by_lang.items():
                for j, q in enumerate(qs):
                    seen = built.questions.get(_question_key(q))
                    if seen is not None:
                        fname, fline, other = seen
                        problems.append(Problem(
                            doc.name, doc.line(("calibration", tid, lang, j)),
                            f"calibration question '{q.strip()}' is also an example question of "
                            f"topic '{other}' ({fname}:{fline}); a calibration question must not be "
                            "an example: it is asked of models trained without it"))
                    calibration.append((tid, lang, q.strip()))
                    seen_here.setdefault(_question_key(q), (
                        doc.name, doc.line(("calibration", tid, lang, j)),
                        f"a calibration question of topic '{tid}'"))
    return calibration, seen_here


def _vacancies(docs: list[YamlDocument], problems: list[Problem]) -> list[Vacancy]:
    vacancies: list[Vacancy] = []
    seen: dict[str, str] = {}
    for doc in docs:
        for i, v in enumerate(doc.data["vacancies"]):
            vid = str(v["id"])
            line = doc.line(("vacancies", i))
            if vid in seen:
                problems.append(Problem(doc.name, doc.line(("vacancies", i, "id")),
                                        f"duplicate vacancy id '{vid}' (first at {seen[vid]})"))
                continue
            seen[vid] = f"{doc.name}:{line}"
            experience, years = v.get("experience"), v.get("experience_years")
            if years is not None and experience in (None, "none"):
                problems.append(Problem(
                    doc.name, doc.line(("vacancies", i, "experience_years")),
                    f"vacancy '{vid}': experience_years needs 'experience: required' or "
                    f"'preferred' (the listing says {experience or 'nothing'} about experience)"))
            req = v.get("requirements")
            vacancies.append(Vacancy(
                vid, _text(req) if req else None, _salary(doc, i, vid, v, problems),
                v.get("industry"), Source(doc.name, line), experience=experience,
                experience_years=years, asks=MappingProxyType(dict(v.get("asks") or {})),
                clients=tuple(v.get("clients") or ())))
    return vacancies


def _salary(doc: YamlDocument, i: int, vid: str, v: dict[str, Any],
            problems: list[Problem]) -> Salary | None:
    """A listing's salary: a range (min ≤ max) or "by agreement", never both or neither."""
    if "salary" not in v:
        return None
    s = v["salary"]
    lo, hi, neg = s.get("min"), s.get("max"), bool(s.get("negotiable", False))
    sline = doc.line(("vacancies", i, "salary"))
    if lo is not None and hi is not None and lo > hi:
        problems.append(Problem(doc.name, sline,
                                f"vacancy '{vid}': salary min {lo} is greater than max {hi}"))
    if neg and (lo is not None or hi is not None):
        problems.append(Problem(doc.name, sline, f"vacancy '{vid}': a salary is either "
                                "'negotiable: true' or has min/max, not both"))
    if not neg and lo is None and hi is None:
        problems.append(Problem(doc.name, sline, f"vacancy '{vid}': salary needs min, "
                                "max or 'negotiable: true' (or remove 'salary')"))
    return Salary(lo, hi, neg, s.get("currency", "RUB"), s.get("period", "month"))


def _missing_topics(required: Iterable[str], built: _Sections) -> list[Problem]:
    out = []
    for tid in required:
        if tid not in built.topics:
            sid = tid.split(".")[0]
            where = built.files.get(sid, f"{sid}.yaml")
            out.append(Problem(where, 1, f"topic '{tid}' is required (deep links and "
                                         "evaluation sets use it) but is missing"))
    return out


def _salary_without_figures(topics: dict[str, Topic], facts: SalaryFacts | None) -> list[Problem]:
    return [Problem(t.source.file, t.source.line, f"topic '{t.id}' shows salary facts but "
                    f"{VACANCY_FILE} has no listing with a figure")
            for t in topics.values()
            if t.facts == "salary" and (facts is None or facts.with_figure == 0)]


def _answers(topics: dict[str, Topic], facts: SalaryFacts | None) -> dict[tuple[str, str], str]:
    """Every topic's full answer per language: a salary topic's opens with the figures."""
    answers: dict[tuple[str, str], str] = {}
    for t in topics.values():
        for lang in LANGS:
            body = t.answer.get(lang)
            if t.facts == "salary" and facts is not None:
                body = facts_text(facts, lang) + "\n\n" + body
            answers[(t.id, lang)] = body
    return answers
