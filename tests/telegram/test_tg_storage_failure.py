"""A database that cannot be written must not cost the user an answer."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.replies import error_reply, feedback_thanks, forget_failed_reply, start_reply
from tests.telegram.harness import MakeBot


@pytest.fixture(params=["data-dir-is-a-file", "database-is-a-directory"])
def broken_data_dir(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    if request.param == "data-dir-is-a-file":
        path = tmp_path / "data"
        path.write_text("not a directory\n")
        return path
    path = tmp_path / "data"
    (path / "bot.sqlite3").mkdir(parents=True)
    return path


async def test_user_is_answered_without_a_database(make_bot: MakeBot, broken_data_dir: Path,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    bot = await make_bot(data_dir=broken_data_dir)
    (start,) = await bot.command("start", lang="lv")
    assert start.text == start_reply(bot.state.current.kb, "lv").text
    (msg,) = await bot.say("Ko dara bankas klientu menedžeris?")
    assert msg.text.startswith("<b>Konta pārvaldnieks bankā</b>")
    (msg,) = await bot.say("Какая зарплата у аккаунт-менеджера?", user_id=2, lang="ru")
    assert msg.text.startswith("<b>Зарплата аккаунт-менеджера</b>")
    calls = await bot.press("f:+:duties.bank")
    assert calls[0].params["text"] == feedback_thanks("lv").text
    (inline,) = await bot.feed(bot.updates.inline(""))
    assert inline.params["results"]
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert "storage write record_question failed" in messages
    assert "Traceback" not in messages


async def test_language_choice_still_works_for_the_session(make_bot: MakeBot, broken_data_dir: Path) -> None:
    bot = await make_bot(data_dir=broken_data_dir)
    await bot.command("start", "ru", lang="lv")
    (msg,) = await bot.say("Ko dara bankas klientu menedžeris?", lang="lv")
    assert msg.text.startswith("<b>Клиентский менеджер в банке</b>")


async def test_forget_apologises_when_the_database_is_down(make_bot: MakeBot, broken_data_dir: Path) -> None:
    bot = await make_bot(data_dir=broken_data_dir)
    (msg,) = await bot.command("forget")
    assert msg.text == forget_failed_reply("lv").text


async def test_admin_stats_fail_politely(make_bot: MakeBot, broken_data_dir: Path) -> None:
    bot = await make_bot(data_dir=broken_data_dir)
    calls = await bot.command("stats", user_id=bot.admin_id)
    assert [c.method for c in calls] == ["sendMessage"]
    assert calls[0].text == error_reply("lv").text
