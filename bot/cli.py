"""Command line: run the bot (Telegram or terminal chat), ask, eval, check, links, and the
admins' learning loop (unanswered, learn, unlearn, learned, export-unanswered)."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .matcher.decide import Decision
    from .storage import Storage

from .knowledge.errors import KnowledgeInvalid
from .knowledge.loader import load_knowledge
from .knowledge.model import LANGS, KnowledgeBase, LearnedQuestion
from .learning import LearningError
from .settings import (
    DATABASE_FILE,
    Settings,
    SettingsError,
    bot_username,
    data_dir,
    knowledge_dir,
    load_settings,
)

MAX_PROBLEMS = 20  # listed per bad input file; the rest are counted


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def _knowledge_dir(directory: str | None) -> str:
    """--knowledge, else KNOWLEDGE_DIR, else the shipped knowledge; the tools read no other
    setting, so a bad one they do not use (ADMIN_IDS…) never stops them."""
    return directory or str(knowledge_dir())


def _load(directory: str | None) -> KnowledgeBase:
    return load_knowledge(_knowledge_dir(directory))


def salary_filter_json(kb: KnowledgeBase, filters: Sequence[str]) -> dict[str, object] | None:
    """What `ask --json` says about a filtered salary answer (None: no filter applied)."""
    if not filters:
        return None
    from .knowledge.listing_filters import key

    subset = kb.salary_subsets[key(filters)]
    return {"applied": list(filters), "listings": subset.listings,
            "of": kb.salary_facts.listings if kb.salary_facts else 0}


def cmd_ask(args: argparse.Namespace) -> int:
    from .conversation import ask as converse
    from .matcher.decide import Matcher
    from .state import Served

    kb = _load(args.knowledge)
    served = Served(kb, Matcher(kb))
    questions: list[str] = []
    for q in args.question:
        if q == "-":
            questions += [line.strip() for line in sys.stdin if line.strip()]
        else:
            questions.append(q)
    if not questions:
        return _fail("give a question, or '-' to read questions from standard input")
    for q in questions:
        answered = converse(served, q, args.lang or "lv", fixed_lang=bool(args.lang))
        d = answered.decision
        reply = answered.reply
        if args.json:
            print(json.dumps({
                "query": q,
                "lang": d.lang,
                "outcome": d.outcome,
                "topic": d.topic if d.outcome == "answer" else None,
                "score": d.score,
                "answer": reply.text,
                # the listings a salary answer was computed over: the filters the question
                # named, and how many listings they select
                "salary_filter": salary_filter_json(kb, reply.salary_filter),
                "suggestions": [{"topic": s.topic, "score": round(s.score, 4)}
                                for s in d.suggestions],
                "also": list(d.also),
            }, ensure_ascii=False))
        else:
            from .localchat import render

            text, _ = render(reply)
            print(text + "\n")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from .evaluation import CasesInvalid, evaluate, load_cases
    from .matcher.decide import Matcher

    if args.min_accuracy is not None and not 0 <= args.min_accuracy <= 1:
        return _fail(f"--min-accuracy is a fraction between 0 and 1 (0.95 means 95 %), "
                     f"got {args.min_accuracy:g}")
    kb = _load(args.knowledge)
    try:
        cases = load_cases(args.file, kb.topics)
    except CasesInvalid as exc:
        for p in exc.problems[:MAX_PROBLEMS]:
            print(f"error: {p}", file=sys.stderr)
        if len(exc.problems) > MAX_PROBLEMS:
            print(f"error: … and {len(exc.problems) - MAX_PROBLEMS} more", file=sys.stderr)
        return 2
    report = evaluate(kb, Matcher(kb), cases)
    s = report.summary()
    if args.json:
        print(json.dumps({**s, "failures": [
            {"q": r.case.q, "expect": r.case.expect, "lang": r.case.lang,
             "outcome": r.decision.outcome, "topic": r.decision.topic,
             "reply_lang": r.decision.lang, "score": r.decision.score,
             "suggestions": [x.topic for x in r.decision.suggestions],
             "reasons": list(r.reasons)} for r in report.results if not r.passed]},
            ensure_ascii=False, indent=2))
    else:
        for r in report.results:
            if not r.passed:
                sugg = ", ".join(x.topic for x in r.decision.suggestions)
                print(f"FAIL {r.case.q!r}: {'; '.join(r.reasons)} "
                      f"[{r.decision.outcome} {r.decision.score:.2f}{' → ' + sugg if sugg else ''}]")
        print(f"\naccuracy {s['accuracy']:.1%} ({s['passed']}/{s['cases']}); "
              + ", ".join(f"{k} {v:.1%}" for k, v in s["by_lang"].items()))
        print(f"in-domain {s['in_domain']:.1%}; out-of-domain refused "
              f"{s['out_of_domain_refused']:.1%}; confident wrong answers {s['confident_wrong']} "
              f"({s['confident_wrong_rate']:.1%})")
        print(f"in-domain right topic one tap away (answered, or offered first): "
              f"{s['in_domain_one_tap']:.1%}")
        print("by length (words): " + ", ".join(
            f"{k} {v['passed']:.1%} of {v['cases']}" for k, v in s["by_length"].items()))
        print("outcomes: " + ", ".join(f"{k} {v}" for k, v in s["outcomes"].items()))
    if args.min_accuracy is not None and report.accuracy < args.min_accuracy:
        print(f"accuracy {report.accuracy:.1%} is below --min-accuracy {args.min_accuracy:.1%}",
              file=sys.stderr)
        return 1
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from .check import run_check, summary_lines

    res = run_check(_knowledge_dir(args.knowledge))
    if args.json:
        print(json.dumps(res.as_json(), ensure_ascii=False, indent=2))
    else:
        for p in res.errors:
            print(f"ERROR {p}")
        if args.verbose:
            for p in res.warnings:
                print(f"warning {p}")
        elif res.warnings:
            print(f"{len(res.warnings)} warnings (thin topics, questions that match another "
                  "topic better…): `python -m bot check --verbose` lists them")
        for line in summary_lines(res):
            print(line)
        print(("OK" if res.ok else "FAILED") + f": {len(res.errors)} errors, "
              f"{len(res.warnings)} warnings")
    return 0 if res.ok else 1


def cmd_links(args: argparse.Namespace) -> int:
    from .replies import deep_link

    username = bot_username(args.username)
    if username is None:
        return _fail("links need the bot's username: give --username or set BOT_USERNAME")
    kb = _load(args.knowledge)
    for s in kb.sections:
        for tid in s.topic_ids:
            print(f"{tid}\t{deep_link(username, tid)}")
    return 0


# -- learning from real questions (bot/learning.py) -------------------------------------------


def _storage() -> Storage:
    """The bot's database in DATA_DIR, read as it is: a tool never creates one."""
    from .storage import Storage

    path = data_dir() / DATABASE_FILE
    if not path.is_file():
        raise LearningError(f"no questions are stored: {path} does not exist (set DATA_DIR to "
                            "the bot's data directory)")
    return Storage(path, timeout=5.0)


