"""What admins read (/stats, /unanswered and its buttons, /learned, /reload, reload
notices), per locale.

Pure functions, as replies.py is for users: no Telegram import, no I/O; the adapter
(bot/telegram/admin.py) fetches the figures and sends these texts. HTML-escaped here:
users' questions, which admins read here, can hold anything.
"""

from __future__ import annotations

import datetime as dt
import html

from babel.dates import format_datetime

from .actions import (
    ChooseTopic,
    FileOffTopic,
    FileUnder,
    Order,
    ShowQuestion,
    SkipQuestion,
    UnansweredPage,
    Unlearn,
)
from .i18n import BABEL_LOCALE, N_, gettext_for, ngettext_for
from .knowledge.errors import Problem
from .knowledge.model import KnowledgeBase, LearnedQuestion
from .learning import (
    AlreadyKnown,
    CannotWrite,
    KnowledgeBroken,
    Learned,
    LearningError,
    NotLearned,
    Unanswered,
    question_key,
    reference,
)
from .matcher.decide import Decision
from .replies import Button, Reply, quoted, shorten
from .storage import Stats

MAX_LISTED = 20  # problems listed one by one in a reload notice; the rest are counted
PAGE = 5  # unanswered questions a page of /unanswered shows, one message each
LEARNED_SHOWN = 10  # filed questions /learned lists
UNDO_ROW = 5  # undo buttons in a row of /learned
QUOTED_QUESTION = 120  # characters of a question quoted in a confirmation or a list
MAX_QUESTION = 300  # … and on its own card (all of it: learning.MAX_TEXT)
# How the bot answered a question it could not answer outright (storage's outcome codes).
OUTCOME_WORDS = {"none": N_("no answer"), "suggest": N_("offered topics")}


def _(lang: str, message: str) -> str:
    return gettext_for(lang, message)


def _h(text: str) -> str:
    """Plain text as Telegram HTML."""
    return html.escape(text, quote=False)


def _f(translated: str, **values: str | int) -> str:
    """A translated sentence as Telegram HTML, with `values` put in (HTML already: escaped
    users' words, quoted titles)."""
    return _h(translated) % values if values else _h(translated)


def _reply(lang: str, lines: list[str]) -> Reply:
    return Reply("\n".join(lines), (), lang)


def problems_reply(problems: list[Problem], lang: str) -> Reply:
    """The first MAX_LISTED problems and how many more (a Problem hides secrets itself)."""
    head = _(lang, "The knowledge base was NOT reloaded; the bot keeps serving the previous "
                   "one. Problems:")
    return _reply(lang, [html.escape(head, quote=False), *_problem_lines(problems)])


def _problem_lines(problems: list[Problem] | tuple[Problem, ...]) -> list[str]:
    lines = [html.escape(str(p)) for p in problems[:MAX_LISTED]]
    if len(problems) > MAX_LISTED:
        lines.append(f"… +{len(problems) - MAX_LISTED}")
    return lines


def reloaded_reply(kb: KnowledgeBase, lang: str) -> Reply:
    n = len(kb.topics)
    text = ngettext_for(lang, "Reloaded: %(n)d topic.", "Reloaded: %(n)d topics.", n) % {"n": n}
    return _reply(lang, [text])


def stats_reply(st: Stats, kb: KnowledgeBase, lang: str) -> Reply:
    """Questions today and this week, answered share, votes, languages, top topics."""
    langs = ", ".join(f"{k} {v}" for k, v in sorted(st.per_lang.items())) or "—"
    lines = [
        _(lang, "Questions today: %(n)d; last 7 days: %(w)d") % {"n": st.today, "w": st.week},
        _(lang, "Answered outright: %(p)d%%") % {"p": round(st.answered_share * 100)},
        _(lang, "Feedback: 👍 %(up)d / 👎 %(down)d") % {"up": st.votes_up, "down": st.votes_down},
        html.escape(_(lang, "By language: %(langs)s") % {"langs": langs}, quote=False),
        _(lang, "Top topics:"),
    ]
    for tid, count in st.top_topics:
        title = kb.topics[tid].title.get(lang) if tid in kb.topics else tid
        lines.append(f"• {html.escape(title)} — {count}")
    return _reply(lang, lines)


# -- learning from unanswered questions (bot/learning.py) ----------------------------------


