"""On Telegram, a pay question that names a sector or the experience gets the figures of
those listings, in a chat and in inline mode; /salary keeps all listings."""

from __future__ import annotations

import re

from bot.matcher.decide import Decision
from bot.matcher.index import Scored
from bot.replies import decision_reply
from tests.telegram.harness import BotHarness, TgHtml


async def test_bank_pay_question_in_a_chat_gets_the_bank_listings(bot: BotHarness, tg_html: TgHtml) -> None:
    (msg,) = await bot.say("Сколько платят клиентскому менеджеру в банке?", lang="lv")
    assert msg.text.startswith("<b>Зарплата аккаунт-менеджера</b>")
    visible = tg_html(msg.text)
    facts = bot.state.current.kb.salary_facts
    assert facts is not None
    total = facts.listings
    assert f"Банковская сфера: 2 из {total} российских вакансий." in visible
    assert "Ни в одной из них сумма зарплаты не указана" in visible
    # then every listing's figures, said to be Russian listings in roubles
    assert f"Зарплаты в {total} российских вакансиях (в рублях в месяц):" in visible


async def test_no_experience_pay_question_lists_those_listings(bot: BotHarness, tg_html: TgHtml) -> None:
    (msg,) = await bot.say("Kāda ir konta menedžera alga bez pieredzes?", lang="lv")
    visible = tg_html(msg.text)
    assert visible.startswith("Konta pārvaldnieka alga\n\nPieredze nav obligāta: 8 no ")
    assert "• 40\u00a0000 RUB – 100\u00a0000 RUB" in visible
    assert "300\u00a0000" not in visible


async def test_salary_command_shows_all_listings(bot: BotHarness, tg_html: TgHtml) -> None:
    (msg,) = await bot.command("salary")
    visible = tg_html(msg.text)
    assert re.search(r"Algas \d+ Krievijas vakanču sludinājumos \(rubļos mēnesī\):", visible)
    assert "300\u00a0000" in visible


async def test_inline_salary_article_follows_the_query(bot: BotHarness, tg_html: TgHtml) -> None:
    (call,) = await bot.feed(bot.updates.inline("alga bankā"))
    article = next(r for r in call.params["results"] if r["id"] == "salary.overview")
    visible = tg_html(article["input_message_content"]["message_text"])
    assert "Banku nozare: 2 no " in visible
    assert article["description"].startswith("Banku nozare: 2 no ")


async def test_did_you_mean_salary_button_keeps_the_filter(bot: BotHarness, tg_html: TgHtml) -> None:
    # an unsure decision between the salary and the no-experience topics
    kb = bot.state.current.kb
    decision = Decision("Сколько дадут, если я без опыта?", "ru", "suggest", None, 0.5,
                        (Scored("salary.overview", 0.5, "ru", ""),
                         Scored("candidate.no_experience", 0.45, "ru", "")))
    buttons = [b.data for row in decision_reply(kb, decision).buttons for b in row]
    assert buttons[:2] == ["t:salary.overview~no_experience", "t:candidate.no_experience"]
    (_, msg) = await bot.press(buttons[0], lang="ru")
    visible = tg_html(msg.text)
    assert visible.startswith("Зарплата аккаунт-менеджера\n\nОпыт не обязателен: 8 из ")