def _title(kb: KnowledgeBase, topic: str | None, lang: str) -> str:
    if topic is None:
        return "off-topic"
    t = kb.topics.get(topic)
    return f"{topic} ({t.title.get(lang)})" if t else topic


def _when(ts: float) -> str:
    import time

    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(ts))


def _what_it_does(kb: KnowledgeBase, decision: Decision) -> str:
    if decision.outcome == "answer":
        return f"answers it with {_title(kb, decision.topic, decision.lang)}"
    if decision.outcome == "suggest":
        return "offers " + ", ".join(s.topic for s in decision.suggestions)
    return "says it does not know"


def _settled_line(kb: KnowledgeBase, entry: LearnedQuestion, decision: Decision) -> str:
    from .learning import answers_as_filed

    if answers_as_filed(decision, entry):
        return ("The bot now refuses it." if entry.topic is None
                else "The bot now answers it with that topic.")
    want = "refuse it" if entry.topic is None else "answer it with that topic"
    return f"The bot does not {want} yet: it {_what_it_does(kb, decision)}."


RUNNING_BOT = ("A running bot reloads the knowledge base by itself (it watches the directory); "
               "/reload does it at once.")


def cmd_unanswered(args: argparse.Namespace) -> int:
    from .learning import unanswered
    from .matcher.decide import Matcher

    storage = _storage()
    kb = _load(args.knowledge)
    groups = unanswered(storage, Matcher(kb), "most" if args.most else "newest", args.limit)
    if args.json:
        print(json.dumps([{
            "text": g.shown, "count": g.count, "newest": _iso(g.newest), "lang": g.lang,
            "outcome": g.outcome, "guesses": [
                {"topic": t, "title": kb.topics[t].title.get(g.lang)} for t in g.guesses],
            "answered_now": g.answered_now,
        } for g in groups], ensure_ascii=False, indent=2))
        return 0
    if not groups:
        print("No unanswered questions.")
        return 0
    for g in groups:
        said = "did you mean" if g.outcome == "suggest" else "I don't know"
        print(f"{g.count}×  {_when(g.newest)} UTC  {g.lang}  {said}  «{g.shown}»")
        print("    guesses: " + "; ".join(_title(kb, t, g.lang) for t in g.guesses))
        if g.answered_now:
            print(f"    answered now with {_title(kb, g.answered_now, g.lang)}")
    n = len(groups)
    print(f"\n{n} question{'' if n == 1 else 's'}. File one: python -m bot learn TOPIC_ID "
          "\"question\" (or --off-topic \"question\").")
    return 0


