"""What the Dockerfile promises that can be checked without a Docker engine."""

from __future__ import annotations

import importlib
import re
import shlex
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


def instructions(name: str) -> list[str]:
    """Arguments of every instruction of a kind, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    return [line.split(None, 1)[1] for line in joined.splitlines()
            if line.strip().upper().startswith(name + " ")]


def test_base_image_is_slim_python() -> None:
    (base,) = instructions("FROM")
    assert re.fullmatch(r"python:3\.1[1-9]-slim(-\w+)?", base.strip())


def test_every_copied_path_exists_in_the_repository() -> None:
    for args in instructions("COPY"):
        *sources, _dest = shlex.split(args)
        for src in sources:
            assert (ROOT / src).exists(), f"COPY {src}: not in the repository"


def test_dependencies_are_installed_before_the_code_is_copied() -> None:
    first_code_copy = DOCKERFILE.index("COPY bot ")
    dep_install = DOCKERFILE.index("pip install .")
    assert dep_install < first_code_copy, "dependencies must be their own cached layer"
    assert DOCKERFILE.index("COPY pyproject.toml") < dep_install


def test_catalogs_are_compiled_at_build() -> None:
    assert any("pybabel compile -d locales" in r for r in instructions("RUN"))
    assert (ROOT / "locales" / "lv" / "LC_MESSAGES" / "messages.po").is_file()
    assert (ROOT / "locales" / "ru" / "LC_MESSAGES" / "messages.po").is_file()


def test_runs_as_a_non_root_user() -> None:
    users = instructions("USER")
    assert users, "no USER instruction: the bot would run as root"
    assert users[-1].strip() not in ("root", "0")
    assert any("useradd" in r and users[-1].strip() in r for r in instructions("RUN"))


def test_knowledge_and_data_are_volumes_matching_the_settings() -> None:
    (volumes,) = instructions("VOLUME")
    assert "/app/data" in volumes and "/app/knowledge" in volumes
    env = " ".join(instructions("ENV"))
    assert "DATA_DIR=/app/data" in env and "KNOWLEDGE_DIR=/app/knowledge" in env


def test_command_and_healthcheck_name_real_entry_points() -> None:
    (cmd,) = instructions("CMD")
    assert cmd.strip() == '["python", "-m", "bot"]'
    assert (ROOT / "bot" / "__main__.py").is_file()
    (health,) = instructions("HEALTHCHECK")
    module = re.search(r'"-m", "([\w.]+)"', health)
    assert module, health
    mod = importlib.import_module(module.group(1))
    assert callable(mod.main)


def test_healthcheck_fails_without_a_fresh_heartbeat(tmp_path: Path, monkeypatch) -> None:
    from bot import healthcheck

    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    assert healthcheck.main(["healthcheck"]) == 1  # no heartbeat yet
    beat = tmp_path / "heartbeat"
    beat.write_text("now")
    assert healthcheck.main(["healthcheck"]) == 0
    import os
    import time

    old = time.time() - 600
    os.utime(beat, (old, old))
    assert healthcheck.main(["healthcheck"]) == 1  # a stalled bot is unhealthy


def test_pyproject_declares_the_console_script_and_python() -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert meta["project"]["scripts"]["account-manager-bot"] == "bot.cli:main"
    assert meta["project"]["requires-python"] == ">=3.11"
