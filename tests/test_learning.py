"""Learning from real questions (bot/learning.py): an admin files a question, the bot
answers it from the next load on, undo takes it back; learned.yaml is written atomically
and only ever by adding or cutting the bot's own entry. Real YAML (a copy of the shipped
knowledge base), a real SQLite file, the real matcher retrained at every reload."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from bot import learning
from bot.conversation import stored_form
from bot.evaluation import CasesInvalid, load_cases
from bot.knowledge.errors import Problem
from bot.knowledge.loader import load_knowledge
from bot.knowledge.model import LEARNED_FILE, KnowledgeBase
from bot.learning import (
    AlreadyKnown,
    CannotWrite,
    KnowledgeBroken,
    LearningError,
    NotLearned,
    count_unanswered,
    evaluation_skeleton,
    file_question,
    learn,
    recent,
    unanswered,
    unanswered_by_ref,
    undo,
    unlearn,
)
from bot.matcher.decide import Matcher
from bot.state import KnowledgeState
from bot.storage import Storage

REPO = Path(__file__).resolve().parents[1]

# Users' questions (written for these tests) that the shipped knowledge base does not
# answer with the topic an admin would file them under; each test shows that first.
CERTIFICATE = "vai prasa sodāmības izziņu"  # → candidate.requirements
UNKNOWN = "vai vajag izziņu no narkologa"  # → candidate.requirements, which the bot does not see
CERTIFICATE_TOPIC = "candidate.requirements"
SHOP = "как стать хорошим директором салона связи"  # not this job: the bot must refuse it


@pytest.fixture
def kdir(kb_dir: Path, tmp_path: Path) -> Path:
    """A copy of the shipped knowledge base that the tests may write."""
    d = tmp_path / "knowledge"
    shutil.copytree(kb_dir, d)
    return d


def learned_text(d: Path) -> bytes:
    return (d / LEARNED_FILE).read_bytes()


def temporaries(d: Path) -> list[str]:
    return sorted(p.name for p in d.iterdir() if p.name.startswith(f".{LEARNED_FILE}."))


# -- filing, reloading, undoing --------------------------------------------------------------


def test_filing_writes_exactly_that_entry(kdir: Path) -> None:
    before = learned_text(kdir).decode()
    entry = file_question(kdir, CERTIFICATE_TOPIC, "lv", "  Vai prasa\tsodāmības izziņu? ", 123)
    after = learned_text(kdir).decode()
    # the old text is untouched, the entry's six lines are added after it
    assert after.startswith(before)
    assert after[len(before):] == (
        f"  - id: {entry.id}\n"
        f"    topic: {CERTIFICATE_TOPIC}\n"
        "    lang: lv\n"
        '    text: "Vai prasa sodāmības izziņu?"\n'
        "    by: 123\n"
        f'    at: "{entry.at}"\n')
    assert (entry.topic, entry.lang, entry.text, entry.by) == (
        CERTIFICATE_TOPIC, "lv", "Vai prasa sodāmības izziņu?", "123")
    assert (entry.source.file, entry.source.line) == (
        LEARNED_FILE, after[:after.index(f"- id: {entry.id}")].count("\n") + 1)
    kb = load_knowledge(kdir)
    [loaded] = kb.learned
    assert (loaded.id, loaded.topic, loaded.text, loaded.source) == (
        entry.id, entry.topic, entry.text, entry.source)
    assert kb.topics[CERTIFICATE_TOPIC].questions["lv"][-1] == "Vai prasa sodāmības izziņu?"
    assert temporaries(kdir) == []


@pytest.mark.slow  # retrains the matcher, or starts processes
def test_a_filed_question_is_answered_with_its_topic_and_undo_takes_it_back(kdir: Path) -> None:
    state = KnowledgeState(kdir)
    original = learned_text(kdir)
    first = state.current.matcher.decide(UNKNOWN)
    # before: the bot does not answer it with that topic (it says it does not know)
    assert (first.outcome, first.topic) == ("none", None)

    filed = learn(state, CERTIFICATE_TOPIC, "lv", UNKNOWN, 42)
    assert filed.problems == () and filed.settled
    now = state.current.matcher.decide(UNKNOWN)
    assert (now.outcome, now.topic) == ("answer", CERTIFICATE_TOPIC)
    # the reply a user gets is that topic's answer
    assert filed.decision is not None and filed.decision.topic == CERTIFICATE_TOPIC
    assert [e.id for e in recent(kdir)] == [filed.entry.id]

    back = unlearn(state, filed.entry.id)
    assert back.problems == () and back.entry == filed.entry
    again = state.current.matcher.decide(UNKNOWN)
    assert (again.outcome, again.topic) == (first.outcome, first.topic)
    assert learned_text(kdir) == original  # byte for byte
    assert recent(kdir) == []


@pytest.mark.slow  # retrains the matcher
def test_the_watcher_does_not_retrain_after_learning_has_reloaded(kdir: Path) -> None:
    """Learning writes learned.yaml and reloads; the file watcher then sees that write and
    must not train the same knowledge base a second time (a second of CPU per filed
    question) — but any real change, an admin's save included, is reloaded."""
    state = KnowledgeState(kdir)
    served = state.current
    assert state.reload(if_changed=True) == [] and state.current is served  # nothing changed
    learn(state, CERTIFICATE_TOPIC, "lv", CERTIFICATE, 42)
    learned = state.current
    assert learned is not served
    assert state.reload(if_changed=True) == [] and state.current is learned  # the watcher
    path = kdir / "career.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # an admin saves
    assert state.reload(if_changed=True) == [] and state.current is not learned
    assert state.current.matcher.decide(CERTIFICATE).topic == CERTIFICATE_TOPIC


