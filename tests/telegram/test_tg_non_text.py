"""Stickers, photos and the like in a private chat: "text questions only"."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("kind", ["sticker", "photo"])
@pytest.mark.parametrize(("lang", "expected"), [
    ("lv", "Es saprotu tikai teksta jautājumus — lūdzu, uzrakstiet savu jautājumu."),
    ("ru", "Я понимаю только текстовые вопросы — пожалуйста, напишите свой вопрос."),
    ("uk", "Я понимаю только текстовые вопросы — пожалуйста, напишите свой вопрос."),
])
async def test_non_text_gets_text_only_notice(bot, kind, lang, expected):
    update = getattr(bot.updates, kind)(lang=lang)
    calls = await bot.feed(update)
    assert [c.method for c in calls] == ["sendMessage"]
    assert calls[0].chat_id == 1001
    assert calls[0].text == expected
    assert bot.rows("questions") == 0


async def test_notice_follows_chosen_language(bot):
    await bot.command("start", "ru", lang="lv")
    (msg,) = await bot.feed(bot.updates.photo(lang="lv"))
    assert msg.text.startswith("Я понимаю только текстовые вопросы")
