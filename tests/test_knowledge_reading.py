"""What the knowledge loader reads and what its problems quote.

Only regular files inside the knowledge directory are read: a link to a file elsewhere
(/etc/passwd, a .env with the bot token), a FIFO or a device is refused by name before a
byte of it is read. Links that stay inside the directory (how Kubernetes mounts a
ConfigMap) work. A problem quotes at most a short excerpt of a file, with anything that
looks like a secret hidden, so a wrong file saved into knowledge/ never reaches the
admins' chat. Tags that would build Python objects are refused, not ignored.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import threading
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from bot.knowledge.errors import KnowledgeInvalid, Problem
from bot.knowledge.loader import load_knowledge
from bot.knowledge.schema import inline_refs
from bot.knowledge.yamlsource import YamlDocument, parse_text
from bot.resources import schema_path
from bot.state import KnowledgeState
from tests.bot_api import TOKEN
from tests.conftest import KNOWLEDGE

ROOT = Path(__file__).resolve().parents[1]
PASSWD = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
DOTENV = (f"TELEGRAM_BOT_TOKEN={TOKEN}\nWEBHOOK_SECRET=Zx81-very-secret-value\n"
          "ADMIN_IDS=123\nDB_PASSWORD=hunter2hunter2\n")
SECRETS = (TOKEN, TOKEN.split(":")[1], "Zx81-very-secret-value", "hunter2hunter2")


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", target)
    return target


def rejected(directory: Path) -> list[Problem]:
    with pytest.raises(KnowledgeInvalid) as err:
        load_knowledge(directory)
    return err.value.problems


def assert_nothing_quoted(problems: list[Problem], *fragments: str) -> None:
    """No fragment, nor any 10 characters of one in a row, appears in the problems."""
    text = "\n".join(str(p) for p in problems)
    for fragment in fragments:
        for i in range(max(1, len(fragment) - 9)):
            assert fragment[i:i + 10] not in text, (fragment, text)


@pytest.mark.parametrize("outside", ["passwd", ".env"])
def test_a_link_to_a_file_outside_is_refused_unread(kb: Path, tmp_path: Path,
                                                     outside: str) -> None:
    target = tmp_path / "elsewhere" / outside
    target.parent.mkdir()
    target.write_text(PASSWD if outside == "passwd" else DOTENV, encoding="utf-8")
    (kb / "duties.yaml").unlink()
    (kb / "duties.yaml").symlink_to(target)
    problems = rejected(kb)
    mine = [p for p in problems if p.file == "duties.yaml"]
    assert [p.message for p in mine] == [
        "the file is a link to a file outside the knowledge directory; copy the file into "
        "the directory instead"]
    assert_nothing_quoted(problems, "root:x", "daemon", *SECRETS)


def test_a_link_to_a_directory_outside_is_refused(kb: Path, tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "passwd.yaml").write_text(PASSWD, encoding="utf-8")
    (kb / "sub").symlink_to(tmp_path / "etc")
    (kb / "extra.yaml").symlink_to(kb / "sub" / "passwd.yaml")
    problems = rejected(kb)
    assert [p.file for p in problems] == ["extra.yaml"]
    assert "outside the knowledge directory" in problems[0].message


def test_links_inside_the_directory_are_read(kb: Path) -> None:
    """A Kubernetes ConfigMap volume: every file is a link into a hidden data folder."""
    data = kb / "..2024_01_01"
    data.mkdir()
    for path in sorted(kb.glob("*.yaml")):
        shutil.move(path, data / path.name)
        path.symlink_to(Path(data.name) / path.name)
    loaded = load_knowledge(kb)
    assert "duties.bank" in loaded.topics


def test_a_fifo_is_refused_without_waiting_for_a_writer(kb: Path) -> None:
    fifo = kb / "pipe.yaml"
    os.mkfifo(fifo)
    result: list[list[Problem]] = []
    reader = threading.Thread(target=lambda: result.append(rejected(kb)), daemon=True)
    reader.start()
    reader.join(5)
    if reader.is_alive():  # unblock the stuck open so the test process can end
        with open(fifo, "wb"):
            pass
        pytest.fail("the loader blocked on a FIFO")
    assert [(p.file, p.message.split(";")[0]) for p in result[0]] == [
        ("pipe.yaml", "not a regular file (a device, a pipe, a socket or a link?)")]


def test_a_device_is_refused(kb: Path) -> None:
    try:
        os.mknod(kb / "zero.yaml", 0o600 | 0o020000, os.makedev(1, 5))  # like /dev/zero
    except PermissionError:
        pytest.skip("creating a device node needs CAP_MKNOD")
    problems = rejected(kb)
    assert [p.file for p in problems] == ["zero.yaml"]
    assert problems[0].message.startswith("not a regular file")


@pytest.mark.parametrize("content", [
    PASSWD, DOTENV, "Piezīmes komandai. " * 300,
    "Piezīmes komandai " + "x" * 10 + " " + TOKEN,  # the 60-character cut falls in the token
], ids=["passwd", "dotenv", "5-KB-prose", "token-at-the-cut"])
def test_a_wrong_file_saved_into_knowledge_is_quoted_briefly_without_secrets(
        kb: Path, content: str) -> None:
    (kb / "notes.yaml").write_text(content, encoding="utf-8")
    problems = rejected(kb)
    mine = [p for p in problems if p.file == "notes.yaml"]
    assert mine
    for p in problems:
        assert len(p.message) <= 300, p
    assert_nothing_quoted(problems, *SECRETS)
    text = "\n".join(str(p) for p in problems)
    flat = " ".join(content.split())
    assert not any(flat[i:i + 61] in text for i in range(len(flat) - 60))  # ≤ 60 quoted
    assert sum(len(str(p)) for p in mine) < 400


def test_python_object_tags_are_refused_and_never_run(kb: Path, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    (kb / "tricks.yaml").write_text(
        "notes:\n"
        f"  - !!python/object/apply:os.system [\"touch {marker}\"]\n", encoding="utf-8")
    state = KnowledgeState(ROOT / "knowledge")
    served = state.current
    state.directory = kb
    problems = state.reload()
    assert [(p.file, p.line) for p in problems] == [("tricks.yaml", 2)]
    assert "tag" in problems[0].message and "not allowed" in problems[0].message
    assert not marker.exists()
    assert state.current is served


@pytest.mark.parametrize("tagged", [
    "!!python/name:os.system x",
    "!!python/object:collections.OrderedDict {}",
    "!!binary aGVsbG8=",
    "!custom x",
])
def test_every_non_plain_tag_is_refused(kb: Path, tagged: str) -> None:
    (kb / "tricks.yaml").write_text(f"notes:\n  - {tagged}\n", encoding="utf-8")
    problems = rejected(kb)
    assert [(p.file, p.line) for p in problems] == [("tricks.yaml", 2)]
    assert "not allowed" in problems[0].message


def _pure_python(text: str, name: str) -> YamlDocument | None:
    from bot.knowledge.yamlsource import _NoAliasLoader, _parse

    loader = _NoAliasLoader(text)
    try:
        return _parse(loader, name)[0]
    finally:
        loader.dispose()


def test_shipped_files_read_the_same_fast_as_by_pure_python() -> None:
    """libyaml reads the knowledge at load (a tenth of the time): every value, line and
    text style an admin's problem quotes must be what PyYAML's own reader gives."""
    for path in sorted((ROOT / "knowledge").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        fast, problems = parse_text(text, path.name)
        slow = _pure_python(text, path.name)
        assert fast is not None and slow is not None and not problems, path.name
        assert fast.data == slow.data, path.name
        assert fast._lines == slow._lines, path.name


@pytest.mark.parametrize(("text", "line", "says"), [
    ("a: 1\nb: text: with a colon\n", 2, "a ': ' (colon and space) inside a text"),
    ("a:\n  - one\n\t- two\n", 3, "a tab character"),
    ('a: 1\nb: "never closed\nc: 2\n', 2, "a quote opened here is never closed"),
    ("a: &x 1\nb: *x\n", 2, "aliases (*name) are not allowed"),
    ("a:\n  - one\n - two\n", 3, "not indented like"),
])
def test_a_syntax_error_is_worded_for_admins(text: str, line: int, says: str) -> None:
    """libyaml words its problems its own way: a broken file is read again by PyYAML, whose
    problems the admin's messages are written for."""
    doc, problems = parse_text(text, "role.yaml")
    assert doc is None
    assert [(p.line, says in p.message) for p in problems] == [(line, True)], problems


