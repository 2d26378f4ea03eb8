"""The gettext catalogs compile, are complete, and the README's pybabel commands leave them
exactly as committed (a stable wrap width: an update with no string change changes nothing).

These run in `.ci/run` with the rest of the suite, so CI fails on a catalog that would be
skipped by `pybabel compile`, an untranslated or fuzzy entry, or a stale template.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from bot.i18n import LOCALES

REPO = Path(__file__).resolve().parents[1]
PYBABEL = Path(sys.executable).with_name("pybabel")


def readme_commands() -> list[list[str]]:
    """The pybabel commands of README's "Translations" block, continuation lines joined."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Translations", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "README's Translations section has no sh block"
    text = re.sub(r"\\\n\s*", " ", block.group(1))
    return [shlex.split(line) for line in text.splitlines() if line.startswith("pybabel ")]


def catalog(lang: str) -> Catalog:
    with (REPO / "locales" / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=lang)


def test_readme_documents_pinned_wrapping() -> None:
    commands = readme_commands()
    assert [c[1] for c in commands] == ["extract", "update"]
    for command in commands:
        assert "--no-wrap" in command, f"{command[1]} rewraps at its own width without --no-wrap"
    assert "--ignore-pot-creation-date" in commands[1]


def test_extract_and_update_change_nothing(tmp_path: Path) -> None:
    for name in ("bot", "locales"):
        shutil.copytree(REPO / name, tmp_path / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    shutil.copy(REPO / "babel.cfg", tmp_path)
    for command in readme_commands():
        subprocess.run([str(PYBABEL), *command[1:]], cwd=tmp_path, check=True,
                       capture_output=True, timeout=60)
    for path in sorted((REPO / "locales").rglob("*.po*")):
        rel = path.relative_to(REPO)
        after = (tmp_path / rel).read_text(encoding="utf-8")
        assert after == path.read_text(encoding="utf-8"), (
            f"{rel} changes when the README's extract+update run: commit their result")


@pytest.mark.parametrize("lang", LOCALES)
def test_catalog_is_complete_and_not_fuzzy(lang: str) -> None:
    cat = catalog(lang)
    assert not cat.fuzzy, f"{lang}: the header is marked fuzzy (pybabel compile skips it)"
    assert cat.num_plurals == 3
    fuzzy = [m.id for m in cat if m.id and m.fuzzy]
    assert not fuzzy, f"{lang}: fuzzy entries {fuzzy}"
    untranslated = [m.id for m in cat if m.id and (
        not all(m.string) if isinstance(m.string, tuple) else not m.string)]
    assert not untranslated, f"{lang}: untranslated {untranslated}"
    assert not cat.obsolete, f"{lang}: obsolete entries {list(cat.obsolete)}"
    problems = [(m.id, [str(e) for e in errors]) for m, errors in cat.check()]
    assert not problems, f"{lang}: {problems}"


def test_pybabel_compile_writes_every_catalog(tmp_path: Path) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(REPO / "locales", locales, ignore=shutil.ignore_patterns("*.mo"))
    res = subprocess.run([str(PYBABEL), "compile", "-d", str(locales), "--statistics"],
                         capture_output=True, text=True, timeout=60, check=False)
    assert res.returncode == 0, res.stderr
    assert "skipping" not in res.stdout + res.stderr, res.stdout + res.stderr
    for lang in LOCALES:
        assert (locales / lang / "LC_MESSAGES" / "messages.mo").stat().st_size > 0
