"""Load knowledge/*.yaml into one immutable KnowledgeBase, all or nothing.

Every mistake is collected (not just the first) and reported with file, line and a plain
sentence; if there is any, `KnowledgeInvalid` is raised and no object is returned, so a
caller that already serves a knowledge base simply keeps it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .contract import CONTRACT_TOPICS
from .errors import KnowledgeInvalid, Problem
from .listing_filters import subset_facts
from .model import LANGS, KnowledgeBase, Salary, Section, Source, Text, Topic, Vacancy
from .salary import compute_facts, facts_text
from .schema import validate
from .yamlsource import PathKey, YamlDocument, read_yaml

VACANCY_FILE = "vacancies.yaml"
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
        style = doc.block_style(path + (j,))
        if style is None:
            continue
        short = " ".join(str(q).split())
        short = short if len(short) <= 60 else short[:57] + "…"
        how = ("continues on the next line (over-indented?), so YAML joins the lines into one"
               if style == "continued" else f"is a block ('{style}') over several lines")
        out.append(Problem(doc.name, doc.line(path + (j,)),
                           f"question '{short}' {how}: write each question on its own "
                           "'- ' line"))
    return out


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


def load_knowledge(
    directory: str | Path, required_topics: Iterable[str] = CONTRACT_TOPICS
) -> KnowledgeBase:
    """Read, validate and build a knowledge base; raise KnowledgeInvalid on any problem."""
    root = Path(directory)
    if not root.is_dir():
        raise KnowledgeInvalid([Problem(str(root), 0, "the knowledge directory does not exist")])
    files = knowledge_files(root)
    if not files:
        raise KnowledgeInvalid([Problem(str(root), 0, "no .yaml files in the knowledge directory")])

    problems: list[Problem] = []
    docs: list[YamlDocument] = []
    for path in files:
        doc, found = read_yaml(path, path.name, root)
        problems += found
        if doc is not None:
            schema_problems = validate(doc)
            problems += schema_problems
            if not schema_problems:
                problems += _question_lines(doc)
                docs.append(doc)
    if problems:
        raise KnowledgeInvalid(problems)

    vacancy_docs = [d for d in docs if "vacancies" in d.data]
    ood_docs = [d for d in docs if "out_of_domain" in d.data]
    calibration_docs = [d for d in docs if "calibration" in d.data]
    section_docs = [d for d in docs
                    if d not in vacancy_docs and d not in ood_docs and d not in calibration_docs]
    out_of_domain: dict[str, tuple[str, ...]] = {lang: () for lang in LANGS}
    for doc in ood_docs:
        for lang in LANGS:
            out_of_domain[lang] += tuple(q.strip() for q in doc.data["out_of_domain"][lang])

    topics: dict[str, Topic] = {}
    sections: list[Section] = []
    section_seen: dict[str, str] = {}
    question_seen: dict[str, tuple[str, int, str]] = {}
    related_refs: list[tuple[str, int, str, str]] = []

    owners = _id_owners(section_docs)
    for doc in section_docs:
        data = doc.data
        sid = data["section"]
        if sid in section_seen:
            problems.append(Problem(doc.name, doc.line(("section",)),
                                    f"section '{sid}' is already defined in {section_seen[sid]}"))
            continue
        section_seen[sid] = doc.name
        ids: list[str] = []
        for i, t in enumerate(data["topics"]):
            tid = t["id"]
            line = doc.line(("topics", i))
            if not tid.startswith(sid + "."):
                problems.append(Problem(doc.name, doc.line(("topics", i, "id")),
                                        f"topic id '{tid}' must start with '{sid}.' "
                                        f"(the section of this file)"))
            owner = owners[tid]
            if owner != (doc.name, i):
                owner_doc = next(d for d in section_docs if d.name == owner[0])
                problems.append(Problem(doc.name, doc.line(("topics", i, "id")),
                                        f"duplicate topic id '{tid}' (also at {owner[0]}:"
                                        f"{owner_doc.line(('topics', owner[1]))})"))
                continue
            for lang in LANGS:
                for j, q in enumerate(t["questions"][lang]):
                    key = _question_key(q)
                    qline = doc.line(("topics", i, "questions", lang, j))
                    if key in question_seen:
                        fname, fline, other = question_seen[key]
                        problems.append(Problem(doc.name, qline,
                                                f"duplicate question '{q.strip()}' (also in "
                                                f"topic '{other}' at {fname}:{fline})"))
                    else:
                        question_seen[key] = (doc.name, qline, tid)
            for j, rid in enumerate(t.get("related", [])):
                related_refs.append((doc.name, doc.line(("topics", i, "related", j)), tid, rid))
            facts = t.get("facts")
            topics[tid] = Topic(
                id=tid,
                section=sid,
                title=_text(t["title"]),
                answer=_text(t["answer"]),
                questions={lang: tuple(q.strip() for q in t["questions"][lang]) for lang in LANGS},
                related=tuple(t.get("related", [])),
                source=Source(doc.name, line),
                facts=facts,
                question_lines={
                    lang: tuple(doc.line(("topics", i, "questions", lang, j))
                                for j in range(len(t["questions"][lang])))
                    for lang in LANGS
                },
            )
            ids.append(tid)
        sections.append(Section(sid, int(data.get("order", 100)), _text(data["title"]), tuple(ids)))

    for fname, line, tid, rid in related_refs:
        if rid not in topics:
            problems.append(Problem(fname, line, f"topic '{tid}' lists unknown related topic '{rid}'"))
        elif rid == tid:
            problems.append(Problem(fname, line, f"topic '{tid}' lists itself as related"))

    calibration: list[tuple[str, str, str]] = []
    for doc in calibration_docs:
        for tid, by_lang in doc.data["calibration"].items():
            if tid not in topics:
                hint = difflib.get_close_matches(tid, list(topics), n=1)
                tip = f" — did you mean '{hint[0]}'?" if hint else ""
                problems.append(Problem(doc.name, doc.key_line(("calibration", tid)),
                                        f"calibration questions for unknown topic '{tid}'{tip}"))
                continue
            for lang, qs in by_lang.items():
                for j, q in enumerate(qs):
                    seen = question_seen.get(_question_key(q))
                    if seen is not None:
                        fname, fline, other = seen
                        problems.append(Problem(
                            doc.name, doc.line(("calibration", tid, lang, j)),
                            f"calibration question '{q.strip()}' is also an example question of "
                            f"topic '{other}' ({fname}:{fline}); calibration questions must be "
                            "ones the matcher is not given"))
                    calibration.append((tid, lang, q.strip()))

    vacancies: list[Vacancy] = []
    vacancy_seen: dict[str, str] = {}
    for doc in vacancy_docs:
        for i, v in enumerate(doc.data["vacancies"]):
            vid = str(v["id"])
            line = doc.line(("vacancies", i))
            if vid in vacancy_seen:
                problems.append(Problem(doc.name, doc.line(("vacancies", i, "id")),
                                        f"duplicate vacancy id '{vid}' (first at {vacancy_seen[vid]})"))
                continue
            vacancy_seen[vid] = f"{doc.name}:{line}"
            salary = None
            if "salary" in v:
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
                salary = Salary(lo, hi, neg, s.get("currency", "RUB"), s.get("period", "month"))
            experience, years = v.get("experience"), v.get("experience_years")
            if years is not None and experience in (None, "none"):
                problems.append(Problem(
                    doc.name, doc.line(("vacancies", i, "experience_years")),
                    f"vacancy '{vid}': experience_years needs 'experience: required' or "
                    f"'preferred' (the listing says {experience or 'nothing'} about experience)"))
            req = v.get("requirements")
            vacancies.append(Vacancy(
                vid, _text(req) if req else None, salary, v.get("industry"),
                Source(doc.name, line), experience=experience, experience_years=years,
                asks=MappingProxyType(dict(v.get("asks") or {})),
                clients=tuple(v.get("clients") or ())))

    for tid in required_topics:
        if tid not in topics:
            sid = tid.split(".")[0]
            where = section_seen.get(sid, f"{sid}.yaml")
            problems.append(Problem(where, 1, f"topic '{tid}' is required (deep links and "
                                    "evaluation sets use it) but is missing"))

    facts = compute_facts(vacancies) if vacancies else None
    for t in topics.values():
        if t.facts == "salary" and (facts is None or facts.with_figure == 0):
            problems.append(Problem(t.source.file, t.source.line, f"topic '{t.id}' shows salary "
                                    f"facts but {VACANCY_FILE} has no listing with a figure"))
    if problems:
        raise KnowledgeInvalid(problems)

    answers: dict[tuple[str, str], str] = {}
    for t in topics.values():
        for lang in LANGS:
            body = t.answer.get(lang)
            if t.facts == "salary" and facts is not None:
                body = facts_text(facts, lang) + "\n\n" + body
            answers[(t.id, lang)] = body
    sections.sort(key=lambda s: (s.order, s.id))
    return KnowledgeBase(topics, tuple(sections), tuple(vacancies), facts, answers, str(root),
                         out_of_domain, tuple(calibration), subset_facts(vacancies))
