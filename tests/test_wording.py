"""Where the wording is the point: Latvian and Russian as people write them.

Most tests compare what the bot sends with what the core builds (a wording fix breaks
none of them); these pin what a reviewer of the two languages asked for.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.knowledge.model import KnowledgeBase
from bot.replies import language_set_reply, share_reply, unknown_reply

REPO = Path(__file__).resolve().parents[1]


def translations(lang: str) -> list[str]:
    with (REPO / "locales" / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    out: list[str] = []
    for message in catalog:
        if message.id:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            out += [str(text) for text in strings]
    return out


@pytest.mark.parametrize("lang", ["lv", "ru"])
def test_no_english_quotes_and_no_gatavs(lang: str) -> None:
    """Latvian quotes „…”, Russian «…»; "Darīts", not the calque "Gatavs"."""
    for text in translations(lang):
        assert "“" not in text and '"' not in text, text
        assert not re.search(r"\bGatavs\b", text), text


def test_the_refusal_says_what_it_knows_in_whole_latvian_sentences() -> None:
    text = unknown_reply("lv").text
    assert text.startswith("Atvainojiet, to es nezinu.")
    assert "par pienākumiem, amata aprakstu, prasībām un īpašībām" in text
    assert "profesiju: pienākumi" not in text  # a list of nominatives after "par …"


def test_the_russian_refusal_declines_its_list() -> None:
    assert "об обязанностях, должностной инструкции, требованиях и качествах" in \
        unknown_reply("ru").text


def test_the_language_switch_answers_in_the_chosen_language() -> None:
    assert language_set_reply("lv").text == "Labi, turpmāk atbildēšu latviski."
    assert language_set_reply("ru").text == "Готово, буду отвечать по-русски."


def test_a_shared_title_is_quoted_as_each_language_quotes(kb: KnowledgeBase) -> None:
    lv = share_reply(kb, "duties.bank", "lv", "TestAmBot").text
    ru = share_reply(kb, "duties.bank", "ru", "TestAmBot").text
    assert lv.startswith("Saite uz „Konta pārvaldnieks bankā”:")
    assert ru.startswith("Ссылка на «Клиентский менеджер в банке»:")