def _iso(ts: float) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat(timespec="seconds")


def cmd_learn(args: argparse.Namespace) -> int:
    from .learning import file_question
    from .matcher.decide import Matcher

    if args.off_topic:
        if len(args.words) != 1:
            return _fail('learn --off-topic takes one question in quotes: '
                         'python -m bot learn --off-topic "question"')
        topic, text = None, args.words[0]
    else:
        if len(args.words) != 2:
            return _fail('learn takes a topic id and one question in quotes: '
                         'python -m bot learn TOPIC_ID "question" (or --off-topic "question")')
        topic, text = args.words
    directory = _knowledge_dir(args.knowledge)
    entry = file_question(directory, topic, args.lang, text, "cli")
    kb = load_knowledge(directory)
    print(f"Saved: «{entry.text}» → {_title(kb, entry.topic, entry.lang)} [{entry.lang}], id "
          f"{entry.id} ({_shown_path(Path(directory) / entry.source.file)}:{entry.source.line})")
    print(_settled_line(kb, entry, Matcher(kb).decide(entry.text, entry.lang)))
    print(f"Undo: python -m bot unlearn {entry.id}. {RUNNING_BOT}")
    return 0


def _shown_path(path: Path) -> str:
    """A path as an admin would type it: relative to here when it is below here."""
    import os

    rel = os.path.relpath(path)
    return str(path) if rel.startswith("..") else rel


def cmd_unlearn(args: argparse.Namespace) -> int:
    from .learning import undo
    from .matcher.decide import Matcher

    directory = _knowledge_dir(args.knowledge)
    entry = undo(directory, args.entry_id)
    kb = load_knowledge(directory)
    print(f"Removed: «{entry.text}» → {_title(kb, entry.topic, entry.lang)} [{entry.lang}], "
          f"id {entry.id}")
    print(f"The bot now {_what_it_does(kb, Matcher(kb).decide(entry.text, entry.lang))}. "
          f"{RUNNING_BOT}")
    return 0


