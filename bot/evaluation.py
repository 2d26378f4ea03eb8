"""Run an evaluation set (../shared/eval/README.md format) through the real reply path."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .knowledge.errors import Problem
from .knowledge.model import LANGS, KnowledgeBase
from .knowledge.yamlsource import YamlDocument, read_yaml
from .matcher.decide import Decision, Matcher
from .replies import decision_reply

_DIGIT_SEP = re.compile(r"(?<=\d)[ \u00a0\u202f](?=\d)")


def _canon(text: str) -> str:
    return _DIGIT_SEP.sub("", text).casefold()


def contains(reply: str, needle: str) -> bool:
    """The README's rule: case-folded, digit-group separators removed on both sides, and a
    needle that starts/ends with a digit must meet a whole number there."""
    hay, pin = _canon(reply), _canon(needle)
    if not pin:
        return True
    pattern = re.escape(pin)
    if pin[0].isdigit():
        pattern = r"(?<!\d)" + pattern
    if pin[-1].isdigit():
        pattern += r"(?!\d)"
    return re.search(pattern, hay) is not None


@dataclass(frozen=True, slots=True)
class Case:
    q: str
    expect: tuple[str, ...] | None
    lang: str
    contains: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Result:
    case: Case
    decision: Decision
    reply: str
    passed: bool
    reasons: tuple[str, ...]

    @property
    def one_tap(self) -> bool:
        """In-domain and the right topic is answered, or offered first: one tap away."""
        d, expect = self.decision, self.case.expect
        if expect is None:
            return False
        if d.outcome == "answer":
            return d.topic in expect
        return bool(d.suggestions) and d.suggestions[0].topic in expect

    @property
    def confident_wrong(self) -> bool:
        d = self.decision
        if d.outcome != "answer":
            return False
        return self.case.expect is None or d.topic not in self.case.expect


class CasesInvalid(ValueError):
    """An evaluation set that cannot be run; each problem names the file and line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


CASE_KEYS = ("q", "expect", "lang", "contains")
_FORMAT = "a YAML list of cases like '- q: ...' with 'expect' and 'lang' (see shared/eval/README.md)"


def _case_problems(item: Any, i: int, doc: YamlDocument,
                   topics: Collection[str] | None) -> list[Problem]:
    """What is wrong with one case, in plain words (empty when it is fine)."""
    name, line = doc.name, doc.line((i,))
    if not isinstance(item, dict):
        return [Problem(name, line, f"case {i + 1} is not a mapping of {', '.join(CASE_KEYS)}")]
    out = []
    for key in item:
        if key not in CASE_KEYS:
            hint = difflib.get_close_matches(key, CASE_KEYS, n=1)
            tip = f" — did you mean '{hint[0]}'?" if hint else ""
            out.append(Problem(name, doc.key_line((i, key)),
                               f"unknown key '{key}'{tip} (allowed: {', '.join(CASE_KEYS)})"))
    q = item.get("q")
    if not isinstance(q, str) or not q.strip():
        out.append(Problem(name, doc.line((i, "q")), "the question 'q' is missing or empty "
                           "(write it in quotes if it is a number or yes/no)"))
    if "expect" not in item:
        out.append(Problem(name, line, "'expect' is missing: a topic id, a list of ids, or "
                           "null for a question the bot must refuse"))
    else:
        exp = item["expect"]
        ids = exp if isinstance(exp, list) else [] if exp is None else [exp]
        for j, tid in enumerate(ids):
            where = doc.line((i, "expect", j) if isinstance(exp, list) else (i, "expect"))
            if isinstance(tid, str) and not tid.strip():  # export-unanswered's skeleton
                out.append(Problem(name, where, "expect is not filled in: write the topic id "
                                   "the bot must answer with, a list of ids, or null for a "
                                   "question the bot must refuse"))
            elif not isinstance(tid, str):
                out.append(Problem(name, where, f"expect: {tid!r} is not a topic id"))
            elif topics is not None and tid not in topics:
                hint = difflib.get_close_matches(tid, list(topics), n=1)
                tip = f" — did you mean '{hint[0]}'?" if hint else ""
                out.append(Problem(name, where, f"expect: there is no topic '{tid}' in the "
                                   f"knowledge base{tip}"))
    if item.get("lang") not in LANGS:
        got = f" (got {item['lang']!r})" if "lang" in item else ""
        out.append(Problem(name, doc.line((i, "lang")),
                           f"'lang' must be {' or '.join(LANGS)}: the reply's language{got}"))
    contains_ = item.get("contains", [])
    if contains_ is not None and (not isinstance(contains_, list)
                                  or not all(isinstance(c, str | int | float) for c in contains_)):
        out.append(Problem(name, doc.line((i, "contains")),
                           "'contains' must be a list of texts, like [\"300 000\"]"))
    return out