def _q(text: str, lang: str, limit: int = QUOTED_QUESTION) -> str:
    """A user's question in the admin's quotes, on one line, escaped (secrets hidden by
    the caller: learning.Unanswered.shown)."""
    return html.escape(quoted(shorten(text, limit), lang), quote=False)


def _title(kb: KnowledgeBase, topic: str, lang: str) -> str:
    """A topic's title in quotes, escaped; its id if a reload removed it."""
    t = kb.topics.get(topic)
    return html.escape(quoted(t.title.get(lang) if t else topic, lang), quote=False)


def _when(ts: float, lang: str) -> str:
    moment = dt.datetime.fromtimestamp(ts, dt.UTC)
    return format_datetime(moment, "short", tzinfo=dt.UTC, locale=BABEL_LOCALE[lang]) + " UTC"


def _does(kb: KnowledgeBase, decision: Decision | None, lang: str) -> str:
    """What the bot does with a question now, as the end of a sentence."""
    if decision is not None and decision.outcome == "answer" and decision.topic:
        return _f(_(lang, "answers it with %(topic)s"), topic=_title(kb, decision.topic, lang))
    if decision is not None and decision.outcome == "suggest" and decision.suggestions:
        titles = ", ".join(_title(kb, s.topic, lang) for s in decision.suggestions)
        return _f(_(lang, "offers %(topics)s"), topics=titles)
    return _f(_(lang, "says it does not know"))


def no_unanswered_reply(lang: str) -> Reply:
    return _reply(lang, [_f(_(lang, "No unanswered questions."))])


def unanswered_card(kb: KnowledgeBase, u: Unanswered, lang: str, number: int = 0,
                    total: int = 0) -> Reply:
    """One unanswered question (`number` of `total` in the list, when known) with a button
    per guess of the bot (file it under that topic), "another topic…", "off-topic" and
    "skip". A question holding what looks like a secret cannot be filed: only "skip"."""
    head = f"{number}/{total} · " if number and total else ""
    times = ngettext_for(lang, "%(n)d time", "%(n)d times", u.count) % {"n": u.count}
    how = gettext_for(lang, OUTCOME_WORDS[u.outcome]) if u.outcome in OUTCOME_WORDS else u.outcome
    lines = [f"❓ {head}<b>{_q(u.shown, lang, MAX_QUESTION)}</b>",
             _f(_(lang, "Asked %(times)s, last on %(when)s (%(how)s)."), times=_h(times),
                when=_h(_when(u.newest, lang)), how=_h(how))]
    if u.answered_now:
        lines.append(_f(_(lang, "The bot now answers it with %(topic)s."),
                        topic=_title(kb, u.answered_now, lang)))
    skip = Button(_(lang, "⏭ Skip"), SkipQuestion(u.ref))
    if u.shown != u.text:
        lines.append(_f(_(lang, "It contains something that looks like a password or a key, so "
                              "it cannot be filed.")))
        return Reply("\n".join(lines), ((skip,),), lang)
    lines.append(_f(_(lang, "Which topic answers it?")))
    rows: list[tuple[Button, ...]] = [(Button(kb.topics[t].title.get(lang), FileUnder(u.ref, t)),)
                                      for t in u.guesses if t in kb.topics]
    rows.append((Button(_(lang, "📂 Another topic…"), ChooseTopic(u.ref)),))
    rows.append((Button(_(lang, "🚫 Off-topic"), FileOffTopic(u.ref)), skip))
    return Reply("\n".join(lines), tuple(rows), lang)


def unanswered_footer(order: Order, offset: int, shown: int, total: int, lang: str) -> Reply:
    """Under a page of /unanswered: which questions these are, the other pages and the
    other order."""
    first, last = offset + 1, offset + shown
    text = (_f(_(lang, "Questions %(first)d–%(last)d of %(total)d, newest first."),
               first=first, last=last, total=total) if order == "newest" else
            _f(_(lang, "Questions %(first)d–%(last)d of %(total)d, most asked first."),
               first=first, last=last, total=total))
    pages: list[Button] = []
    if offset > 0:
        pages.append(Button(_(lang, "◀️ Previous"), UnansweredPage(order, max(0, offset - PAGE))))
    if last < total:
        pages.append(Button(_(lang, "Next ▶️"), UnansweredPage(order, last)))
    other = (Button(_(lang, "Most asked first"), UnansweredPage("most", 0)) if order == "newest"
             else Button(_(lang, "Newest first"), UnansweredPage("newest", 0)))
    rows = (tuple(pages), (other,)) if pages else ((other,),)
    return Reply(text, rows, lang)


