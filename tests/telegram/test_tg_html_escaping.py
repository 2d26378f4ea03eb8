"""Whatever users type is shown back only escaped: Telegram must be able to parse every
HTML message the bot sends."""

from __future__ import annotations

import pytest

from tests.telegram.harness import BotHarness, TgHtml

NASTY = [
    "<b>& Kā audzēt tomātus siltumnīcā?",
    "</b><i>Как испечь торт? & <a href='x'>",
    "&amp; &lt;script&gt;alert(1)&lt;/script&gt; laikapstākļi",
    "<b>& konta pārvaldnieka alga",
]


@pytest.mark.parametrize("text", NASTY)
async def test_replies_to_markup_in_questions_are_valid_html(bot: BotHarness, tg_html: TgHtml,
                                                             text: str) -> None:
    calls = await bot.say(text)
    assert calls and all(c.method == "sendMessage" for c in calls)
    for c in calls:
        if c.params.get("parse_mode") == "HTML":
            tg_html(c.text)


async def test_unanswered_list_shows_user_text_escaped(bot: BotHarness, tg_html: TgHtml) -> None:
    await bot.say("<b>& Kā audzēt tomātus siltumnīcā?", user_id=5)
    await bot.say("<b>& Kā audzēt tomātus siltumnīcā?", user_id=6)
    (msg,) = await bot.command("unanswered", user_id=bot.admin_id)
    assert msg.params["parse_mode"] == "HTML"
    assert "&lt;b&gt;&amp; kā audzēt tomātus siltumnīcā?" in msg.text
    visible = tg_html(msg.text)
    assert visible.startswith("❓ 1/1 · „<b>& kā audzēt tomātus siltumnīcā?”\nJautāts 2 reizes")


async def test_inline_query_with_markup_is_valid_html(bot: BotHarness, tg_html: TgHtml) -> None:
    (call,) = await bot.feed(bot.updates.inline("<b>& alga</b>"))
    for article in call.params["results"]:
        tg_html(article["input_message_content"]["message_text"])
