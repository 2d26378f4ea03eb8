"""The installed package works from any directory, as a user who runs `pip install` gets it.

The sdist and the wheel are built as a release would build them (PyPA `build`: the sdist
first, then the wheel from the unpacked sdist), the wheel is installed into a fresh virtual
environment the way the Dockerfile installs it (constraints.txt, then the wheel with
--no-index), and the console script runs from an empty temporary directory with no setting
in the environment.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tarfile
import venv
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.i18n import gettext_for
from bot.knowledge.model import KnowledgeBase
from bot.replies import unknown_reply
from tests.processes import REPO, clean_env

pytestmark = pytest.mark.slow  # builds the sdist and the wheel and installs them in a fresh venv

NOT_SOURCE = shutil.ignore_patterns(".venv", ".git", "build", "dist", "*.egg-info", "__pycache__",
                                    ".*_cache", ".hypothesis", "data", "*.mo")
LV_BANK = "Kas ietilpst bankas klientu menedžera ikdienas darbā?"
RU_CV = "Как правильно составить резюме аккаунт-менеджеру?"
LV_UNKNOWN = "zzqx vvkp ģņļ"  # letters only: "I don't know", whatever the matcher does
RU_UNKNOWN = "ыщзх ъжэ"


@dataclass(frozen=True)
class Installed:
    wheel: Path
    sdist: Path
    venv: Path
    cwd: Path  # an empty directory: nothing of the repository is reachable from it

    def run(self, *args: str, env: dict[str, str] | None = None,
            script: str = "account-manager-bot") -> subprocess.CompletedProcess[str]:
        clean = {k: v for k, v in clean_env().items()
                 if k not in ("PYTHONPATH", "PYTHONHOME")}
        return subprocess.run([str(self.venv / "bin" / script), *args], cwd=self.cwd,
                              env={**clean, **(env or {})}, capture_output=True, text=True,
                              encoding="utf-8", timeout=120, check=False)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("packaging")
    src, dist = root / "src", root / "dist"
    shutil.copytree(REPO, src, ignore=NOT_SOURCE)
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(dist), str(src)],
                   check=True, capture_output=True, timeout=600)
    (wheel,) = dist.glob("*.whl")
    (sdist,) = dist.glob("*.tar.gz")
    env_dir = root / "venv"
    venv.create(env_dir, with_pip=True)
    pip = str(env_dir / "bin" / "pip")
    # The Dockerfile's two steps: the pinned dependencies, then the wheel with --no-index
    # (fails if constraints.txt misses a dependency or pins one the wheel does not accept).
    subprocess.run([pip, "install", "--quiet", "--requirement", str(REPO / "constraints.txt")],
                   check=True, capture_output=True, timeout=600)
    subprocess.run([pip, "install", "--quiet", "--no-index", str(wheel)],
                   check=True, capture_output=True, timeout=600)
    cwd = root / "elsewhere"
    cwd.mkdir()
    return Installed(wheel, sdist, env_dir, cwd)


def shipped_files() -> list[str]:
    """What the package must carry, as paths inside the repository."""
    files = [p.relative_to(REPO).as_posix() for p in (REPO / "bot").rglob("*.py")]
    files += [p.relative_to(REPO).as_posix() for p in (REPO / "knowledge").iterdir()
              if p.suffix in (".yaml", ".json")]
    files += [p.relative_to(REPO).as_posix() for p in (REPO / "locales").rglob("*.po")]
    return files


def in_wheel(repo_path: str) -> str:
    """Where a repository file lies in the wheel (see [tool.setuptools] in pyproject.toml)."""
    if repo_path.startswith(("knowledge/", "locales/")):
        return "bot/_shipped/" + repo_path
    return repo_path


def test_the_wheel_carries_code_knowledge_schema_and_catalogs(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    missing = [f for f in shipped_files() if in_wheel(f) not in names]
    assert not missing, f"not in the wheel: {missing}"
    assert "bot/_shipped/knowledge/schema.json" in names
    assert {"bot/_shipped/locales/lv/LC_MESSAGES/messages.po",
            "bot/_shipped/locales/ru/LC_MESSAGES/messages.po"} <= names


def test_the_sdist_carries_the_same_files(installed: Installed) -> None:
    with tarfile.open(installed.sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    missing = [f for f in shipped_files() + ["README.md", "pyproject.toml"] if f not in names]
    assert not missing, f"not in the sdist: {missing}"


def test_the_console_script_answers_from_any_directory(installed: Installed,
                                                       kb: KnowledgeBase) -> None:
    where = installed.run("-c", "import bot; print(bot.__file__)", script="python")
    assert where.stdout.startswith(str(installed.venv)), where.stdout  # not the repository's

    res = installed.run("ask", "--json", LV_BANK, RU_CV)
    assert res.returncode == 0, res.stderr
    lv, ru = (json.loads(line) for line in res.stdout.splitlines())
    assert (lv["lang"], lv["topic"]) == ("lv", "duties.bank")
    assert (ru["lang"], ru["topic"]) == ("ru", "candidate.cv")
    assert kb.topics["duties.bank"].title.lv in lv["answer"]
    assert kb.topics["candidate.cv"].title.ru in ru["answer"]


def test_the_interface_speaks_latvian_and_russian_when_installed(installed: Installed) -> None:
    res = installed.run("ask", LV_UNKNOWN, RU_UNKNOWN)
    assert res.returncode == 0, res.stderr
    all_topics = "📚 All topics"
    for lang in ("lv", "ru"):
        said = unknown_reply(lang).text
        assert "Sorry" not in said  # the catalog translates it (checked in the repository)
        assert said in res.stdout, f"no {lang} interface string in:\n{res.stdout}"
        assert gettext_for(lang, all_topics) in res.stdout
    assert "Sorry" not in res.stdout and all_topics not in res.stdout


def test_check_validates_the_shipped_knowledge_from_any_directory(installed: Installed) -> None:
    res = installed.run("check")
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout.splitlines()[-1].startswith("OK: 0 errors")


def test_knowledge_dir_replaces_the_shipped_knowledge_whole(installed: Installed) -> None:
    own = installed.cwd / "own-knowledge"
    shutil.copytree(REPO / "knowledge", own)
    (own / "schema.json").unlink()  # the schema is the code's contract: always the shipped one
    duties = own / "duties.yaml"
    text = duties.read_text(encoding="utf-8")
    old = "  - id: duties.bank\n    title:\n      lv: "
    assert text.count(old) == 1
    duties.write_text(text.replace(old, old + "Mūsu versija — "), encoding="utf-8")

    res = installed.run("ask", "--json", LV_BANK, env={"KNOWLEDGE_DIR": str(own)})
    assert res.returncode == 0, res.stderr
    assert "Mūsu versija — " in json.loads(res.stdout)["answer"]

    # a directory without the contract's topics is refused, not topped up from the package
    (own / "role.yaml").unlink()
    res = installed.run("ask", LV_BANK, env={"KNOWLEDGE_DIR": str(own)})
    assert res.returncode == 2
    assert "topic 'role.definition' is required" in res.stderr


def test_the_installed_knowledge_is_never_learned_into(installed: Installed) -> None:
    shipped = installed.run("-c", "from bot.resources import knowledge_dir; "
                            "print(knowledge_dir() / 'learned.yaml')", script="python")
    learned = Path(shipped.stdout.strip())
    assert learned.is_file() and str(learned).startswith(str(installed.venv))
    before = learned.read_bytes()
    res = installed.run("learn", "candidate.requirements", "vai prasa sodāmības izziņu")
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert res.stderr == ("error: the knowledge base is the copy inside the installed package, "
                          "which the bot does not change: set KNOWLEDGE_DIR to a directory of "
                          "your own (a copy of it) to file questions\n")
    assert learned.read_bytes() == before