def choose_section_reply(kb: KnowledgeBase, u: Unanswered, lang: str) -> Reply:
    """"Another topic…": the sections (small talk too: a greeting can be filed), then
    back to the question."""
    text = _f(_(lang, "Which topic answers %(question)s? Choose a section:"),
              question=_q(u.shown, lang))
    buttons = [Button(s.title.get(lang), ChooseTopic(u.ref, s.id)) for s in kb.sections]
    rows = [tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]
    rows.append((Button(_(lang, "⬅️ Back"), ShowQuestion(u.ref)),))
    return Reply(text, tuple(rows), lang)


def choose_topic_reply(kb: KnowledgeBase, u: Unanswered, section_id: str,
                       lang: str) -> Reply | None:
    """A section's topics: a tap files the question under one. None: no such section."""
    section = next((s for s in kb.sections if s.id == section_id), None)
    if section is None:
        return None
    text = (f"<b>{html.escape(section.title.get(lang))}</b>\n"
            + _f(_(lang, "Which topic answers %(question)s?"), question=_q(u.shown, lang)))
    rows = [(Button(kb.topics[t].title.get(lang), FileUnder(u.ref, t)),)
            for t in section.topic_ids]
    rows.append((Button(_(lang, "⬅️ Back"), ChooseTopic(u.ref)),))
    return Reply(text, tuple(rows), lang)


def skipped_reply(u: Unanswered, lang: str) -> Reply:
    return _reply(lang, [_f(_(lang, "⏭ Skipped: %(question)s. It stays in /unanswered."),
                            question=_q(u.shown, lang))])


def filing_toast(lang: str) -> Reply:
    """Shown while the question is filed and the bot retrains (a few seconds)."""
    return _reply(lang, [_f(_(lang, "Saving… the bot is learning it."))])


def undoing_toast(lang: str) -> Reply:
    """Shown while the question is taken out and the bot retrains."""
    return _reply(lang, [_f(_(lang, "Undoing… the bot is learning again."))])


def filed_reply(kb: KnowledgeBase, done: Learned, lang: str) -> Reply:
    """After filing: saved, and truthfully whether the bot now answers the question with
    that topic (or refuses it), with an undo button; or the loader's problems when the
    reload was refused (learned.yaml is back as it was)."""
    e = done.entry
    question = _q(e.text, lang)
    if done.problems:
        head = _f(_(lang, "%(question)s was not filed: the knowledge base did not reload with "
                        "it, so learned.yaml is back as it was. Problems:"), question=question)
        return _reply(lang, [head, *_problem_lines(done.problems)])
    does = _does(kb, done.decision, lang)
    if e.topic is None:
        saved = _f(_(lang, "✅ Saved as off-topic: %(question)s."), question=question)
        now = (_f(_(lang, "The bot now refuses it.")) if done.settled else
               _f(_(lang, "The bot does not refuse it yet: it %(does)s."), does=does))
    else:
        saved = _f(_(lang, "✅ Saved: %(question)s → %(topic)s."), question=question,
                   topic=_title(kb, e.topic, lang))
        now = (_f(_(lang, "The bot now answers it with that topic.")) if done.settled else
               _f(_(lang, "The bot does not answer it with that topic yet: it %(does)s."),
                  does=does))
    return Reply(f"{saved} {now}", ((Button(_(lang, "↩️ Undo"), Unlearn(e.id)),),), lang)


def unlearned_reply(kb: KnowledgeBase, done: Learned, lang: str, unanswered: bool = False
                    ) -> Reply:
    """After undo: what the bot does with the question now (the answer went back), and —
    when it is an unanswered question again (`unanswered`) — a way back to its buttons to
    file it right. Or the loader's problems: then it stays filed."""
    e = done.entry
    question = _q(e.text, lang)
    if done.problems:
        head = _f(_(lang, "%(question)s is still filed: the knowledge base did not reload "
                        "without it, so learned.yaml is back as it was. Problems:"),
                  question=question)
        return _reply(lang, [head, *_problem_lines(done.problems)])
    undone = (_f(_(lang, "↩️ Undone: %(question)s is no longer off-topic."), question=question)
              if e.topic is None else
              _f(_(lang, "↩️ Undone: %(question)s is no longer filed under %(topic)s."),
                 question=question, topic=_title(kb, e.topic, lang)))
    now = _f(_(lang, "The bot now %(does)s."), does=_does(kb, done.decision, lang))
    back = ShowQuestion(reference(question_key(e.text)))
    rows = ((Button(_(lang, "⬅️ Back to the question"), back),),) if unanswered else ()
    return Reply(f"{undone} {now}", rows, lang)