@pytest.mark.slow  # retrains the matcher, or starts processes
def test_filing_off_topic_makes_the_bot_refuse_with_confidence(kdir: Path) -> None:
    state = KnowledgeState(kdir)
    before = state.current.matcher.decide(SHOP)
    assert before.outcome != "none"  # today it takes the shop director for this job
    filed = learn(state, None, "ru", SHOP, "cli")
    assert filed.settled
    m = state.current.matcher
    d = m.decide(SHOP)
    assert (d.outcome, d.topic, d.suggestions) == ("none", None, ())
    # refused because the model now puts "off-topic" first, not for a lack of words
    assert m.rank(SHOP).ood_first
    assert SHOP in state.current.kb.out_of_domain["ru"]
    assert "off-topic" in learned_text(kdir).decode()


@pytest.mark.slow  # retrains the matcher, or starts processes
def test_a_refused_reload_puts_learned_yaml_back(kdir: Path) -> None:
    state = KnowledgeState(kdir)
    original = learned_text(kdir)
    served = state.current
    real_reload = state.reload

    def reload_meanwhile_broken(if_changed: bool = False) -> list[Problem]:
        # an admin's broken edit lands between the write and the reload
        (kdir / "duties.yaml").write_text("section: [unclosed\n", encoding="utf-8")
        return real_reload(if_changed)

    state.reload = reload_meanwhile_broken  # type: ignore[method-assign]
    filed = learn(state, CERTIFICATE_TOPIC, "lv", CERTIFICATE, 42)
    assert filed.undone and filed.decision is None and not filed.settled
    assert any(p.file == "duties.yaml" for p in filed.problems)
    assert learned_text(kdir) == original
    assert state.current is served


def test_undo_of_an_unknown_id_changes_nothing(kdir: Path) -> None:
    file_question(kdir, CERTIFICATE_TOPIC, "lv", CERTIFICATE, "cli")
    before = learned_text(kdir)
    with pytest.raises(NotLearned, match="no learned question has the id 'qnothere'"):
        undo(kdir, "qnothere")
    assert learned_text(kdir) == before


def test_recent_lists_the_newest_first(kdir: Path) -> None:
    texts = ["vai prasa sodāmības izziņu", "kā tikt galā ar stresu",
             "как испечь пирог с яблоками"]
    ids = [file_question(kdir, t, None, q, "cli").id
           for t, q in zip([CERTIFICATE_TOPIC, "career.cons", None], texts, strict=True)]
    got = recent(kdir, 2)
    assert [e.id for e in got] == [ids[2], ids[1]]
    assert got[0].topic is None and got[0].lang == "ru"  # the language guessed from the letters
    assert [e.text for e in recent(kdir, 10)] == texts[::-1]


