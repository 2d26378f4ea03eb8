"""Admin commands for ADMIN_IDS only; to everyone else they look like unknown commands."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import pytest

from bot.admin_replies import no_unanswered_reply, problems_reply, reloaded_reply
from bot.replies import unknown_command_reply
from tests.bot_api import Call
from tests.telegram.harness import BotHarness, MakeBot, TgHtml

CYRILLIC = re.compile("[а-яё]", re.I)

BANK_Q = "Ko dara bankas klientu menedžeris?"
BANK_LAST_LV = "Katrā bankā šis saraksts var būt papildināts, saīsināts vai nedaudz atšķirīgs."
UNKNOWN_LV = unknown_command_reply("lv").text
NOT_RELOADED_LV = problems_reply([], "lv").text  # the head line of a reload's problems


async def ask_some(bot: BotHarness) -> None:
    await bot.say(BANK_Q, user_id=1)
    await bot.say(BANK_Q, user_id=2)
    await bot.say("Какая зарплата у аккаунт-менеджера?", user_id=3, lang="ru")
    await bot.say("Kā audzēt gurķus uz balkona?", user_id=4)


async def test_stats_for_admin(bot: BotHarness, tg_html: TgHtml) -> None:
    await ask_some(bot)
    (msg,) = await bot.command("stats", user_id=bot.admin_id)
    assert msg.chat_id == bot.admin_id
    lines = tg_html(msg.text).splitlines()
    figures = [re.findall(r"\d+", line) for line in lines[:4]]
    assert figures == [["4", "7", "4"], ["75"], ["0", "0"], ["3", "1"]]  # today, 7 days, …
    assert "lv 3, ru 1" in lines[3]
    assert lines[5:] == ["• Konta pārvaldnieks bankā — 2", "• Konta pārvaldnieka alga — 1"]


async def test_stats_in_russian_for_russian_admin(bot: BotHarness) -> None:
    await ask_some(bot)
    (msg,) = await bot.command("stats", user_id=bot.admin_id, lang="ru")
    assert re.findall(r"\d+", msg.text.splitlines()[0]) == ["4", "7", "4"]
    assert CYRILLIC.search(msg.text.splitlines()[0])
    assert "• Клиентский менеджер в банке — 2" in msg.text


async def test_unanswered_for_admin(bot: BotHarness, tg_html: TgHtml) -> None:
    (empty,) = await bot.command("unanswered", user_id=bot.admin_id)
    assert empty.text == no_unanswered_reply("lv").text
    await ask_some(bot)
    await bot.say("Kā audzēt gurķus uz balkona?", user_id=5)
    (card,) = await bot.command("unanswered", user_id=bot.admin_id)  # one: no page message
    assert card.chat_id == bot.admin_id
    lines = tg_html(card.text).splitlines()
    assert lines[0] == "❓ 1/1 · „kā audzēt gurķus uz balkona?”"
    assert re.fullmatch(r"Jautāts 2 reizes, pēdējoreiz \S+ \S+ UTC \(bez atbildes\)\.", lines[1])
    await bot.say("Kā audzēt tomātus?", user_id=5)
    (_, _, footer) = await bot.command("unanswered", user_id=bot.admin_id)
    assert tg_html(footer.text) == "Jautājumi 1.–2. no 2, jaunākie vispirms."


async def test_unanswered_says_how_each_was_answered_in_words(bot: BotHarness,
                                                              tg_html: TgHtml) -> None:
    """Not storage's codes ("none", "suggest"): the admin's language."""
    await bot.say("Kā audzēt gurķus uz balkona?", user_id=5)
    (vague,) = await bot.say("darbs", user_id=6)
    assert [d for d in vague.button_data if d.startswith("t:")]  # a "did you mean"

    def how(calls: list[Call]) -> list[str]:
        return [tg_html(c.text).splitlines()[1].rsplit(" (", 1)[1] for c in calls[:-1]]

    lv = await bot.command("unanswered", user_id=bot.admin_id)
    assert how(lv) == ["piedāvātas tēmas).", "bez atbildes)."]
    assert [tg_html(c.text).splitlines()[1].split(",")[0] for c in lv[:-1]] == [
        "Jautāts 1 reizi"] * 2
    await bot.press("lang:ru", user_id=bot.admin_id)
    ru = await bot.command("unanswered", user_id=bot.admin_id)
    assert how(ru) == ["предложены темы).", "без ответа)."]
    assert tg_html(ru[0].text).splitlines()[1].startswith("Спрашивали 1 раз, последний раз ")


@pytest.mark.slow
async def test_reload_for_admin(make_bot: MakeBot, knowledge_copy: Path) -> None:
    bot = await make_bot(knowledge_dir=knowledge_copy)
    before = bot.state.current
    (msg,) = await bot.command("reload", user_id=bot.admin_id)
    assert msg.text == reloaded_reply(before.kb, "lv").text
    assert str(len(before.kb.topics)) in msg.text
    assert bot.state.current is not before


@pytest.mark.parametrize("command", ["stats", "unanswered", "learned", "reload"])
@pytest.mark.parametrize("lang", ["lv", "ru"])
async def test_non_admin_sees_an_unknown_command(bot: BotHarness, command: str, lang: str) -> None:
    await ask_some(bot)
    served = bot.state.current
    (unknown,) = await bot.command("frobnicate", user_id=77, lang=lang)
    (admin_cmd,) = await bot.command(command, user_id=77, lang=lang)
    assert admin_cmd.method == unknown.method == "sendMessage"
    assert admin_cmd.params == unknown.params
    if lang == "lv":
        assert admin_cmd.text == UNKNOWN_LV
    assert bot.state.current is served  # /reload did nothing


@pytest.mark.slow
async def test_broken_yaml_is_reported_and_old_knowledge_kept(make_bot: MakeBot,
                                                              knowledge_copy: Path) -> None:
    bot = await make_bot(knowledge_dir=knowledge_copy)
    (before,) = await bot.say(BANK_Q)
    path = knowledge_copy / "duties.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    broken_line = next(i for i, line in enumerate(lines) if "lv: Konta pārvaldnieks bankā" in line)
    lines[broken_line] = "      lv: [Konta pārvaldnieks bankā\n"
    path.write_text("".join(lines), encoding="utf-8")

    (msg,) = await bot.command("reload", user_id=bot.admin_id)
    assert msg.text.startswith(NOT_RELOADED_LV + "\n")
    m = re.search(r"duties\.yaml:(\d+): a \[list\] is not closed", msg.text)
    assert m, msg.text
    assert int(m.group(1)) in (broken_line + 1, broken_line + 2)  # the line or the next one

    (after,) = await bot.say(BANK_Q)
    assert after.text == before.text
    assert after.keyboard == before.keyboard


@pytest.mark.slow
async def test_hot_reload_swaps_in_new_answer(make_bot: MakeBot, knowledge_copy: Path) -> None:
    bot = await make_bot(knowledge_dir=knowledge_copy)
    (before,) = await bot.say(BANK_Q)
    assert BANK_LAST_LV in before.text
    path = knowledge_copy / "duties.yaml"
    source = path.read_text(encoding="utf-8")
    path.write_text(source.replace(BANK_LAST_LV, "Jaunā atbilde & jauns teksts."),
                    encoding="utf-8")
    assert bot.state.reload() == []
    (after,) = await bot.say(BANK_Q)
    assert "Jaunā atbilde &amp; jauns teksts." in after.text
    assert BANK_LAST_LV not in after.text


@pytest.mark.slow
async def test_file_watcher_reloads_and_notifies_admins(make_bot: MakeBot, knowledge_copy: Path) -> None:
    """The watcher started by post_init: a good edit is served, a bad one is reported to
    ADMIN_IDS and not served."""
    bot = await make_bot(knowledge_dir=knowledge_copy, watch=True)
    await bot.post_init()
    await asyncio.sleep(0.5)  # let the watcher subscribe
    path = knowledge_copy / "duties.yaml"
    source = path.read_text(encoding="utf-8")
    path.write_text(source.replace(BANK_LAST_LV, "Atbilde no failu vērotāja."), encoding="utf-8")
    deadline = time.monotonic() + 15
    while "Atbilde no failu vērotāja." not in bot.state.current.kb.answer("duties.bank", "lv"):
        assert time.monotonic() < deadline, "the watcher did not reload within 15 s"
        await asyncio.sleep(0.1)
    (msg,) = await bot.say(BANK_Q)
    assert "Atbilde no failu vērotāja." in msg.text

    mark = len(bot.telegram.calls)
    path.write_text(source.replace("section: duties", "section: [duties"), encoding="utf-8")
    while not [c for c in bot.telegram.of("sendMessage", mark) if c.chat_id == bot.admin_id]:
        assert time.monotonic() < deadline + 15, "admins were not notified within 15 s"
        await asyncio.sleep(0.1)
    (note,) = [c for c in bot.telegram.of("sendMessage", mark) if c.chat_id == bot.admin_id]
    assert note.text.startswith(NOT_RELOADED_LV)
    assert "duties.yaml:" in note.text
    (msg,) = await bot.say(BANK_Q)
    assert "Atbilde no failu vērotāja." in msg.text  # the last good version is still served
    await bot.post_shutdown()