def _errors(validator: Draft202012Validator, data: object) -> list[tuple[object, ...]]:
    return sorted((tuple(e.absolute_path), e.validator, e.message, len(e.context or ()))
                  for e in validator.iter_errors(data))


def test_the_schema_with_its_references_inlined_judges_as_the_schema_does() -> None:
    """Validation runs on the schema with its `$defs` written in place (no reference to
    resolve for each of thousands of texts): every shipped file and every kind of broken
    one gets the same errors, word for word, as from the schema as written."""
    raw = json.loads(schema_path().read_text(encoding="utf-8"))
    inlined = inline_refs(raw)
    assert "$ref" not in json.dumps({k: v for k, v in inlined.items() if k != "$defs"})
    as_written, fast = Draft202012Validator(raw), Draft202012Validator(inlined)
    topic = yaml.safe_load((KNOWLEDGE / "role.yaml").read_text(encoding="utf-8"))
    broken: list[object] = []
    for change in (
        lambda t: t.pop("answer"),                              # a required key missing
        lambda t: t["questions"]["lv"].append(""),              # an empty text
        lambda t: t["questions"]["ru"].append(42),              # a number, not text
        lambda t: t["title"].pop("ru"),                         # a language missing
        lambda t: t.update(titel={"lv": "x", "ru": "y"}),       # a misspelt key
        lambda t: t["questions"].update(lv=[]),                 # an empty list
        lambda t: t.update(id="Not An Id"),                     # an id of the wrong form
        lambda t: t["title"].update(lv={"a": "b"}),             # "a: b" read as a mapping
    ):
        doc = copy.deepcopy(topic)
        change(doc["topics"][0])
        broken.append(doc)
    broken += [{}, [], "text", {"topics": []}, {"out_of_domain": {"lv": [None]}}]
    for path in sorted(KNOWLEDGE.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert _errors(fast, data) == _errors(as_written, data) == [], path.name
    for data in broken:
        assert _errors(fast, data) == _errors(as_written, data)
    assert all(_errors(as_written, data) for data in broken)  # each one is broken


def test_a_definition_that_refers_to_itself_keeps_its_reference() -> None:
    schema = {"$defs": {"tree": {"type": "object",
                                 "properties": {"kids": {"type": "array",
                                                         "items": {"$ref": "#/$defs/tree"}}}}},
              "$ref": "#/$defs/tree"}
    v = Draft202012Validator(inline_refs(schema))
    assert v.is_valid({"kids": [{"kids": []}]}) and not v.is_valid({"kids": [1]})