def load_cases(path: str | Path, topics: Collection[str] | None = None) -> list[Case]:
    """Read an evaluation set; CasesInvalid (file:line problems) unless every case is
    well formed and, when `topics` is given, expects only topics that exist."""
    name = str(path)
    doc, problems = read_yaml(Path(path), name)
    if doc is None:
        raise CasesInvalid(problems)
    data = doc.data
    if not isinstance(data, list):
        raise CasesInvalid([Problem(name, 1, f"this is not an evaluation set: expected {_FORMAT}")])
    if not data:
        raise CasesInvalid([Problem(name, 1, "the evaluation set has no cases")])
    for i, item in enumerate(data):
        problems += _case_problems(item, i, doc, topics)
    if problems:
        raise CasesInvalid(problems)
    cases = []
    for item in data:
        exp = item["expect"]
        expect = None if exp is None else tuple(exp) if isinstance(exp, list) else (exp,)
        cases.append(Case(item["q"], expect, item["lang"],
                          tuple(str(c) for c in item.get("contains") or [])))
    return cases


Decide = Callable[[str], Decision]


def run_case(kb: KnowledgeBase, decide: Decide, case: Case) -> Result:
    """Judge one case with any decision function (the matcher or a baseline)."""
    decision = decide(case.q)
    reply = decision_reply(kb, decision).text
    reasons = []
    if case.expect is None:
        if decision.topic is not None:
            reasons.append(f"answered {decision.topic} to an out-of-domain question")
    elif decision.topic not in case.expect:
        got = decision.topic or decision.outcome
        reasons.append(f"chose {got}, expected {' or '.join(case.expect)}")
    if decision.lang != case.lang:
        reasons.append(f"replied in {decision.lang}, expected {case.lang}")
    for needle in case.contains:
        if not contains(reply, needle):
            reasons.append(f"reply lacks {needle!r}")
    return Result(case, decision, reply, not reasons, tuple(reasons))


# Message length in words: a two-word question and a chat story are different problems.
LENGTH_BUCKETS: tuple[tuple[str, int, int], ...] = (
    ("1-4", 1, 4), ("5-9", 5, 9), ("10-19", 10, 19), ("20+", 20, 10**9),
)


def words(text: str) -> int:
    return len(text.split())


@dataclass
class Report:
    results: list[Result] = field(default_factory=list)

    def _rate(self, rs: Sequence[Result]) -> float:
        return sum(r.passed for r in rs) / len(rs) if rs else 1.0

    @property
    def accuracy(self) -> float:
        return self._rate(self.results)

    def summary(self) -> dict[str, Any]:
        rs = self.results
        ind = [r for r in rs if r.case.expect is not None]
        ood = [r for r in rs if r.case.expect is None]
        return {
            "cases": len(rs),
            "passed": sum(r.passed for r in rs),
            "accuracy": round(self.accuracy, 4),
            "by_lang": {lang: round(self._rate([r for r in rs if r.case.lang == lang]), 4)
                        for lang in sorted({r.case.lang for r in rs})},
            "in_domain": round(self._rate(ind), 4),
            "out_of_domain_refused": round(
                sum(r.decision.topic is None for r in ood) / len(ood), 4) if ood else 1.0,
            "confident_wrong": sum(r.confident_wrong for r in rs),
            "confident_wrong_rate": round(sum(r.confident_wrong for r in rs) / max(len(rs), 1), 4),
            "outcomes": {o: sum(r.decision.outcome == o for r in rs)
                         for o in ("answer", "suggest", "none")},
            "in_domain_one_tap": round(sum(r.one_tap for r in ind) / len(ind), 4) if ind else 1.0,
            "by_length": {
                name: {"cases": len(b), "passed": round(self._rate(b), 4)}
                for name, lo, hi in LENGTH_BUCKETS
                if (b := [r for r in rs if lo <= words(r.case.q) <= hi])
            },
        }


def evaluate(kb: KnowledgeBase, matcher: Matcher | Decide, cases: Sequence[Case]) -> Report:
    decide = matcher.decide if isinstance(matcher, Matcher) else matcher
    return Report([run_case(kb, decide, c) for c in cases])
