"""Answers longer than Telegram's 4096 characters are split on paragraph boundaries;
the keyboard goes with the last part and every part is valid HTML on its own."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from bot.replies import MAX_MESSAGE, split_message
from tests.telegram.harness import MakeBot, TgHtml

BANK_LAST_LV = "        Katrā bankā šis saraksts var būt papildināts, saīsināts vai nedaudz atšķirīgs.\n"


def _squash(text: str) -> str:
    return "".join(text.split())


def test_short_text_is_one_part() -> None:
    assert split_message("īss teksts") == ["īss teksts"]
    assert split_message("x" * MAX_MESSAGE) == ["x" * MAX_MESSAGE]


def test_5000_characters_are_split_on_paragraphs() -> None:
    paragraphs = [f"{i:02d} " + "vārds " * 40 for i in range(21)]  # ~5000 characters
    text = "\n\n".join(p.strip() for p in paragraphs)
    assert 4096 < len(text) < 6000
    parts = split_message(text)
    assert len(parts) == 2
    assert all(0 < len(p) <= MAX_MESSAGE for p in parts)
    assert "\n\n".join(parts) == text  # cut exactly between paragraphs
    assert parts[1].startswith(paragraphs[len(parts[0].split("\n\n"))][:3])


def test_one_huge_paragraph_is_split_on_lines_then_hard() -> None:
    lines = "\n".join(f"• rinda {i} " + "z" * 90 for i in range(60))
    huge_line = "y" * 9000
    text = f"<b>Virsraksts</b>\n\n{lines}\n{huge_line}"
    parts = split_message(text)
    assert all(0 < len(p) <= MAX_MESSAGE for p in parts)
    assert _squash("".join(parts)) == _squash(text)
    assert parts[0].startswith("<b>Virsraksts</b>")


@pytest.mark.parametrize("seed", range(30))
def test_random_texts_keep_content_and_limits(seed: int) -> None:
    rnd = random.Random(seed)
    words = ["alga", "<b>", "&amp;", "konta", "pārvaldnieks", "\n", "\n\n", "менеджер",
             "x" * rnd.randint(1, 300)]
    text = " ".join(rnd.choice(words) for _ in range(rnd.randint(1, 3000)))
    limit = rnd.choice([MAX_MESSAGE, 500, 120])
    parts = split_message(text, limit)
    assert all(len(p) <= limit for p in parts)
    assert all(p.strip() for p in parts), "no empty message may be sent"
    assert _squash("".join(parts)) == _squash(text)


def test_hard_split_never_cuts_an_html_entity() -> None:
    # a single line longer than the limit that has an entity straddling the cut
    text = "a" * (MAX_MESSAGE - 2) + "&amp;" + "b" * 100
    parts = split_message(text)
    assert all(len(p) <= MAX_MESSAGE for p in parts)
    assert "".join(parts) == text
    for p in parts:
        assert p.count("&") == p.count("&amp;")


@pytest.fixture
def long_knowledge(knowledge_copy: Path) -> Path:
    """The bank topic's Latvian answer grown past 5000 characters."""
    path = knowledge_copy / "duties.yaml"
    source = path.read_text(encoding="utf-8")
    assert source.count(BANK_LAST_LV) == 1
    extra = "".join(f"        {i}. papildu rindkopa par bankas darbu & klientiem — "
                    + "konsultācijas, līgumi, atskaites, " * 4 + "beigas.\n\n"
                    for i in range(1, 31))
    path.write_text(source.replace(BANK_LAST_LV, extra + BANK_LAST_LV), encoding="utf-8")
    return knowledge_copy


@pytest.mark.slow
async def test_long_answer_arrives_in_parts_with_keyboard_last(make_bot: MakeBot, long_knowledge: Path,
                                                               tg_html: TgHtml) -> None:
    bot = await make_bot(knowledge_dir=long_knowledge)
    answer = bot.state.current.kb.answer("duties.bank", "lv")
    assert len(answer) > 5000
    calls = await bot.say("Ko dara bankas klientu menedžeris?")
    assert [c.method for c in calls] == ["sendMessage"] * len(calls)
    assert len(calls) >= 2
    for c in calls:
        assert c.chat_id == 1001
        assert c.params["parse_mode"] == "HTML"
        assert 0 < len(c.text) <= MAX_MESSAGE
        tg_html(c.text)  # each part parses on its own
    assert all("reply_markup" not in c.params for c in calls[:-1])
    assert ("👍", "f:+:duties.bank") in [b for row in calls[-1].keyboard for b in row]
    assert calls[0].text.startswith("<b>Konta pārvaldnieks bankā</b>")
    visible = "\n\n".join(tg_html(c.text) for c in calls)
    assert "30. papildu rindkopa par bankas darbu & klientiem" in visible
    assert visible.rstrip().endswith("nedaudz atšķirīgs.")


@pytest.mark.slow
async def test_long_answer_opened_from_menu_is_sent_not_edited(make_bot: MakeBot,
                                                               long_knowledge: Path) -> None:
    bot = await make_bot(knowledge_dir=long_knowledge)
    calls = await bot.press("mt:duties.bank")
    methods = [c.method for c in calls]
    assert methods[0] == "answerCallbackQuery"
    assert "editMessageText" not in methods  # an edit cannot hold more than 4096 characters
    assert methods[1:] == ["sendMessage"] * (len(methods) - 1) and len(methods) >= 3
    assert calls[-1].keyboard[-1] == [("⬅️ Atpakaļ", "s:duties")]