def cmd_learned(args: argparse.Namespace) -> int:
    from .learning import recent

    entries = recent(_knowledge_dir(args.knowledge), args.n)
    if args.json:
        print(json.dumps([{"id": e.id, "topic": e.topic, "lang": e.lang, "text": e.text,
                           "by": e.by, "at": e.at, "line": e.source.line} for e in entries],
                         ensure_ascii=False, indent=2))
        return 0
    if not entries:
        print("No learned questions.")
        return 0
    for e in entries:
        print(f"{e.id}  {e.at or '—'}  by {e.by or '—'}  {e.lang}  {e.topic or 'off-topic'}  "
              f"«{e.text}»")
    return 0


def cmd_export_unanswered(args: argparse.Namespace) -> int:
    from .learning import evaluation_skeleton, unanswered, write_atomically
    from .matcher.decide import Matcher

    target = Path(args.file)
    if target.exists() and not args.force:
        return _fail(f"{target} exists; nothing was written (--force replaces it)")
    storage = _storage()
    kb = _load(args.knowledge)
    groups = unanswered(storage, Matcher(kb))
    if not groups:
        raise LearningError("no unanswered questions are stored: nothing was written")
    if not target.parent.is_dir():
        raise LearningError(f"the directory {target.parent} does not exist: nothing was written")
    try:
        write_atomically(target, evaluation_skeleton(groups, str(storage.path)).encode("utf-8"))
    except OSError as exc:
        raise LearningError(f"cannot write {target}: {exc.strerror or exc}") from None
    n = len(groups)
    print(f"Wrote {n} question{'' if n == 1 else 's'} to {target}. Fill in each `expect`, "
          f"then: python -m bot eval {target}")
    return 0


