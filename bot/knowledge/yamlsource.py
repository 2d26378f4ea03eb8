"""Safe YAML reading that remembers the line of every value.

PyYAML's safe loader forgets positions once it builds Python objects; admins need "file,
line, problem", so we compose the node tree ourselves and record a line per path. Aliases
are refused (knowledge files never need them, and they are the door for alias bombs),
and duplicate keys, which PyYAML would silently overwrite, are reported.

libyaml (C, in PyYAML's wheels) reads the characters, PyYAML's composer builds the
nodes: a tenth of the pure-Python time at every load. A file libyaml finds a problem in
is read again by pure Python, whose problems the admin's messages are worded for.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Any

import yaml

from .errors import Problem

CParser: Any
try:
    from yaml.cyaml import CParser  # type: ignore[attr-defined]  # in PyYAML's wheels
except ImportError:  # pragma: no cover - a PyYAML built without libyaml: Python reads alone
    CParser = None

MAX_FILE_BYTES = 1_000_000

PathKey = tuple[str | int, ...]


MAX_DEPTH = 50  # knowledge files nest about 6 levels; PyYAML's composer recurses per level


class _Refusing:
    """PyYAML's composer (Python), refusing aliases and nesting bombs with their line."""

    _depth = 0
    check_event: Any  # the parser's (PyYAML's or libyaml's)
    peek_event: Any

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(
                None, None, "aliases (*name) are not allowed in knowledge files", event.start_mark
            )
        if self._depth >= MAX_DEPTH:  # a nesting bomb would exhaust the stack
            raise yaml.MarkedYAMLError(
                None, None, f"nested deeper than {MAX_DEPTH} levels", self.peek_event().start_mark
            )
        self._depth += 1
        try:
            return super().compose_node(parent, index)  # type: ignore[misc]
        finally:
            self._depth -= 1


class _NoAliasLoader(_Refusing, yaml.SafeLoader):
    """All Python: slow, but its problems are the ones _PLAIN words for admins."""


_CBase: Any = CParser or object


class _FastLoader(_Refusing, yaml.composer.Composer, _CBase,
                  yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
    """libyaml (C) reads the characters and events, about ten times faster than PyYAML's
    scanner; the nodes are still built by PyYAML's own composer above, so aliases and
    depth are refused the same way. Any problem is read again by _NoAliasLoader."""

    def __init__(self, stream: str) -> None:
        CParser.__init__(self, stream)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)


class YamlDocument:
    """A parsed file: its data plus the line (1-based) where each path starts."""

    def __init__(self, name: str, data: Any, lines: dict[PathKey, int]) -> None:
        self.name = name
        self.data = data
        self._lines = lines

    def line(self, path: PathKey) -> int:
        """Line of the deepest known prefix of path (the file's first line if none)."""
        p = tuple(path)
        while p:
            if p in self._lines:
                return self._lines[p]
            p = p[:-1]
        return self._lines.get((), 1)

    def key_line(self, path: PathKey) -> int:
        """Line of the key itself for mapping entries (falls back to line())."""
        return self._lines.get(("#key",) + tuple(path), self.line(path))

    def block_style(self, path: PathKey) -> str | None:
        """How a text that spans lines was written: '|' or '>' (a block), 'continued' (a
        plain or quoted text going on over the next lines, e.g. an over-indented line that
        YAML joins to the one above); None for a one-line text."""
        return _STYLES.get(self._lines.get(("#multi",) + tuple(path), 0))


# Tags a knowledge file may carry (implicit or written out): plain YAML values only. Any
# other tag (!!python/object/apply:…, !!binary, !custom) is refused, not ignored.
_TAGS = frozenset("tag:yaml.org,2002:" + t
                  for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq"))


def _build(node: yaml.Node, path: PathKey, lines: dict[PathKey, int], problems: list[Problem],
           name: str, loader: yaml.constructor.SafeConstructor) -> Any:
    lines[path] = node.start_mark.line + 1
    if node.tag not in _TAGS:
        raise yaml.MarkedYAMLError(None, None, f"the tag {node.tag[:40]!r} is not allowed "
                                   "in knowledge files (plain text, numbers and lists only)",
                                   node.start_mark)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _build(key_node, path + ("#k",), {}, problems, name, loader)
            if not isinstance(key, str | int | float | bool) or key is None:
                problems.append(Problem(name, key_node.start_mark.line + 1,
                                        "a key must be a plain word"))
                continue
            key = str(key)
            if key in out:
                problems.append(Problem(name, key_node.start_mark.line + 1,
                                        f"key '{key}' appears twice in the same block"))
                continue
            lines[("#key",) + path + (key,)] = key_node.start_mark.line + 1
            out[key] = _build(value_node, path + (key,), lines, problems, name, loader)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(n, path + (i,), lines, problems, name, loader)
                for i, n in enumerate(node.value)]
    style = getattr(node, "style", None)  # a ScalarNode's
    if style in ("|", ">"):
        lines[("#multi",) + path] = 1 if style == "|" else 2
    elif node.end_mark.line > node.start_mark.line:
        lines[("#multi",) + path] = 3
    # scalars only, by this document's own loader: its cache of constructed objects goes
    # with it (a module-level constructor kept every value of every load: +3 MB a reload)
    return loader.construct_object(node)