# -- what is not filed -----------------------------------------------------------------------


@pytest.mark.parametrize(("text", "kind", "topic", "known"), [
    ("kādi ir klientu menedžera galvenie pienākumi", "example", "duties.general",
     "an example question of topic 'duties.general' (duties.yaml:"),
    ("KONTA MENEDZERIS, KAS TAS PAR AMATU", "example", "role.definition",
     "an example question of topic 'role.definition' (role.yaml:"),
    ("Konta pārvaldnieka galvenie pienākumi", "title", "duties.general",
     "the title of topic 'duties.general' (duties.yaml:"),
    ("Kā pagatavot kartupeļu pankūkas", "off-topic example", None, "an off-topic example"),
])
def test_a_question_already_known_is_reported_not_written(kdir: Path, text: str, kind: str,
                                                          topic: str | None, known: str) -> None:
    before = learned_text(kdir)
    with pytest.raises(AlreadyKnown) as exc:
        file_question(kdir, "career.cons", "lv", text, "cli")
    assert known in str(exc.value) and "nothing was filed" in str(exc.value)
    assert (exc.value.kind, exc.value.topic) == (kind, topic)  # for a message in lv or ru
    assert learned_text(kdir) == before


def test_a_calibration_question_is_not_filed(kdir: Path, kb: KnowledgeBase) -> None:
    tid, lang, q = kb.calibration[0]
    with pytest.raises(AlreadyKnown, match="a calibration question of topic"):
        file_question(kdir, tid, lang, q, "cli")


def test_a_question_learned_already_is_reported(kdir: Path) -> None:
    first = file_question(kdir, CERTIFICATE_TOPIC, "lv", CERTIFICATE, "cli")
    before = learned_text(kdir)
    with pytest.raises(AlreadyKnown) as exc:  # another wording of the same words
        file_question(kdir, "career.cons", "lv", "Vai prasa sodamibas izzinu?", 7)
    assert f"learned for topic '{CERTIFICATE_TOPIC}'" in str(exc.value)
    assert f"id {first.id}" in str(exc.value) and f"learned.yaml:{first.source.line}" in str(
        exc.value)
    assert learned_text(kdir) == before


@pytest.mark.parametrize(("topic", "lang", "text", "message"), [
    ("career.conz", "lv", CERTIFICATE, "there is no topic 'career.conz' — did you mean 'career.cons'"),
    ("career.cons", "lv", "   ", "the question is empty"),
    ("career.cons", "lv", "vārds " * 60, "at most 300 are filed"),
    ("career.cons", "lv", "mans tokens 123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0 neder",
     "looks like a secret"),
    ("career.cons", "en", CERTIFICATE, "the language must be lv or ru"),
    ("career.cons", None, "zzz qqq", "the language of 'zzz qqq' is not clear"),
    ("career.cons", "lv", "?!…", "no words the bot can read"),
    ("career.cons", "lv", "vai ir gr\udcff\udcfeti", "not valid text"),  # bytes not UTF-8
])
def test_bad_input_is_refused_and_nothing_is_written(kdir: Path, topic: str, lang: str | None,
                                                     text: str, message: str) -> None:
    before = learned_text(kdir)
    with pytest.raises(LearningError, match=message):
        file_question(kdir, topic, lang, text, "cli")
    assert learned_text(kdir) == before and temporaries(kdir) == []


def test_invisible_characters_are_not_filed(kdir: Path) -> None:
    entry = file_question(kdir, "career.cons", "lv", "vai ir grūti\x7f\u200b darbā\x00?", "cli")
    assert entry.text == "vai ir grūti darbā?"
    assert load_knowledge(kdir).learned[0].text == "vai ir grūti darbā?"


