"""Settings read from the environment: what an operator may type, and what is refused with
one line saying why."""

from __future__ import annotations

import pytest

from bot.settings import MAX_USER_ID, SettingsError, load_settings


@pytest.mark.parametrize("raw, ids", [
    ("123", {123}),
    (" 123 , 456;789 ", {123, 456, 789}),
    ("", set()),
    (str(MAX_USER_ID), {MAX_USER_ID}),
])
def test_admin_ids_are_ascii_user_ids(raw: str, ids: set[int]) -> None:
    assert load_settings({"ADMIN_IDS": raw}).admin_ids == ids


@pytest.mark.parametrize("raw", [
    "١٢٣",  # Arabic-Indic digits: int() reads them as 123
    "１２３",  # full-width digits
    "99999999999999999999",  # beyond any Telegram id
    str(MAX_USER_ID + 1),
    "0",
    "-100123",  # a group chat id, not a user
    "12a",
    "+123",
])
def test_admin_ids_outside_telegrams_range_are_refused(raw: str) -> None:
    with pytest.raises(SettingsError, match="ADMIN_IDS") as err:
        load_settings({"ADMIN_IDS": raw})
    assert "\n" not in str(err.value)


def test_replay_age_and_webhook_body_limit_have_defaults_and_can_be_set() -> None:
    default = load_settings({})
    assert (default.replay_max_age, default.webhook_max_body) == (3600, 1_048_576)
    assert default.journal == default.data_dir / "updates.sqlite3"
    set_ = load_settings({"REPLAY_MAX_AGE": "600", "WEBHOOK_MAX_BODY": "65536"})
    assert (set_.replay_max_age, set_.webhook_max_body) == (600, 65536)


@pytest.mark.parametrize("name, raw", [
    ("REPLAY_MAX_AGE", "-1"), ("REPLAY_MAX_AGE", "1h"), ("REPLAY_MAX_AGE", "١٢٣"),
    ("WEBHOOK_MAX_BODY", "100"), ("WEBHOOK_MAX_BODY", "1e6"), ("PORT", "٨٠٨٠"),
])
def test_malformed_numbers_are_refused_in_one_line(name: str, raw: str) -> None:
    with pytest.raises(SettingsError, match=name) as err:
        load_settings({name: raw})
    assert "\n" not in str(err.value)
