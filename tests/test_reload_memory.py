"""Reloading the knowledge base leaks nothing: what a load parses is freed when its result
is dropped, for a valid knowledge base and for a broken one (admins edit for months).

Counted in Python's allocated memory blocks (cheap, unlike tracemalloc); a module-level
YAML constructor used to keep every parsed value, ~42,000 blocks (3 MB) per load.
`benchmarks/reload_memory.py` measures the process's RSS over 100 full reloads of each kind.
"""

from __future__ import annotations

import gc
import shutil
import sys
from pathlib import Path

import pytest

from bot.knowledge.loader import knowledge_files
from bot.knowledge.yamlsource import read_yaml

pytestmark = pytest.mark.slow  # reloads the knowledge base many times

ROOT = Path(__file__).resolve().parents[1]
LOADS = 4
MAX_BLOCKS_PER_LOAD = 500


def _parse_all(directory: Path) -> None:
    """What a reload parses: every file (schema checks and the matcher are covered by the
    benchmark's RSS figures)."""
    for path in knowledge_files(directory):
        read_yaml(path, path.name)


@pytest.mark.parametrize("kind", ["valid", "broken"])
def test_a_reload_frees_what_it_parsed(kind: str, tmp_path: Path) -> None:
    directory = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", directory)
    if kind == "broken":  # every file parses, the last one fails
        (directory / "zz_notes.yaml").write_text("notes:\n  - [unclosed\n", encoding="utf-8")
        assert read_yaml(directory / "zz_notes.yaml", "zz_notes.yaml")[0] is None
    _parse_all(directory)  # caches that fill once are not a leak
    gc.collect()
    before = sys.getallocatedblocks()
    for _ in range(LOADS):
        _parse_all(directory)
    gc.collect()
    growth = (sys.getallocatedblocks() - before) / LOADS
    assert growth < MAX_BLOCKS_PER_LOAD, f"{growth:.0f} memory blocks kept per {kind} load"