_STYLES = {1: "|", 2: ">", 3: "continued"}


class _NotReadable(Exception):
    """The path is not a regular file inside the knowledge directory; it was not read."""


def _looks_utf16(raw: bytes) -> bool:
    """A UTF-16 byte order mark, or text whose every other byte is NUL (UTF-16 without a
    mark: what some Windows editors save), rather than a binary file."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True
    sample = raw[:4000]
    if len(sample) < 4:
        return False
    # ASCII letters leave a NUL in every other byte; Latvian and Cyrillic letters do not,
    # so count loosely, but only one side may have NULs (binary data has them anywhere).
    shares = sorted(half.count(0) / len(half) for half in (sample[0::2], sample[1::2]))
    return shares[1] >= 0.25 and shares[0] <= 0.02


# PyYAML's problems, as an admin editing a knowledge file would say them.
_PLAIN = (
    ("mapping values are not allowed here",
     "a ': ' (colon and space) inside a text: put the whole text in quotes"),
    ("found character '\\t'", "a tab character: indent with spaces only"),
    ("found a tab character", "a tab character: indent with spaces only"),
    ("cannot start any token",
     "a text cannot start with this character ({char}): put the whole text in quotes"),
    ("found unexpected end of stream",
     "a quote opened here is never closed: add the closing quote"),
    ("found unknown escape character",
     "a backslash in a \"double-quoted\" text: use 'single quotes' or write \\\\"),
    ("could not find expected ':'",
     "this line is neither 'key: value' nor a '- ' list item (a missing ':', or a text "
     "continuing on a line that is indented wrongly?)"),
    ("expected <block end>",
     "this line is not indented like the lines above it (keys of one block and '- ' items "
     "of one list must start in the same column)"),
    ("did not find expected key",
     "this line is not indented like the lines above it (keys of one block and '- ' items "
     "of one list must start in the same column)"),
    ("did not find expected '-' indicator",
     "this list item is not indented like the items above it"),
    ("expected ',' or ']'", "a [list] is not closed with ']' (or an item with ':' needs quotes)"),
    ("expected ',' or '}'", "a {block} is not closed with '}' (or a text needs quotes)"),
    ("expected '<document start>'", "this is not a YAML file of keys and values"),
)


def plain_syntax_error(exc: yaml.MarkedYAMLError) -> tuple[int, str]:
    """Line and plain-words message for a YAML syntax error (the parser's own words, for
    problems not listed, after 'YAML syntax error:')."""
    problem = exc.problem or exc.context or "invalid YAML"
    mark = exc.problem_mark or exc.context_mark
    for needle, plain in _PLAIN:
        if needle in problem:
            if needle in ("found unexpected end of stream", "could not find expected ':'") \
                    and exc.context_mark is not None:
                mark = exc.context_mark  # where the quote was opened, the line without ':'
            char = problem.split("'")[1] if "'" in problem else "?"
            return (mark.line + 1 if mark else 1), plain.format(char=char)
    return (mark.line + 1 if mark else 1), f"YAML syntax error: {problem}"


def _open_inside(path: Path, root: Path) -> int:
    """A descriptor of `path` if it is a regular file inside `root`, else _NotReadable.

    A link is followed only to a file inside `root` (Kubernetes mounts a ConfigMap as
    links into a hidden folder beside them); a link to /etc/passwd or to a .env elsewhere
    is refused before anything is read. A FIFO, device or socket is refused after opening
    it without blocking, by what the open file is, not by what its name was a moment ago.
    """
    target = path
    if path.is_symlink():
        target = Path(os.path.realpath(path))
        if not target.is_relative_to(Path(os.path.realpath(root))):
            raise _NotReadable("the file is a link to a file outside the knowledge directory; "
                               "copy the file into the directory instead")
    fd = os.open(target, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise _NotReadable("not a regular file (a device, a pipe, a socket or a link?); "
                           "only plain files are read")
    return fd


def read_text(path: Path, name: str, root: Path | None = None) -> tuple[str | None, list[Problem]]:
    """A knowledge file's text, read the safe way: only a regular file inside `root`
    (default: the file's own directory), at most MAX_FILE_BYTES, UTF-8 without NUL bytes;
    on any problem (None, problems)."""
    try:
        fd = _open_inside(path, path.parent if root is None else root)
        with os.fdopen(fd, "rb") as f:  # never more than the limit in memory
            raw = f.read(MAX_FILE_BYTES + 1)
            size = max(len(raw), os.fstat(f.fileno()).st_size)
    except _NotReadable as exc:
        return None, [Problem(name, 1, str(exc))]
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # O_NOFOLLOW met a link swapped in meanwhile
            return None, [Problem(name, 1, "the file is a link that changed while it was read")]
        return None, [Problem(name, 1, f"cannot read the file: {exc.strerror or exc}")]
    if len(raw) > MAX_FILE_BYTES:
        return None, [Problem(name, 1, f"the file is too large ({size:,} bytes; "
                                       f"the limit is {MAX_FILE_BYTES:,})")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if _looks_utf16(raw):
            return None, [Problem(name, 1, "the file is UTF-16 text: save it as UTF-8")]
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(name, line, "the file is not UTF-8 text: save it as UTF-8")]
    if "\x00" in text and _looks_utf16(raw):
        return None, [Problem(name, 1, "the file is UTF-16 text: save it as UTF-8")]
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        return None, [Problem(name, line, "the file contains a NUL byte (is it binary?)")]
    return text, []


def read_yaml(path: Path, name: str, root: Path | None = None,
              allow_empty: bool = False) -> tuple[YamlDocument | None, list[Problem]]:
    """Read one file; on any problem return (None, problems) and never a partial document.
    Only a regular file inside `root` (default: the file's own directory) is read. An empty
    file (or only comments) is a problem unless `allow_empty`: then its data is None."""
    text, problems = read_text(path, name, root)
    if text is None:
        return None, problems
    return parse_text(text, name, allow_empty)


def parse_text(text: str, name: str,
               allow_empty: bool = False) -> tuple[YamlDocument | None, list[Problem]]:
    """Parse YAML already in memory (the bot checks what it is about to write) the way
    read_yaml parses a file."""
    fast = _parse_fast(text, name, allow_empty)
    if fast is not None:
        return fast, []
    try:
        loader = _NoAliasLoader(text)
    except yaml.reader.ReaderError as exc:  # PyYAML checks every character up front
        line = text[: exc.position].count("\n") + 1
        return None, [Problem(name, line, f"the file contains a character YAML does not allow "
                              f"(U+{exc.character:04X}, a control character): remove it")]
    try:
        return _parse(loader, name, allow_empty)
    finally:
        loader.dispose()


def _parse_fast(text: str, name: str, allow_empty: bool) -> YamlDocument | None:
    """The document as libyaml reads it; None when libyaml is missing or finds any
    problem (the pure-Python reading then says what it is, in the admin's words)."""
    if CParser is None:
        return None
    try:
        loader = _FastLoader(text)
    except Exception:  # noqa: BLE001 - whatever libyaml dislikes is read again
        return None
    try:
        return _parse(loader, name, allow_empty)[0]
    except Exception:  # noqa: BLE001 - likewise
        return None
    finally:
        loader.dispose()


def _parse(loader: _NoAliasLoader | _FastLoader, name: str,
           allow_empty: bool = False) -> tuple[YamlDocument | None, list[Problem]]:
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        line, what = plain_syntax_error(exc)
        return None, [Problem(name, line, what)]
    except yaml.YAMLError as exc:
        return None, [Problem(name, 1, f"YAML syntax error: {exc}")]
    except RecursionError:  # not expected with MAX_DEPTH; never let it escape
        return None, [Problem(name, 1, f"nested deeper than {MAX_DEPTH} levels")]
    if node is None:
        if allow_empty:
            return YamlDocument(name, None, {}), []
        return None, [Problem(name, 1, "the file is empty")]
    lines: dict[PathKey, int] = {}
    problems: list[Problem] = []
    try:
        data = _build(node, (), lines, problems, name, loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        return None, [Problem(name, mark.line + 1 if mark else 1, exc.problem or "invalid value")]
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        return None, [Problem(name, mark.line + 1 if mark else 1, f"invalid value: {exc}")]
    if problems:
        return None, problems
    return YamlDocument(name, data, lines), []
