"""Reload problems reach the admins in Telegram whatever their size: split into messages
Telegram accepts (≤ 4096 characters; the fake refuses longer ones as Telegram does), the
first problems listed and the rest counted, and nothing that looks like a secret."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot import admin_replies
from bot.knowledge.errors import Problem
from bot.telegram import admin
from tests.bot_api import TOKEN
from tests.telegram.harness import BotHarness, MakeBot

LONG_MESSAGE = "unknown key 'Piezīmes par konta pārvaldnieka darbu " * 7 + "'"


async def test_a_long_notice_is_split_and_every_part_arrives(bot: BotHarness,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    # 30 problems of ~300 characters: what a large broken edit produces
    problems = [Problem(f"notes{i:02d}.yaml", i + 1, LONG_MESSAGE) for i in range(30)]
    assert len(admin_replies.problems_reply(problems, "lv").text) > 4096
    await admin.notify_admins(bot.app, problems)  # what the file watcher calls
    sent = [c for c in bot.telegram.of("sendMessage") if c.chat_id == bot.admin_id]
    assert len(sent) >= 2
    assert all(len(c.text) <= 4096 for c in sent)
    assert not [r for r in caplog.records if "could not notify" in r.getMessage()]
    text = "\n".join(c.text for c in sent)
    assert text.startswith(admin_replies.problems_reply([], "lv").text)
    assert [f"notes{i:02d}.yaml:{i + 1}:" in text for i in range(30)] == \
        [True] * admin_replies.MAX_LISTED + [False] * (30 - admin_replies.MAX_LISTED)
    assert text.rstrip().endswith(f"… +{30 - admin_replies.MAX_LISTED}")


@pytest.mark.slow
async def test_a_dotenv_saved_as_yaml_sends_no_secret(make_bot: MakeBot, knowledge_copy: Path) -> None:
    bot = await make_bot(knowledge_dir=knowledge_copy)
    (knowledge_copy / "settings.yaml").write_text(
        f"{TOKEN}: token\nwebhook_secret: Zx81-very-secret\nDB_URL=postgres://u:pw@h/db: x\n",
        encoding="utf-8")
    problems = bot.state.reload()
    assert problems
    await admin.notify_admins(bot.app, problems)
    (note,) = [c for c in bot.telegram.of("sendMessage") if c.chat_id == bot.admin_id]
    assert "settings.yaml" in note.text
    assert TOKEN.split(":")[1][:10] not in note.text
    assert "postgres://u:pw" not in note.text


async def test_unanswered_questions_show_no_pasted_secret(bot: BotHarness) -> None:
    await bot.say(f"kā iestatīt TELEGRAM_BOT_TOKEN={TOKEN} botam?", user_id=9)
    await bot.say("mana parole: password: hunter2hunter2", user_id=9)
    calls = await bot.command("unanswered", user_id=bot.admin_id)
    assert len(calls) == 3  # a message per question, and the page's
    text = "\n".join(c.text for c in calls)
    assert "telegram_bot_token=" in text.lower()  # the question is still recognisable
    assert TOKEN.split(":")[1][:10].lower() not in text.lower()
    assert "hunter2" not in text
    # and no button can file a question that holds a secret: only "skip"
    for card in calls[:2]:
        assert [d[:3] for d in card.button_data] == ["us:"]


async def test_each_admin_reads_the_notice_in_their_language(make_bot: MakeBot) -> None:
    """One admin chose Russian, one has a Russian Telegram and once used an admin command,
    one never wrote: Russian, Russian, Latvian."""
    chose, speaks, silent = 900_001, 900_002, 900_003
    bot = await make_bot(ADMIN_IDS=f"{chose},{speaks},{silent}")
    await bot.press("lang:ru", user_id=chose, lang="lv")
    await bot.command("stats", user_id=speaks, lang="ru")
    await admin.notify_admins(bot.app, [Problem("duties.yaml", 3, "a [list] is not closed")])
    sent = {c.chat_id: c.text for c in bot.telegram.of("sendMessage")
            if c.chat_id in (chose, speaks, silent)}
    assert sent[chose].startswith(admin_replies.problems_reply([], "ru").text)
    assert sent[speaks].startswith(admin_replies.problems_reply([], "ru").text)
    assert sent[silent].startswith(admin_replies.problems_reply([], "lv").text)
    assert all("duties.yaml:3: a [list] is not closed" in text for text in sent.values())
