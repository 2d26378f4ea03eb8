"""JSON Schema validation of one knowledge file, with errors an admin can act on.

The schema lives in knowledge/schema.json (shipped inside the package too, see
bot.resources) so editors (yaml-language-server) can use the same file for
autocompletion; here its terse errors become plain sentences with a line.
"""

from __future__ import annotations

import datetime
import difflib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from ..redact import excerpt
from ..resources import schema_path
from .errors import Problem
from .yamlsource import YamlDocument

_LANG_NAMES = {"lv": "Latvian (lv)", "ru": "Russian (ru)"}


@lru_cache(maxsize=4)
def _validator(path: str) -> Draft202012Validator:
    schema = json.loads(Path(path).read_text(encoding="utf-8"))
    return Draft202012Validator(inline_refs(schema))


def inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with each local `{"$ref": "#/$defs/…"}` replaced by the definition
    itself (inside `allOf` when the reference has keywords beside it, which is what a
    2020-12 `$ref` means): the same verdicts and errors, but jsonschema resolves no
    reference for each of the knowledge base's thousands of texts — a load validates in
    under half the time. A definition that refers back to itself keeps its `$ref`."""
    defs = schema.get("$defs", {})
    prefix = "#/$defs/"

    def inline(node: Any, stack: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [inline(x, stack) for x in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        name = ref[len(prefix):] if isinstance(ref, str) and ref.startswith(prefix) else None
        if name is None or name not in defs or name in stack:
            return {k: inline(v, stack) for k, v in node.items()}
        target = inline(defs[name], (*stack, name))
        rest = {k: inline(v, stack) for k, v in node.items() if k != "$ref"}
        return {"allOf": [target], **rest} if rest else target

    return {k: inline(v, ()) if k != "$defs" else v for k, v in schema.items()}


def _where(path: tuple[Any, ...]) -> str:
    parts = []
    for p in path:
        parts.append(f"[{p + 1}]" if isinstance(p, int) else f".{p}")
    return "".join(parts).lstrip(".") or "top level"


def _not_text(value: Any) -> str:
    """Why YAML did not read a value as text, and how to write it so it does."""
    if isinstance(value, bool):
        return ("a yes/no word (yes, no, on, off, true, false) is read by YAML as "
                f"{str(value).lower()}, not as text: put it in quotes, like 'no'")
    if isinstance(value, datetime.date):  # datetime.datetime is a date too
        return ("a date or time is read by YAML as a timestamp, not as text: put it in "
                "quotes, like '2025-01-31T12:00:00+00:00'")
    if isinstance(value, int | float):
        return f"{value!r} is read by YAML as a number, not as text: put it in quotes"
    if value is None:
        return "the text is empty (a '-' or a key with nothing after it)"
    if isinstance(value, dict):
        key = next(iter(value), "")
        return (f"'{key}: …' is read by YAML as a key and a value because of the ': ' "
                "inside: put the whole text in quotes")
    if isinstance(value, list):
        return "a list where one text is expected"
    return f"expected text, got {value!r}"


def _message(err: ValidationError, doc: YamlDocument) -> tuple[int, str]:
    path = tuple(err.absolute_path)
    where = _where(path)
    v = err.validator
    if v == "additionalProperties":
        allowed = sorted(err.schema.get("properties", {}))
        extra = [k for k in err.instance if k not in allowed] if isinstance(err.instance, dict) else []
        key = extra[0] if extra else "?"
        hint = difflib.get_close_matches(str(key), allowed, n=1)
        tip = f" — did you mean '{hint[0]}'?" if hint else ""
        return doc.key_line(path + (key,)), (
            f"unknown key '{key}' in {where}{tip} (allowed: {', '.join(allowed)})"
        )
    if v == "required":
        missing = err.message.split("'")[1] if "'" in err.message else str(err.validator_value)
        # The key that holds the incomplete block ("answer:"), not its first inner line.
        line = doc.key_line(path)
        if missing in _LANG_NAMES:
            return line, f"{where}: the {_LANG_NAMES[missing]} text is missing"
        return line, f"{where}: required key '{missing}' is missing"
    if v == "pattern" and err.validator_value == "\\S":
        what = "answer" if "answer" in path else "text"
        return doc.line(path), f"{where}: empty {what}"
    if v == "type":
        if err.validator_value == "integer" and ("min" in path or "max" in path):
            return doc.line(path), (
                f"{where}: salary must be a whole number written with digits only, like 40000"
                f" (got {excerpt(err.instance)})"
            )
        if err.validator_value == "string":
            return doc.line(path), f"{where}: {_not_text(err.instance)}"
        return doc.line(path), (f"{where}: expected {err.validator_value}, "
                                f"got {excerpt(err.instance)}")
    if v == "minItems":
        return doc.line(path), f"{where}: the list is empty"
    if v == "maxItems":
        return doc.line(path), f"{where}: at most {err.validator_value} items are allowed"
    if v == "minimum":
        if err.validator_value == 0:
            return doc.line(path), f"{where}: must not be negative (got {excerpt(err.instance)})"
        return doc.line(path), (f"{where}: must be at least {err.validator_value} "
                                f"(got {excerpt(err.instance)})")
    if v == "maximum":
        return doc.line(path), (f"{where}: must be at most {err.validator_value} "
                                f"(got {excerpt(err.instance)})")
    if v == "uniqueItems":
        return doc.line(path), f"{where}: an item is listed twice"
    if v == "enum":
        options = ", ".join(repr(o) for o in err.validator_value)
        return doc.line(path), (f"{where}: {excerpt(err.instance)} is not allowed "
                                f"(use one of {options})")
    if v == "pattern":
        return doc.line(path), f"{where}: {excerpt(err.instance)} has the wrong form"
    if v == "maxLength":
        return doc.line(path), (f"{where}: {excerpt(err.instance)} is {len(err.instance)} "
                                f"characters long; at most {err.validator_value} are allowed")
    # jsonschema quotes the whole value ("'<a page of text>' is not of type 'object'")
    message = err.message.replace(repr(err.instance), excerpt(err.instance))
    return doc.line(path), f"{where}: {message}"


def validate(doc: YamlDocument) -> list[Problem]:
    """All schema problems of a document, sorted by line."""
    validator = _validator(str(schema_path()))
    problems = []
    for err in validator.iter_errors(doc.data):
        leaf = err
        if err.context:  # oneOf/anyOf: report the most relevant branch
            from jsonschema.exceptions import best_match

            leaf = best_match(err.context) or err
        line, msg = _message(leaf, doc)
        problems.append(Problem(doc.name, line, msg))
    return sorted(set(problems), key=lambda p: (p.line, p.message))
