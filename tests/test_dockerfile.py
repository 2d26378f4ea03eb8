"""What the Dockerfile promises that can be checked without a Docker engine.

The image's install steps themselves (constraints.txt as the dependency layer, then the
wheel with --no-index) are run for real in a virtual environment by test_packaging.py.
"""

from __future__ import annotations

import fnmatch
import importlib
import re
import shlex
import tomllib
from importlib import metadata
from pathlib import Path
from typing import cast

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from bot.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")


def instructions(name: str, text: str = DOCKERFILE) -> list[str]:
    """Arguments of every instruction of a kind, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", text)
    return [line.split(None, 1)[1] for line in joined.splitlines()
            if line.strip().upper().startswith(name + " ")]


def final_stage() -> str:
    """The Dockerfile from its last FROM on: what the image is made of."""
    return DOCKERFILE[DOCKERFILE.rindex("\nFROM "):]


def constraints() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: {line!r} is not an exact pin"
            pins[canonicalize_name(name)] = version
    return pins


def test_base_images_are_one_slim_python() -> None:
    bases = {b.split()[0] for b in instructions("FROM")}
    assert len(bases) == 1
    assert re.fullmatch(r"python:3\.1[1-9]-slim(-\w+)?", bases.pop())


def test_every_copied_path_exists_in_the_repository() -> None:
    for args in instructions("COPY"):
        if args.startswith("--from="):
            continue
        *sources, _dest = shlex.split(args)
        for src in sources:
            assert (ROOT / src).exists(), f"COPY {src}: not in the repository"


def test_the_dependency_layer_depends_on_the_pins_only() -> None:
    stage = final_stage()
    copies = instructions("COPY", stage)
    runs = instructions("RUN", stage)
    dep_run = next(i for i, r in enumerate(runs) if "constraints.txt" in r)
    assert "pip install --requirement /tmp/constraints.txt" in runs[dep_run]
    first_copy, *later = copies
    assert first_copy.split()[0] == "constraints.txt", "only the pins before the dependency layer"
    assert stage.index(runs[dep_run]) < stage.index("COPY " + later[0])
    assert "README" not in " ".join(instructions("COPY", stage)), "a README edit would rebuild"


def test_the_bot_is_installed_from_a_wheel_without_leftovers_in_app() -> None:
    stage = final_stage()
    wheel_stage = DOCKERFILE[: DOCKERFILE.rindex("\nFROM ")]
    assert "pip wheel" in wheel_stage and "WORKDIR /app" not in wheel_stage
    runs = instructions("RUN", stage)
    assert any("pip install --no-index /tmp/dist/*.whl" in r and "rm -rf /tmp/dist" in r
               for r in runs), "the wheel, with every dependency already installed"
    assert not any(re.search(r"pip install[^&]* \.(\s|$)", r) for r in runs), \
        "pip install . in /app leaves build/ and an egg-info there"
    copied = [[w for w in shlex.split(c) if not w.startswith("--")][0]
              for c in instructions("COPY", stage)]
    assert set(copied) <= {"constraints.txt", "/dist", "knowledge"}, copied


def test_knowledge_is_read_only_for_the_bot_user() -> None:
    stage = final_stage()
    (knowledge,) = [c for c in instructions("COPY", stage) if c.split()[-1].endswith("knowledge")]
    assert "--chown" not in knowledge and "--chmod" not in knowledge  # root's, mode 644/755
    for run in instructions("RUN", stage):
        for word in ("chown", "chmod"):
            for match in re.finditer(word + r"\s+(?:-\S+\s+)*\S+\s+([^&]*)", run):
                assert "knowledge" not in match.group(1), run
    env = " ".join(instructions("ENV"))
    assert "KNOWLEDGE_DIR=/app/knowledge" in env


def test_one_named_data_volume() -> None:
    assert not instructions("VOLUME"), "a VOLUME makes an anonymous volume on every run"
    assert "DATA_DIR=/app/data" in " ".join(instructions("ENV"))
    run = re.search(r"docker run .*?am-bot\n", re.sub(r"\\\n\s*", " ", README))
    assert run, "README shows no docker run"
    mounts = re.findall(r"-v (\S+)", run.group(0))
    named = [m for m in mounts if not m.startswith(('"', "/", "$"))]
    assert named == ["am-data:/app/data"], mounts
    assert all(m.endswith(':ro"') or m.endswith(":ro") for m in mounts if m not in named)


def test_runs_as_a_non_root_user() -> None:
    users = instructions("USER")
    assert users, "no USER instruction: the bot would run as root"
    assert users[-1].strip() not in ("root", "0")
    assert any("useradd" in r and users[-1].strip() in r for r in instructions("RUN"))
    assert any("chown botuser /app/data" in r for r in instructions("RUN"))


def test_command_is_serve_and_healthcheck_names_a_real_entry_point() -> None:
    (cmd,) = instructions("CMD")
    assert cmd.strip() == '["python", "-m", "bot", "serve"]'
    assert build_parser().parse_args(["serve"]).command == "serve"
    (health,) = instructions("HEALTHCHECK")
    module = re.search(r'"-m", "([\w.]+)"', health)
    assert module, health
    mod = importlib.import_module(module.group(1))
    assert callable(mod.main)


def test_constraints_pin_exactly_the_runtime_dependencies() -> None:
    """Every package `pip install .` brings in (the closure of [project].dependencies, with
    extras and markers, as installed here) is pinned, within pyproject's ranges, and
    nothing else is."""
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    pins = constraints()
    env = default_environment()
    closure: set[str] = set()
    todo = [(Requirement(r), "") for r in meta["project"]["dependencies"]]
    while todo:
        req, extra = todo.pop()
        if req.marker and not req.marker.evaluate({**cast(dict[str, str], env), "extra": extra}):
            continue
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is not pinned in constraints.txt"
        assert req.specifier.contains(pins[name], prereleases=True), \
            f"constraints.txt pins {name}=={pins[name]}, outside {req}"
        for wanted in {""} | req.extras:
            key = f"{name}[{wanted}]"
            if key in closure:
                continue
            closure.add(key)
            for sub in metadata.requires(req.name) or []:
                todo.append((Requirement(sub), wanted))
    names = {key.split("[")[0] for key in closure}
    assert set(pins) == names, f"pinned but not needed: {set(pins) - names}"


def test_dockerignore_keeps_secrets_and_leftovers_out() -> None:
    patterns = [p.strip() for p in (ROOT / ".dockerignore").read_text().splitlines()
                if p.strip() and not p.startswith("#")]

    def ignored(path: str) -> bool:
        result = False
        for p in patterns:
            negate = p.startswith("!")
            if fnmatch.fnmatch(path, p.lstrip("!")) or fnmatch.fnmatch(path, "**/" + p.lstrip("!")):
                result = not negate
        return result

    for path in (".env", ".env.production", ".venv", ".git", "data", "build", "dist",
                 "account_manager_bot.egg-info", "bot/__pycache__"):
        assert ignored(path), f"{path} would be sent to the Docker daemon"
    for args in instructions("COPY"):
        if not args.startswith("--from="):
            for src in shlex.split(args)[:-1]:
                assert not ignored(src), f".dockerignore drops {src}, which the Dockerfile copies"


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
