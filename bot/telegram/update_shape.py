"""Is this JSON an update the bot can handle? The fields the bot reads, with Telegram's
types, checked before python-telegram-bot builds objects from it.

python-telegram-bot does not check field types: `"text": 5` reaches a handler as a
number (a traceback and an apology), a string user id is answered and stored as text, a
message without a chat fails deep inside, and an undecodable update is logged at
CRITICAL with the user's words. Telegram never sends such JSON; a forged or broken
webhook request or a test server might. `problem()` names the first wrong field (the
name only, never a value) so the update can be dropped with one log line.
"""

from __future__ import annotations

from typing import Any

MAX_ID = 2**63 - 1  # ids are 64-bit signed integers in the Bot API
_MESSAGES = ("message", "edited_message", "channel_post", "edited_channel_post",
             "business_message", "edited_business_message")


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and -MAX_ID <= value <= MAX_ID


def _str(value: Any) -> bool:
    return isinstance(value, str)


def _user(value: Any, where: str) -> str | None:
    if not isinstance(value, dict):
        return f"{where} is not an object"
    if not _int(value.get("id")) or value["id"] <= 0:
        return f"{where}.id is not a positive integer"
    if not isinstance(value.get("is_bot"), bool):
        return f"{where}.is_bot is not true/false"
    if not _str(value.get("first_name")):
        return f"{where}.first_name is not a string"
    for key in ("last_name", "username", "language_code"):
        if key in value and not _str(value[key]):
            return f"{where}.{key} is not a string"
    return None


def _chat(value: Any, where: str) -> str | None:
    if not isinstance(value, dict):
        return f"{where} is missing or not an object"
    if not _int(value.get("id")):
        return f"{where}.id is not an integer"
    if not _str(value.get("type")):
        return f"{where}.type is not a string"
    return None


def _entities(value: Any, where: str) -> str | None:
    if not isinstance(value, list):
        return f"{where} is not a list"
    for i, e in enumerate(value):
        if not isinstance(e, dict) or not _str(e.get("type")) or not _int(e.get("offset")) \
                or not _int(e.get("length")):
            return f"{where}[{i}] is not an entity"
    return None


def _message(value: Any, where: str, depth: int = 0) -> str | None:
    if not isinstance(value, dict):
        return f"{where} is not an object"
    if not _int(value.get("message_id")):
        return f"{where}.message_id is not an integer"
    if not _int(value.get("date")):
        return f"{where}.date is not an integer"
    found = _chat(value.get("chat"), f"{where}.chat")
    if found is None and "from" in value:
        found = _user(value["from"], f"{where}.from")
    for key in ("text", "caption"):
        if found is None and key in value and not _str(value[key]):
            found = f"{where}.{key} is not a string"
    for key in ("entities", "caption_entities"):
        if found is None and key in value:
            found = _entities(value[key], f"{where}.{key}")
    if found is None and "reply_to_message" in value:
        if depth > 0:
            return f"{where}.reply_to_message is nested"
        found = _message(value["reply_to_message"], f"{where}.reply_to_message", depth + 1)
    return found


def _callback(value: Any) -> str | None:
    if not isinstance(value, dict):
        return "callback_query is not an object"
    if not _str(value.get("id")):
        return "callback_query.id is not a string"
    found = _user(value.get("from"), "callback_query.from")
    for key in ("data", "inline_message_id", "chat_instance"):
        if found is None and key in value and not _str(value[key]):
            found = f"callback_query.{key} is not a string"
    if found is None and "message" in value:
        found = _message(value["message"], "callback_query.message")
    return found


def _inline(value: Any) -> str | None:
    if not isinstance(value, dict):
        return "inline_query is not an object"
    if not _str(value.get("id")):
        return "inline_query.id is not a string"
    found = _user(value.get("from"), "inline_query.from")
    for key in ("query", "offset"):
        if found is None and not _str(value.get(key)):
            found = f"inline_query.{key} is not a string"
    return found


def problem(data: Any) -> str | None:
    """None if `data` is an update the bot can handle, else what is wrong (field names
    only). Kinds of update the bot does not handle are not inspected."""
    if not isinstance(data, dict):
        return "the update is not a JSON object"
    if not _int(data.get("update_id")) or data["update_id"] < 0:
        return "update_id is not a non-negative integer"
    for key in _MESSAGES:
        if key in data:
            return _message(data[key], key)
    if "callback_query" in data:
        return _callback(data["callback_query"])
    if "inline_query" in data:
        return _inline(data["inline_query"])
    return None