def learned_list_reply(kb: KnowledgeBase, entries: list[LearnedQuestion], lang: str,
                       note: str = "") -> Reply:
    """/learned: the last filed questions, newest first, each with an undo button (`note`:
    what the last undo did, above the list)."""
    lines = [note, ""] if note else []
    if not entries:
        return _reply(lang, [*lines, _f(_(lang, "No filed questions."))])
    lines.append(_f(_(lang, "Last filed questions, newest first:")))
    for i, e in enumerate(entries, 1):
        where = _f(_(lang, "off-topic")) if e.topic is None else _title(kb, e.topic, lang)
        ts = _timestamp(e.at)
        when = f" · {_h(_when(ts, lang))}" if ts else ""
        lines.append(f"{i}. {_q(e.text, lang)} → {where}{when}")
    lines += ["", _f(_(lang, "↩️ N undoes question N."))]
    buttons = [Button(f"↩️ {i}", Unlearn(e.id, listed=True)) for i, e in enumerate(entries, 1)]
    rows = tuple(tuple(buttons[i : i + UNDO_ROW]) for i in range(0, len(buttons), UNDO_ROW))
    return Reply("\n".join(lines), rows, lang)


def _timestamp(at: str) -> float:
    """An entry's time (0: none, or written by hand in another form)."""
    try:
        when = dt.datetime.fromisoformat(at)
    except ValueError:
        return 0.0
    return (when if when.tzinfo else when.replace(tzinfo=dt.UTC)).timestamp()


def learning_error_reply(kb: KnowledgeBase, exc: LearningError, lang: str) -> Reply:
    """Nothing was filed or undone, and why, in the admin's language: one line (and the
    loader's problems below it when the knowledge base on disk does not load)."""
    if isinstance(exc, AlreadyKnown):
        return _reply(lang, [_already_known(kb, exc, lang)])
    if isinstance(exc, NotLearned):
        return _reply(lang, [_f(_(lang, "Nothing to undo: this question is no longer in "
                                      "learned.yaml."))])
    if isinstance(exc, KnowledgeBroken):
        head = _f(_(lang, "Nothing was changed: the knowledge base on disk has problems:"))
        return _reply(lang, [head, *_problem_lines(exc.problems)])
    if isinstance(exc, CannotWrite):
        return _reply(lang, [_f(_(lang, "Nothing was changed: the bot cannot write to its "
                                      "knowledge directory. Give it write access (in Docker, "
                                      "mount the directory without :ro) or set KNOWLEDGE_DIR "
                                      "to a copy of its own."))])
    # rarer refusals (learned.yaml in a form the bot cannot add to…): learning's own words
    return _reply(lang, [_f(_(lang, "Nothing was changed: %(reason)s"), reason=_h(str(exc)))])


def _already_known(kb: KnowledgeBase, exc: AlreadyKnown, lang: str) -> str:
    question, where = _q(exc.text, lang), html.escape(exc.where)
    topic = _title(kb, exc.topic, lang) if exc.topic else ""
    if exc.kind == "learned" and exc.topic:
        return _f(_(lang, "%(question)s is already filed under %(topic)s: nothing was filed."),
                  question=question, topic=topic)
    if exc.kind == "learned":
        return _f(_(lang, "%(question)s is already filed as off-topic: nothing was filed."),
                  question=question)
    if exc.kind == "title":
        return _f(_(lang, "%(question)s is already the title of %(topic)s: nothing was filed."),
                  question=question, topic=topic)
    if exc.kind == "example":
        return _f(_(lang, "%(question)s is already an example question of %(topic)s (%(where)s): "
                        "nothing was filed."), question=question, topic=topic, where=where)
    if exc.kind == "off-topic example":
        return _f(_(lang, "%(question)s is already an off-topic example (%(where)s): nothing was "
                        "filed."), question=question, where=where)
    return _f(_(lang, "%(question)s is a calibration question of %(topic)s (%(where)s), which the "
                    "bot must not be taught: nothing was filed."),
              question=question, topic=topic, where=where)
