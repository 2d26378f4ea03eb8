"""The learning loop from the shell, as an admin runs it: `python -m bot unanswered`,
`learn`, `learned`, `unlearn`, `export-unanswered` (then `eval`), reading DATA_DIR and
KNOWLEDGE_DIR; every mistake is one line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.knowledge.model import LEARNED_FILE
from bot.storage import Storage
from tests.processes import REPO, clean_env

pytestmark = pytest.mark.slow  # each test starts `python -m bot`


CERTIFICATE = "vai prasa veselības grāmatiņu"
SHOP = "как стать директором салона связи"


class Admin:
    """Runs `python -m bot …` with DATA_DIR and KNOWLEDGE_DIR of its own."""

    def __init__(self, root: Path) -> None:
        self.knowledge = root / "knowledge"
        self.data = root / "data"
        self.env = clean_env(DATA_DIR=str(self.data), KNOWLEDGE_DIR=str(self.knowledge))

    def __call__(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bot", *args], cwd=REPO, env=self.env,
                              capture_output=True, text=True, encoding="utf-8", timeout=120,
                              check=False)

    def fails(self, *args: str, code: int = 1) -> str:
        """The one error line of a command that must fail."""
        res = self(*args)
        assert res.returncode == code, (res.stdout, res.stderr)
        assert "Traceback" not in res.stderr
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), res.stderr
        return lines[0]


@pytest.fixture
def admin(tmp_path: Path, kb_dir: Path) -> Admin:
    a = Admin(tmp_path)
    shutil.copytree(kb_dir, a.knowledge)
    storage = Storage(a.data / "bot.sqlite3")
    t = 1_700_000_000.0
    storage.record_question(1, "Vai prasa veselības grāmatiņu?", "lv", "none", None, 0.1, t)
    storage.record_question(2, CERTIFICATE, "lv", "none", None, 0.1, t + 60)
    storage.record_question(3, SHOP, "ru", "answer", "role.manager_meaning", 0.8, t + 30)
    storage.record_question(4, "kā tikt galā ar stresu", "lv", "none", None, 0.1, t + 120)
    return a


def test_the_loop_from_the_shell(admin: Admin) -> None:
    # what /unanswered shows: grouped, counted, newest first, with the bot's guesses
    res = admin("unanswered")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0] == "1×  2023-11-14 22:15 UTC  lv  I don't know  «kā tikt galā ar stresu»"
    assert lines[1].startswith("    guesses: ") and "career.cons (Profesijas trūkumi)" in lines[1]
    assert lines[2] == f"2×  2023-11-14 22:14 UTC  lv  I don't know  «{CERTIFICATE}»"
    assert "candidate.requirements (Darba devēju prasības)" in lines[3]
    assert SHOP not in res.stdout  # it was answered

    res = admin("unanswered", "--json", "--most")
    groups = json.loads(res.stdout)
    assert [(g["text"], g["count"], g["lang"], g["outcome"]) for g in groups] == [
        (CERTIFICATE, 2, "lv", "none"), ("kā tikt galā ar stresu", 1, "lv", "none")]
    assert groups[0]["newest"] == "2023-11-14T22:14:20+00:00"
    assert {"topic": "candidate.requirements", "title": "Darba devēju prasības"} in \
        groups[0]["guesses"]
    assert groups[0]["answered_now"] is None

    before = admin("ask", "--json", CERTIFICATE)
    assert json.loads(before.stdout)["outcome"] == "none"

    res = admin("learn", "candidate.requirements", CERTIFICATE)
    assert res.returncode == 0, res.stderr
    m = re.match(rf"Saved: «{CERTIFICATE}» → candidate.requirements \(Darba devēju prasības\) "
                 rf"\[lv\], id (q[0-9a-f]{{8}}) \((.+):(\d+)\)\n", res.stdout)
    assert m, res.stdout
    entry_id = m[1]
    assert m[2] == str(admin.knowledge / LEARNED_FILE)
    assert res.stdout.splitlines()[1] == "The bot now answers it with that topic."
    assert f"python -m bot unlearn {entry_id}" in res.stdout

    after = json.loads(admin("ask", "--json", CERTIFICATE).stdout)
    assert (after["outcome"], after["topic"]) == ("answer", "candidate.requirements")
    # filed: it leaves the list
    assert CERTIFICATE not in admin("unanswered").stdout

    res = admin("learned")
    assert res.returncode == 0
    assert re.fullmatch(rf"{entry_id}  \S+  by cli  lv  candidate.requirements  «{CERTIFICATE}»\n",
                        res.stdout), res.stdout
    [listed] = json.loads(admin("learned", "--json").stdout)
    assert (listed["id"], listed["topic"], listed["by"]) == (entry_id, "candidate.requirements",
                                                             "cli")

    res = admin("unlearn", entry_id)
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith(f"Removed: «{CERTIFICATE}» → candidate.requirements")
    assert "The bot now says it does not know." in res.stdout  # asked afresh, as before
    assert admin("learned").stdout == "No learned questions.\n"
    assert (admin.knowledge / LEARNED_FILE).read_bytes() == (
        REPO / "knowledge" / LEARNED_FILE).read_bytes()


def test_learn_off_topic_from_the_shell(admin: Admin) -> None:
    assert json.loads(admin("ask", "--json", SHOP).stdout)["outcome"] == "answer"
    res = admin("learn", "--off-topic", SHOP)
    assert res.returncode == 0, res.stderr
    assert "→ off-topic [ru]" in res.stdout and "The bot now refuses it." in res.stdout
    assert json.loads(admin("ask", "--json", SHOP).stdout)["outcome"] == "none"
    res = admin("check")
    assert "Learned questions (learned.yaml): 1 — off-topic 1" in res.stdout


def test_check_counts_learned_questions_and_flags_a_contradiction(admin: Admin) -> None:
    wrong = "cik maksā konta pārvaldniekam mēnesī"  # a pay question filed under the cons
    assert admin("learn", "career.cons", wrong).returncode == 0
    assert admin("learn", "candidate.requirements", CERTIFICATE).returncode == 0
    duties = "kādi ir konta pārvaldnieka pienākumi darbā"  # the job's duties, filed off-topic
    assert admin("learn", "--off-topic", duties).returncode == 0
    res = admin("check", "--json")
    assert res.returncode == 0, res.stdout
    data = json.loads(res.stdout)
    text = (admin.knowledge / LEARNED_FILE).read_text(encoding="utf-8")
    line = next(i for i, s in enumerate(text.splitlines(), 1) if wrong in s) - 3
    # the licence question is filed right: no warning for it
    warning, off = [w for w in data["warnings"] if w["file"] == LEARNED_FILE]
    assert warning["line"] == line
    assert warning["message"].startswith(f"learned question '{wrong}' (career.cons) matches "
                                         "'salary.")
    assert warning["message"].endswith("a contradiction — is it filed under the right topic?")
    assert off["line"] == line + 12
    assert off["message"].startswith(f"learned question '{duties}' is filed as off-topic, but "
                                     "the bot still ")
    assert "'duties." in off["message"] and off["message"].endswith("a contradiction — a "
                                                                     "topic's examples say the same")
    counts = {t["id"]: t["learned"] for t in data["topics"]}
    assert counts["career.cons"] == 1 and counts["candidate.requirements"] == 1
    assert counts["role.definition"] == 0
    assert data["learned"] == {"topics": 2, "off_topic": 1}


def test_export_unanswered_writes_a_skeleton_eval_accepts_once_filled(admin: Admin,
                                                                     tmp_path: Path) -> None:
    target = tmp_path / "from-users.yaml"
    res = admin("export-unanswered", str(target))
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith(f"Wrote 2 questions to {target}.")
    text = target.read_text(encoding="utf-8")
    assert "never also file these" in text
    assert '- q: "kā tikt galā ar stresu"\n  expect: ""\n  lang: lv\n' in text
    assert f'- q: "{CERTIFICATE}"\n  expect: ""\n  lang: lv\n' in text
    assert "# asked 2×, last 2023-11-14 22:14 UTC; guesses: " in text

    res = admin("eval", str(target))
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert [re.sub(r":\d+:", ":N:", line) for line in res.stderr.splitlines()] == [
        f"error: {target}:N: expect is not filled in: write the topic id the bot must answer "
        "with, a list of ids, or null for a question the bot must refuse"] * 2
    # a person fills in expect
    filled = text.replace('expect: ""', "expect: career.cons", 1).replace(
        'expect: ""', "expect: candidate.requirements", 1)
    target.write_text(filled, encoding="utf-8")
    res = admin("eval", str(target))
    assert res.returncode == 0, res.stderr
    assert re.search(r"^accuracy \d+\.\d% \(\d/2\)", res.stdout, re.M)

    # it is never overwritten by accident
    assert admin.fails("export-unanswered", str(target), code=2) == (
        f"error: {target} exists; nothing was written (--force replaces it)")
    assert target.read_text(encoding="utf-8") == filled
    assert admin("export-unanswered", "--force", str(target)).returncode == 0


@pytest.mark.parametrize(("args", "code", "message"), [
    (["learn", "candidate.requirments", CERTIFICATE], 1,
     "error: there is no topic 'candidate.requirments' — did you mean 'candidate.requirements'?"),
    (["learn", "role.definition", "Kas ir konta pārvaldnieks?"], 1,
     "error: 'Kas ir konta pārvaldnieks?' is already the title of topic 'role.definition'"),
    (["learn", "career.cons", "zzz qqq"], 1, "error: the language of 'zzz qqq' is not clear"),
    (["learn", "career.cons"], 2, "error: learn takes a topic id and one question in quotes"),
    (["learn", "--off-topic", "a", "b"], 2, "error: learn --off-topic takes one question"),
    (["unlearn", "qdeadbeef"], 1, "error: no learned question has the id 'qdeadbeef'"),
])
def test_mistakes_are_one_line(admin: Admin, args: list[str], code: int, message: str) -> None:
    before = (admin.knowledge / LEARNED_FILE).read_bytes()
    assert admin.fails(*args, code=code).startswith(message)
    assert (admin.knowledge / LEARNED_FILE).read_bytes() == before


def test_no_database_is_one_line_and_none_is_created(admin: Admin, tmp_path: Path) -> None:
    admin.env["DATA_DIR"] = str(tmp_path / "elsewhere")
    for command in (["unanswered"], ["export-unanswered", str(tmp_path / "x.yaml")]):
        err = admin.fails(*command)
        assert err == (f"error: no questions are stored: {tmp_path / 'elsewhere' / 'bot.sqlite3'} "
                       "does not exist (set DATA_DIR to the bot's data directory)")
    assert not (tmp_path / "elsewhere").exists() and not (tmp_path / "x.yaml").exists()


def test_a_broken_learned_file_is_one_line(admin: Admin) -> None:
    (admin.knowledge / LEARNED_FILE).write_text("learned:\n  - id: a1\n    topic: [x\n",
                                                encoding="utf-8")
    assert admin.fails("learned") == ("error: the knowledge base has problems: learned.yaml:4: "
                                      "a [list] is not closed with ']' (or an item with ':' "
                                      "needs quotes)")
    err = admin.fails("learn", "candidate.requirements", CERTIFICATE)
    assert err.startswith("error: the knowledge base has problems: learned.yaml:4:")
    assert err.endswith("; nothing was filed")
