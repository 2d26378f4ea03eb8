"""Inline mode: `@TestAmBot alga` in any chat offers articles linking back to the bot."""

from __future__ import annotations

import html
import re

from bot import replies
from tests.telegram.harness import BotHarness, TgHtml

LINK = re.compile(r'<a href="(https://t\.me/TestAmBot\?start=([A-Za-z0-9_-]+))">')


async def test_inline_query_offers_articles_with_deep_links(bot: BotHarness, tg_html: TgHtml) -> None:
    update = bot.updates.inline("alga")
    calls = await bot.feed(update)
    assert [c.method for c in calls] == ["answerInlineQuery"]
    params = calls[0].params
    assert update.inline_query is not None
    assert params["inline_query_id"] == update.inline_query.id
    results = params["results"]
    assert results and len(results) <= 50
    assert results[0]["type"] == "article"
    assert results[0]["id"] == "salary.overview"
    assert results[0]["title"] == "Konta pārvaldnieka alga"
    for article in results:
        content = article["input_message_content"]
        assert content["parse_mode"] == "HTML"
        text = content["message_text"]
        assert len(text) <= 4096
        m = LINK.search(text)
        assert m, text[-200:]
        assert m.group(2) == article["id"].replace(".", "-")
        tg_html(text)
    assert "is_personal" not in params or params["is_personal"] is False


async def test_inline_article_link_opens_the_same_topic(bot: BotHarness) -> None:
    (call,) = await bot.feed(bot.updates.inline("alga"))
    text = call.params["results"][0]["input_message_content"]["message_text"]
    link = LINK.search(text)
    assert link
    payload = link.group(2)
    (msg,) = await bot.command("start", payload)
    assert msg.text.startswith("<b>Konta pārvaldnieka alga</b>")


async def test_russian_inline_query_gets_russian_articles(bot: BotHarness) -> None:
    (call,) = await bot.feed(bot.updates.inline("зарплата аккаунт-менеджера", lang="lv"))
    first = call.params["results"][0]
    assert first["title"] == "Зарплата аккаунт-менеджера"
    assert first["input_message_content"]["message_text"].startswith(
        "<b>Зарплата аккаунт-менеджера</b>")


async def test_empty_inline_query_offers_popular_topics(bot: BotHarness) -> None:
    calls = await bot.feed(bot.updates.inline(""))
    assert [c.method for c in calls] == ["answerInlineQuery"]
    results = calls[0].params["results"]
    assert len(results) >= 3
    kb = bot.state.current.kb
    assert all(r["id"] in kb.topics and not r["id"].startswith("chat.") for r in results)
    assert calls[0].params["is_personal"] is True


async def test_empty_inline_query_prefers_what_people_ask(bot: BotHarness) -> None:
    for _ in range(2):
        await bot.say("Какая зарплата у аккаунт-менеджера?", lang="ru")
    await bot.say("Ko dara bankas klientu menedžeris?")
    (call,) = await bot.feed(bot.updates.inline(""))
    assert [r["id"] for r in call.params["results"]][:2] == ["salary.overview", "duties.bank"]


async def test_empty_inline_query_leaves_small_talk_out_of_what_people_ask(bot: BotHarness) -> None:
    """People greet and thank the bot more often than they ask anything: the most asked
    *topics* lead, never "Sveiciens"."""
    for i in range(3):
        await bot.say("Sveiki!", user_id=10 + i)
        await bot.say("Paldies!", user_id=10 + i)
    await bot.say("Какая зарплата у аккаунт-менеджера?", lang="ru")
    (call,) = await bot.feed(bot.updates.inline(""))
    ids = [r["id"] for r in call.params["results"]]
    assert ids == ["salary.overview"]
    assert "button" not in call.params


async def test_when_people_only_greeted_an_empty_query_lists_each_section(bot: BotHarness) -> None:
    for i in range(3):
        await bot.say("Sveiki!", user_id=20 + i)
    (call,) = await bot.feed(bot.updates.inline(""))
    kb = bot.state.current.kb
    assert [r["id"] for r in call.params["results"]] == [
        s.topic_ids[0] for s in kb.sections if s.id != "chat"]


async def test_nonsense_inline_query_offers_to_open_the_bot(bot: BotHarness) -> None:
    calls = await bot.feed(bot.updates.inline("qwxzv jjjj"))
    assert [c.method for c in calls] == ["answerInlineQuery"]
    assert calls[0].params["results"] == []
    button = calls[0].params["button"]
    assert button["text"] == replies.inline_open_bot_label("lv")
    # the button opens the bot with the greeting
    (greeting,) = await bot.command("start", button["start_parameter"])
    assert greeting.text == replies.start_reply(bot.state.current.kb, "lv").text


async def test_nonsense_inline_query_in_russian_offers_the_bot_in_russian(bot: BotHarness) -> None:
    (call,) = await bot.feed(bot.updates.inline("фывапр олдж", lang="lv"))
    assert call.params["results"] == []
    assert call.params["button"]["text"] == replies.inline_open_bot_label("ru")


async def test_a_job_query_unsure_between_topics_still_lists_them(bot: BotHarness) -> None:
    """Read two ways by the two signals (P under the "did you mean" threshold), yet plainly
    about the job: the recruiter gets the topics to share, not only "open the bot"."""
    (call,) = await bot.feed(bot.updates.inline(
        "что это за должность такая — менеджер по работе с клиентами?", lang="ru"))
    assert "role.definition" in [r["id"] for r in call.params["results"]]


async def test_small_talk_is_no_inline_article(bot: BotHarness) -> None:
    (call,) = await bot.feed(bot.updates.inline("sveiki"))
    assert not [r for r in call.params["results"] if r["id"].startswith("chat.")]


async def test_descriptions_are_cut_at_word_boundaries(bot: BotHarness) -> None:
    for query in ("alga", "pienākumi", "", "karjera", "резюме"):
        (call,) = await bot.feed(bot.updates.inline(query, user_id=4000 + len(query)))
        for article in call.params["results"]:
            description = article["description"]
            assert 0 < len(description) <= replies.DESCRIPTION_LIMIT
            body = " ".join(html.unescape(
                article["input_message_content"]["message_text"]).split("\n\n", 1)[1].split())
            if not description.endswith("…"):  # the whole answer fits
                assert description == body
                continue
            kept = description[:-1]
            assert body.startswith(kept), (kept, body[:150])
            after = body[len(kept):]
            assert after[:1] in (" ", ",", ".", ";", ":", "—", "-"), (description, after[:20])


async def test_inline_link_label_is_localized(bot: BotHarness, tg_html: TgHtml) -> None:
    (call,) = await bot.feed(bot.updates.inline("alga"))
    text = call.params["results"][0]["input_message_content"]["message_text"]
    assert "Ask the bot" not in tg_html(text)