def test_a_knowledge_base_that_does_not_load_is_not_written(kdir: Path) -> None:
    (kdir / "career.yaml").write_text("section: career\ntopics: []\n", encoding="utf-8")
    before = learned_text(kdir)
    with pytest.raises(KnowledgeBroken, match="career.yaml:"):
        file_question(kdir, CERTIFICATE_TOPIC, "lv", CERTIFICATE, "cli")
    assert learned_text(kdir) == before


def test_the_installed_package_copy_is_never_written(monkeypatch: pytest.MonkeyPatch,
                                                     kdir: Path) -> None:
    monkeypatch.setattr(learning.resources, "is_installed_copy", lambda d: Path(d) == kdir)
    with pytest.raises(LearningError, match="set KNOWLEDGE_DIR to a directory of your own"):
        file_question(kdir, CERTIFICATE_TOPIC, "lv", CERTIFICATE, "cli")


def test_a_directory_the_bot_cannot_write_is_one_line(kdir: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    before = learned_text(kdir)
    if os.geteuid() == 0:  # root writes a read-only directory anyway: refuse as it would
        real_open = os.open

        def refuse(path: str | Path, flags: int, mode: int = 0o777, **kw: object) -> int:
            if str(path).endswith(".tmp"):
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(path, flags, mode)

        monkeypatch.setattr(os, "open", refuse)
    kdir.chmod(0o555)
    try:
        with pytest.raises(CannotWrite, match="cannot write .*learned.yaml: Permission denied"):
            file_question(kdir, CERTIFICATE_TOPIC, "lv", CERTIFICATE, "cli")
    finally:
        kdir.chmod(0o755)
    assert learned_text(kdir) == before


# -- the admins' own edits ------------------------------------------------------------------


HAND_WRITTEN = """\
# my notes on learned questions
learned:
    # added by Anna, checked with the team
    - id: anna1
      topic: career.cons
      lang: lv
      text: kas ir grūtākais šajā darbā   # unquoted, with a comment
      by: Anna
    - {id: anna2, topic: off-topic, lang: ru, text: "как починить кран"}
# end of Anna's list
"""


def test_appending_and_undoing_keep_an_admins_edits_byte_for_byte(kdir: Path) -> None:
    (kdir / LEARNED_FILE).write_text(HAND_WRITTEN, encoding="utf-8")
    entry = file_question(kdir, CERTIFICATE_TOPIC, "lv", CERTIFICATE, 5)
    after = learned_text(kdir).decode()
    assert after.startswith(HAND_WRITTEN)
    assert after[len(HAND_WRITTEN):].startswith(f"    - id: {entry.id}\n")  # their indentation
    kb = load_knowledge(kdir)
    assert [e.id for e in kb.learned] == ["anna1", "anna2", entry.id]
    undo(kdir, entry.id)
    assert learned_text(kdir).decode() == HAND_WRITTEN
    undo(kdir, "anna1")  # an entry written by hand goes with its lines only
    assert learned_text(kdir).decode() == HAND_WRITTEN.replace(
        "    - id: anna1\n      topic: career.cons\n      lang: lv\n"
        "      text: kas ir grūtākais šajā darbā   # unquoted, with a comment\n"
        "      by: Anna\n", "")


@pytest.mark.parametrize("content", [None, "", "# only a comment\n", "learned: []\n",
                                     "learned:   # nothing yet\n"])
def test_a_missing_or_empty_file_gets_its_first_entry(kdir: Path, content: str | None) -> None:
    path = kdir / LEARNED_FILE
    path.unlink()
    if content is not None:
        path.write_text(content, encoding="utf-8")
    entry = file_question(kdir, CERTIFICATE_TOPIC, "lv", CERTIFICATE, "cli")
    text = path.read_text(encoding="utf-8")
    if content and content.startswith("#"):
        assert text.startswith(content)
    if content is None or content == "":  # a new file: the shipped header
        assert text.startswith("# yaml-language-server: $schema=schema.json\n")
    assert [e.id for e in load_knowledge(kdir).learned] == [entry.id]


def test_a_link_out_of_the_directory_is_neither_read_nor_written(kdir: Path,
                                                                  tmp_path: Path) -> None:
    secret = tmp_path / "elsewhere.yaml"
    secret.write_text("learned:\n  - id: a1\n    topic: [not, yours]\n", encoding="utf-8")
    (kdir / LEARNED_FILE).unlink()
    (kdir / LEARNED_FILE).symlink_to(secret)
    for attempt in (lambda: recent(kdir), lambda: undo(kdir, "a1"),
                    lambda: file_question(kdir, CERTIFICATE_TOPIC, "lv", CERTIFICATE, "cli")):
        with pytest.raises(KnowledgeBroken, match="a link to a file outside the knowledge "
                           "directory") as exc:
            attempt()
        assert "not, yours" not in str(exc.value)
    assert secret.read_text(encoding="utf-8").endswith("[not, yours]\n")
    assert (kdir / LEARNED_FILE).is_symlink()


def test_a_form_the_bot_cannot_add_to_is_refused(kdir: Path) -> None:
    flow = 'learned: [{id: a1, topic: career.cons, lang: lv, text: "kas ir grūtākais"}]\n'
    (kdir / LEARNED_FILE).write_text(flow, encoding="utf-8")
    with pytest.raises(LearningError, match="not written as a list of '- id: …' blocks"):
        file_question(kdir, CERTIFICATE_TOPIC, "lv", CERTIFICATE, "cli")
    assert (kdir / LEARNED_FILE).read_text(encoding="utf-8") == flow


def test_a_file_that_would_not_read_back_is_not_written(kdir: Path) -> None:
    # after YAML's document end marker an appended entry would be a second document
    ended = "learned:\n  - id: a1\n    topic: career.cons\n    lang: lv\n    text: kas ir grūti\n...\n"
    (kdir / LEARNED_FILE).write_text(ended, encoding="utf-8")
    with pytest.raises(LearningError, match="would not read back as it should"):
        file_question(kdir, CERTIFICATE_TOPIC, "lv", CERTIFICATE, "cli")
    assert (kdir / LEARNED_FILE).read_text(encoding="utf-8") == ended


def test_an_admins_save_during_the_write_is_kept(kdir: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    path = kdir / LEARNED_FILE
    real = learning._appended
    saved = path.read_text(encoding="utf-8") + (
        "  - id: anna1\n    topic: career.cons\n    lang: lv\n    text: kas ir grūti\n")
    calls: list[object] = []

    def admin_saves_meanwhile(current: object, entry: object) -> str:
        if not calls:  # the first time: an admin's editor saves the file just now
            path.write_text(saved, encoding="utf-8")
        calls.append(1)
        return real(current, entry)  # type: ignore[arg-type]

    monkeypatch.setattr(learning, "_appended", admin_saves_meanwhile)
    entry = file_question(kdir, CERTIFICATE_TOPIC, "lv", CERTIFICATE, "cli")
    assert len(calls) == 2  # made again on what the admin saved
    assert path.read_text(encoding="utf-8").startswith(saved)
    assert [e.id for e in load_knowledge(kdir).learned] == ["anna1", entry.id]


# -- atomic writes ---------------------------------------------------------------------------


def test_a_failing_rename_leaves_the_old_file(kdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    file_question(kdir, "career.cons", "lv", "kā tikt galā ar stresu", "cli")
    before = learned_text(kdir)

    def no_rename(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", no_rename)
    with pytest.raises(LearningError, match="cannot write .*No space left on device"):
        file_question(kdir, CERTIFICATE_TOPIC, "lv", CERTIFICATE, "cli")
    assert learned_text(kdir) == before
    assert temporaries(kdir) == []
    monkeypatch.undo()
    assert len(load_knowledge(kdir).learned) == 1


WRITER = textwrap.dedent("""\
    import os, sys, time
    from bot.learning import file_question

    real_write = os.write

    def half_then_hang(fd, data):
        # whatever file the bot writes learned.yaml's new text to gets half of it, then
        # the writer is killed
        if "learned.yaml" in os.readlink(f"/proc/self/fd/{fd}"):
            real_write(fd, bytes(data[: len(data) // 2]))
            open(sys.argv[2], "w").close()
            time.sleep(120)
        return real_write(fd, data)

    os.write = half_then_hang
    file_question(sys.argv[1], "candidate.requirements", "lv", sys.argv[3], "cli")
""")


@pytest.mark.slow  # retrains the matcher, or starts processes
@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_a_writer_killed_mid_write_leaves_the_old_file(kdir: Path, tmp_path: Path) -> None:
    first = file_question(kdir, "career.cons", "lv", "kā tikt galā ar stresu", "cli")
    before = learned_text(kdir)
    started = tmp_path / "half-written"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(kdir), str(started), CERTIFICATE],
                            cwd=REPO)
    try:
        deadline = time.monotonic() + 60
        while not started.exists():
            assert proc.poll() is None, "the writer ended before writing"
            assert time.monotonic() < deadline, "the writer never started writing"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(10)
    assert learned_text(kdir) == before
    [tmp] = temporaries(kdir)  # the half it wrote went to a temporary file
    assert 0 < (kdir / tmp).stat().st_size < len(before)
    # the loader never reads the leftover, and the next writer clears it away
    assert [e.id for e in load_knowledge(kdir).learned] == [first.id]
    second = file_question(kdir, CERTIFICATE_TOPIC, "lv", CERTIFICATE, "cli")
    assert temporaries(kdir) == []
    assert [e.id for e in load_knowledge(kdir).learned] == [first.id, second.id]


CONCURRENT = textwrap.dedent("""\
    import sys
    from bot.learning import file_question
    file_question(sys.argv[1], "career.cons", "lv", sys.argv[2], "cli")
""")


@pytest.mark.slow  # retrains the matcher, or starts processes
def test_writers_at_the_same_time_lose_nothing(kdir: Path) -> None:
    questions = ["vai darbā ir daudz stresa", "vai bieži jāstrādā virsstundas",
                 "vai klienti mēdz būt rupji", "vai šis darbs ir nogurdinošs"]
    procs = [subprocess.Popen([sys.executable, "-c", CONCURRENT, str(kdir), q], cwd=REPO)
             for q in questions]
    assert [p.wait(120) for p in procs] == [0] * len(questions)
    assert sorted(e.text for e in load_knowledge(kdir).learned) == sorted(questions)


# -- the questions to learn from --------------------------------------------------------------


@pytest.fixture
def storage(tmp_path: Path) -> Storage:
    return Storage(tmp_path / "data" / "bot.sqlite3")


def ask(storage: Storage, text: str, lang: str, outcome: str, ts: float, user: int = 1) -> None:
    """A question stored as the bot stores it (folded by the conversation core)."""
    storage.record_question(user, stored_form(text), lang, outcome, None, 0.1, ts)


def test_unanswered_questions_are_grouped_with_counts_and_guesses(
        storage: Storage, matcher: Matcher) -> None:
    t = 1_700_000_000.0
    ask(storage, "Vai prasa sodāmības izziņu?", "lv", "none", t + 1)
    ask(storage, "vai prasa  sodāmības izziņu", "lv", "none", t + 5, user=2)
    ask(storage, "VAI PRASA SODĀMĪBAS IZZIŅU", "lv", "suggest", t + 3, user=3)
    ask(storage, SHOP, "ru", "none", t + 4)
    ask(storage, "kā tikt galā ar stresu", "lv", "none", t + 2)
    ask(storage, "kā tikt galā ar stresu", "lv", "answer", t + 6)  # answered: not counted
    ask(storage, "Kas ir konta pārvaldnieks?", "lv", "none", t + 7)  # an example by now
    groups = unanswered(storage, matcher)
    assert [(g.text, g.count, g.newest, g.lang, g.outcome) for g in groups] == [
        ("vai prasa sodāmības izziņu", 3, t + 5, "lv", "none"),
        (SHOP, 1, t + 4, "ru", "none"),
        ("kā tikt galā ar stresu", 1, t + 2, "lv", "none"),
    ]
    assert all(1 <= len(g.guesses) <= 3 for g in groups)
    assert CERTIFICATE_TOPIC in groups[0].guesses and "career.cons" in groups[2].guesses
    assert [g.text for g in unanswered(storage, matcher, order="most", limit=2)] == [
        "vai prasa sodāmības izziņu", SHOP]
    # a page at a time
    assert unanswered(storage, matcher, limit=2, offset=1) == groups[1:3]
    assert unanswered(storage, matcher, limit=2, offset=2) == groups[2:]
    assert count_unanswered(storage, matcher) == 3


def test_a_button_finds_its_question_by_a_short_reference(storage: Storage,
                                                         matcher: Matcher) -> None:
    ask(storage, "Vai prasa sodāmības izziņu?", "lv", "none", 1_700_000_000.0)
    ask(storage, SHOP, "ru", "none", 1_700_000_001.0)
    groups = unanswered(storage, matcher)
    refs = [g.ref for g in groups]
    assert len(set(refs)) == 2 and all(len(r.encode()) == 10 for r in refs)
    for g in groups:
        assert unanswered_by_ref(storage, matcher, g.ref) == g
    # another wording of the same question keeps the reference
    ask(storage, CERTIFICATE, "lv", "suggest", 1_700_000_002.0)
    again = unanswered_by_ref(storage, matcher, groups[1].ref)
    assert again is not None and (again.text, again.count) == (CERTIFICATE, 2)
    assert unanswered_by_ref(storage, matcher, "0000000000") is None


@pytest.mark.slow  # retrains the matcher, or starts processes
def test_a_filed_question_leaves_the_list(storage: Storage, kdir: Path) -> None:
    ask(storage, CERTIFICATE, "lv", "none", 1_700_000_000.0)
    state = KnowledgeState(kdir)
    [group] = unanswered(storage, state.current.matcher)
    assert group.answered_now is None
    learn(state, CERTIFICATE_TOPIC, group.lang, group.text, 42)
    assert unanswered(storage, state.current.matcher) == []
    assert unanswered_by_ref(storage, state.current.matcher, group.ref) is None


def test_a_question_is_filed_in_the_language_its_letters_show(storage: Storage,
                                                             matcher: Matcher) -> None:
    """Else in the language the bot answered it in: a user who fixed Russian with /language
    and wrote in Latvian was answered in Russian."""
    ask(storage, "vai prasa sodāmības izziņu", "ru", "none", 1_700_000_000.0)
    ask(storage, "нужны ли водительские права", "lv", "none", 1_700_000_001.0)
    ask(storage, "vai vajag auto", "ru", "none", 1_700_000_002.0)
    assert [(g.lang, g.language) for g in unanswered(storage, matcher)] == [
        ("ru", "ru"), ("lv", "ru"), ("ru", "lv")]


def test_a_pasted_secret_is_hidden_from_admins(storage: Storage, matcher: Matcher) -> None:
    ask(storage, "mans tokens 123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0 cik maksā", "lv",
        "none", 1_700_000_000.0)
    [group] = unanswered(storage, matcher)
    assert "AAHdq" not in group.shown and "<hidden>" in group.shown
    assert "AAHdq" not in evaluation_skeleton([group])


def test_the_evaluation_skeleton_is_refused_until_expect_is_filled(
        storage: Storage, matcher: Matcher, kb: KnowledgeBase, tmp_path: Path) -> None:
    ask(storage, CERTIFICATE, "lv", "none", 1_700_000_000.0)
    ask(storage, SHOP, "ru", "suggest", 1_700_000_001.0)
    path = tmp_path / "cases.yaml"
    path.write_text(evaluation_skeleton(unanswered(storage, matcher)), encoding="utf-8")
    with pytest.raises(CasesInvalid) as exc:
        load_cases(path, kb.topics)
    assert [p.message.split(":")[0] for p in exc.value.problems] == ["expect is not filled in"] * 2
    text = path.read_text(encoding="utf-8")
    # newest first: the shop question (the bot must refuse it), then the licence one
    path.write_text(text.replace('expect: ""', "expect: null", 1)
                    .replace('expect: ""', f"expect: {CERTIFICATE_TOPIC}"), encoding="utf-8")
    cases = load_cases(path, kb.topics)
    assert [(c.q, c.expect, c.lang) for c in cases] == [
        (SHOP, None, "ru"), (CERTIFICATE, (CERTIFICATE_TOPIC,), "lv")]
