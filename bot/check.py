"""`python -m bot check`: validate the knowledge base, then lint it with the real matcher."""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .knowledge.contract import MIN_QUESTIONS
from .knowledge.errors import KnowledgeInvalid, Problem
from .knowledge.loader import load_knowledge
from .knowledge.model import LANGS, LEARNED_FILE, KnowledgeBase
from .matcher.calibrate import Outcomes, held_out_trials, judge
from .matcher.decide import Matcher


@dataclass
class CheckResult:
    kb: KnowledgeBase | None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # How the matcher does on calibration.yaml and out_of_domain.yaml (None: nothing to ask).
    calibration: Outcomes | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_json(self) -> dict[str, Any]:
        kb = self.kb
        return {
            "ok": self.ok,
            "errors": [p.as_dict() for p in self.errors],
            "warnings": [p.as_dict() for p in self.warnings],
            "topics": [
                {"id": t.id, "section": t.section,
                 "questions": {lang: len(t.questions[lang]) for lang in LANGS},
                 "learned": sum(len(t.learned.get(lang, ())) for lang in LANGS)}
                for t in (kb.topics.values() if kb else [])
            ],
            "learned": ({"topics": sum(e.topic is not None for e in kb.learned),
                         "off_topic": sum(e.topic is None for e in kb.learned)} if kb else None),
            "vacancies": len(kb.vacancies) if kb else 0,
            "calibration": dataclasses.asdict(self.calibration) if self.calibration else None,
        }


def lint(kb: KnowledgeBase, matcher: Matcher) -> list[Problem]:
    """Warnings: thin or untranslated topics, ambiguous and near-duplicate questions."""
    out: list[Problem] = []
    for t in kb.topics.values():
        src = t.source
        for lang in LANGS:
            n = len(t.questions[lang])
            if n < MIN_QUESTIONS:
                out.append(Problem(src.file, src.line, f"topic '{t.id}' has {n} {lang} example "
                                   f"questions; aim for at least {MIN_QUESTIONS}"))
        if t.answer.lv == t.answer.ru:
            out.append(Problem(src.file, src.line, f"topic '{t.id}': the lv and ru answers are "
                               "identical (missing translation?)"))
        if t.title.lv == t.title.ru:
            out.append(Problem(src.file, src.line, f"topic '{t.id}': the lv and ru titles are "
                               "identical (missing translation?)"))
    index = matcher.index
    seen: dict[frozenset[str], tuple[str, str]] = {}
    for i, ex in enumerate(index.examples):
        topic = kb.topics.get(ex.topic)
        if topic is None or ex.text == topic.title.get(ex.lang):
            continue
        src = topic.question_source(ex.lang, ex.text)
        learned = src.file == LEARNED_FILE
        what = "learned question" if learned else "question"
        key = frozenset(ex.stems)
        if key in seen and seen[key][0] != ex.topic:
            out.append(Problem(src.file, src.line,
                               f"{what} '{ex.text}' ({ex.topic}) says the same as "
                               f"'{seen[key][1]}' ({seen[key][0]})"))
        seen.setdefault(key, (ex.topic, ex.text))
        ranked = index.score(ex.text, exclude=i)
        if ranked and ranked[0].topic != ex.topic:
            own = next((r.score for r in ranked if r.topic == ex.topic), 0.0)
            if ranked[0].score - own > 0.1:
                why = (": a contradiction — is it filed under the right topic?" if learned
                       else "")
                out.append(Problem(src.file, src.line,
                                   f"{what} '{ex.text}' ({ex.topic}) matches "
                                   f"'{ranked[0].topic}' better than its own topic{why}"))
    for e in kb.learned:
        if e.topic is None:
            d = matcher.decide(e.text, e.lang)
            if d.outcome != "none":
                does = (f"answers it with '{d.topic}'" if d.outcome == "answer" else
                        "offers " + ", ".join(f"'{s.topic}'" for s in d.suggestions))
                out.append(Problem(e.source.file, e.source.line,
                                   f"learned question '{e.text}' is filed as off-topic, but the "
                                   f"bot still {does}: a contradiction — a topic's examples "
                                   "say the same"))
    return out


def run_check(directory: str) -> CheckResult:
    try:
        kb = load_knowledge(directory)
    except KnowledgeInvalid as exc:
        return CheckResult(None, exc.problems)
    matcher = Matcher(kb)
    # three folds: every calibration question and off-topic example asked of a model
    # trained without it, at the cost of three trainings (five folds would add little
    # for the time an admin waits)
    trials = held_out_trials(kb, k=3, matcher=matcher)
    outcomes = judge(trials, matcher.confidence) if trials else None
    return CheckResult(kb, [], [*kb.notes, *lint(kb, matcher)], outcomes)


def summary_lines(res: CheckResult) -> list[str]:
    kb = res.kb
    if kb is None:
        return []
    lines = ["Topics per section: " + ", ".join(f"{s.id} {len(s.topic_ids)}" for s in kb.sections)]
    per_lang = {lang: sum(len(t.questions[lang]) for t in kb.topics.values()) for lang in LANGS}
    lines.append(f"Topics: {len(kb.topics)}; example questions: "
                 + ", ".join(f"{lang} {n}" for lang, n in per_lang.items()))
    if kb.learned:
        per_topic = Counter(e.topic or "off-topic" for e in kb.learned)
        lines.append(f"Learned questions ({LEARNED_FILE}): {len(kb.learned)} — "
                     + ", ".join(f"{t} {n}" for t, n in sorted(per_topic.items())))
    else:
        lines.append(f"Learned questions ({LEARNED_FILE}): none")
    f = kb.salary_facts
    if f:
        lines.append(f"Vacancies: {f.listings} ({f.with_figure} with a figure, {f.negotiable} "
                     f"by agreement, {f.unstated} without salary); lowest {f.lowest}, highest "
                     f"{f.highest}, typical {f.typical_low}–{f.typical_high} {f.currency}/month")
    o = res.calibration
    if o is not None:
        lines.append(
            f"Calibration questions: {o.in_domain}; answered right "
            f"{o.right_rate:.1%}, right topic suggested {o.suggested_right}, answered wrong "
            f"{o.answered_wrong}; out-of-domain examples refused {o.refused}/{o.out_of_domain} "
            f"(each question asked of a model trained without it)")
    return lines
