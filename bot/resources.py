"""Where the files shipped with the bot are: the default knowledge base, its schema, the
gettext catalogs.

In the repository they are the top-level folders knowledge/ and locales/. A wheel or sdist
install carries copies inside the package (pyproject.toml maps the folders to
bot/_shipped/knowledge and bot/_shipped/locales), so the installed bot works from any
directory. Nothing here depends on the working directory.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _shipped(name: str) -> Path:
    """The installed copy if there is one, else the folder beside the package (a source
    checkout, an editable install, `python -m bot` run in a clone)."""
    installed = _PACKAGE / "_shipped" / name
    return installed if installed.is_dir() else _PACKAGE.parent / name


def knowledge_dir() -> Path:
    """The default knowledge base (KNOWLEDGE_DIR replaces it whole)."""
    return _shipped("knowledge")


def is_installed_copy(directory: Path) -> bool:
    """Whether `directory` is the knowledge base inside an installed package (which the
    bot must never write: an upgrade replaces it)."""
    installed = _PACKAGE / "_shipped" / "knowledge"
    return installed.is_dir() and Path(directory).resolve() == installed.resolve()


def schema_path() -> Path:
    """The JSON Schema of knowledge files: the code's contract, so always the shipped one,
    whichever knowledge directory is loaded."""
    return _shipped("knowledge") / "schema.json"


def locales_dir() -> Path:
    return _shipped("locales")
