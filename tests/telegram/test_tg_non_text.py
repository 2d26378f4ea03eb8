"""Stickers, photos and the like in a private chat: "text questions only" — unless a photo or
a document carries its question as a caption, which is answered like any question."""

from __future__ import annotations

from typing import Any

import pytest

from bot.replies import non_text_reply


@pytest.mark.parametrize("kind", ["sticker", "photo", "voice"])
@pytest.mark.parametrize(("lang", "reply_lang"), [("lv", "lv"), ("ru", "ru"), ("uk", "ru")])
async def test_non_text_gets_text_only_notice(bot: Any, kind: str, lang: str,
                                              reply_lang: str) -> None:
    update = getattr(bot.updates, kind)(lang=lang)
    calls = await bot.feed(update)
    assert [c.method for c in calls] == ["sendMessage"]
    assert calls[0].chat_id == 1001
    assert calls[0].text == non_text_reply(reply_lang).text
    assert bot.rows("questions") == 0


async def test_notice_follows_chosen_language(bot: Any) -> None:
    await bot.command("start", "ru", lang="lv")
    (msg,) = await bot.feed(bot.updates.photo(lang="lv"))
    assert msg.text == non_text_reply("ru").text


@pytest.mark.parametrize("kind", ["photo", "document"])
async def test_a_caption_is_answered_as_the_question(bot: Any, kind: str) -> None:
    """A screenshot of a vacancy with "alga?" under it: the caption is the question."""
    (msg,) = await bot.feed(getattr(bot.updates, kind)(caption="alga?"))
    assert msg.text.startswith("<b>Konta pārvaldnieka alga</b>")
    assert bot.rows("questions") == 1


async def test_a_russian_caption_gets_a_russian_answer(bot: Any) -> None:
    (msg,) = await bot.feed(bot.updates.photo(caption="Какая зарплата у аккаунт-менеджера?",
                                              lang="lv"))
    assert msg.text.startswith("<b>Зарплата аккаунт-менеджера</b>")


async def test_a_caption_in_a_group_is_answered_only_when_it_mentions_the_bot(bot: Any) -> None:
    assert await bot.feed(bot.updates.photo(caption="alga?", group=True)) == []
    (msg,) = await bot.feed(bot.updates.photo(caption="alga?", group=True, mention=True))
    assert msg.chat_id == bot.group_id
    assert msg.text.startswith("<b>Konta pārvaldnieka alga</b>")