def _log_to_stderr(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _stop_quietly(signum: int, frame: object) -> None:
    raise SystemExit(0)


def _serve_telegram(settings: Settings, knowledge: str | None) -> int:
    """Load the knowledge base and run on Telegram; a startup failure is one line (exit 1).
    SIGINT/SIGTERM at any moment end the process with exit code 0."""
    from .state import KnowledgeState
    from .telegram.app import run_telegram
    from .telegram.startup import StartupFailed

    for sig in (signal.SIGINT, signal.SIGTERM):  # until python-telegram-bot takes them over
        signal.signal(sig, _stop_quietly)
    state = KnowledgeState(Path(knowledge) if knowledge else settings.knowledge_dir)
    try:
        return run_telegram(settings, state)
    except StartupFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def cmd_run(args: argparse.Namespace) -> int:
    settings = load_settings()
    _log_to_stderr(settings.log_level)
    if settings.token is not None:
        return _serve_telegram(settings, args.knowledge)
    from .localchat import run as local_run
    from .state import KnowledgeState

    logging.getLogger().setLevel(logging.WARNING)
    return local_run(KnowledgeState(Path(args.knowledge) if args.knowledge
                                    else settings.knowledge_dir))


def cmd_serve(args: argparse.Namespace) -> int:
    """Telegram only: a deployment without a token must fail, never chat with no one."""
    settings = load_settings()
    if settings.token is None:
        return _fail("TELEGRAM_BOT_TOKEN is not set: `serve` runs the bot on Telegram only "
                     "(without a token, `python -m bot` starts the terminal chat)")
    _log_to_stderr(settings.log_level)
    return _serve_telegram(settings, args.knowledge)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Account-manager Q&A bot (Latvian and Russian). Without a subcommand it "
        "runs the bot: on Telegram when TELEGRAM_BOT_TOKEN is set, else as a terminal chat. "
        "`serve` runs it on Telegram only (for deployments).",
    )
    parser.add_argument("--knowledge", help="knowledge directory (default: $KNOWLEDGE_DIR, "
                        "else the knowledge base shipped with the bot)")
    sub = parser.add_subparsers(dest="command")

    p = sub.add_parser("serve", help="run on Telegram; exit 2 if TELEGRAM_BOT_TOKEN is missing "
                       "(never the terminal chat)")
    p.add_argument("--knowledge", help=argparse.SUPPRESS, default=argparse.SUPPRESS)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("ask", help="answer questions as the bot would")
    p.add_argument("question", nargs="*", help="questions; '-' reads one per line from stdin")
    p.add_argument("--json", action="store_true", help="one JSON object per question")
    p.add_argument("--lang", choices=LANGS, help="force the reply language")
    p.add_argument("--knowledge", help=argparse.SUPPRESS, default=argparse.SUPPRESS)
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("eval", help="run an evaluation set and print accuracy")
    p.add_argument("file", help="YAML evaluation set (see shared/eval/README.md)")
    p.add_argument("--json", action="store_true", help="machine-readable report")
    p.add_argument("--min-accuracy", type=float, help="exit 1 below this accuracy (0–1)")
    p.add_argument("--knowledge", help=argparse.SUPPRESS, default=argparse.SUPPRESS)
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("check", help="validate and lint the knowledge base")
    p.add_argument("--json", action="store_true", help="machine-readable report")
    p.add_argument("--verbose", action="store_true", help="list every warning (by default "
                   "only their count is printed, after the errors)")
    p.add_argument("--knowledge", help=argparse.SUPPRESS, default=argparse.SUPPRESS)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("unanswered", help="questions the bot did not answer outright, grouped, "
                       "with its best guesses (what /unanswered shows)")
    p.add_argument("--json", action="store_true", help="machine-readable list")
    p.add_argument("--most", action="store_true", help="most asked first (default: newest)")
    p.add_argument("--limit", type=int, default=None, help="at most this many questions")
    p.add_argument("--knowledge", help=argparse.SUPPRESS, default=argparse.SUPPRESS)
    p.set_defaults(func=cmd_unanswered)

    p = sub.add_parser("learn", help="file a question in knowledge/learned.yaml: "
                       'learn TOPIC_ID "question", or learn --off-topic "question"')
    p.add_argument("words", nargs="*", metavar="TOPIC_ID QUESTION",
                   help="a topic id and the question (only the question with --off-topic)")
    p.add_argument("--off-topic", action="store_true", help="the bot must refuse this question")
    p.add_argument("--lang", choices=LANGS, help="the question's language (default: "
                   "from its letters and words)")
    p.add_argument("--knowledge", help=argparse.SUPPRESS, default=argparse.SUPPRESS)
    p.set_defaults(func=cmd_learn)

    p = sub.add_parser("unlearn", help="remove a learned question by its id (undo)")
    p.add_argument("entry_id", help="the id `learned` lists")
    p.add_argument("--knowledge", help=argparse.SUPPRESS, default=argparse.SUPPRESS)
    p.set_defaults(func=cmd_unlearn)

    p = sub.add_parser("learned", help="the questions filed last, newest first")
    p.add_argument("-n", type=int, default=20, help="how many (default 20)")
    p.add_argument("--json", action="store_true", help="machine-readable list")
    p.add_argument("--knowledge", help=argparse.SUPPRESS, default=argparse.SUPPRESS)
    p.set_defaults(func=cmd_learned)

    p = sub.add_parser("export-unanswered", help="write the unanswered questions as an "
                       "evaluation-set skeleton (expect left for a person to fill in)")
    p.add_argument("file", help="the YAML file to write")
    p.add_argument("--force", action="store_true", help="replace the file if it exists")
    p.add_argument("--knowledge", help=argparse.SUPPRESS, default=argparse.SUPPRESS)
    p.set_defaults(func=cmd_export_unanswered)

    p = sub.add_parser("links", help="print every topic's deep link")
    p.add_argument("--username", help="bot username (default: $BOT_USERNAME)")
    p.add_argument("--knowledge", help=argparse.SUPPRESS, default=argparse.SUPPRESS)
    p.set_defaults(func=cmd_links)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", cmd_run)
    try:
        return int(func(args))
    except SettingsError as exc:
        return _fail(str(exc))
    except LearningError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KnowledgeInvalid as exc:
        print("error: the knowledge base is invalid:", file=sys.stderr)
        for p in exc.problems:
            print(f"  {p}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
