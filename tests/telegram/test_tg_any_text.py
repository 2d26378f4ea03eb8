"""Any text in, one good reply out.

Property tests over arbitrary Unicode — control characters and NUL, RTL and zero-width
marks, emoji only, punctuation only, mixed scripts, real questions buried in noise, and
messages of 4,000–5,000 characters. Most examples go straight to the conversation core
(what every front end renders); several hundred go through the real Application and the
offline Telegram. Together over 10,000 generated inputs per run.

A good reply: no exception; exactly one message, or one split into parts of at most 4,096
characters with the keyboard on the last; valid Telegram HTML; in Latvian or Russian
(Russian text has Cyrillic in it, Latvian none, buttons included); buttons whose callback
data Telegram accepts (ASCII, ≤ 64 bytes); and on Telegram exactly what the core says.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot import conversation
from bot.replies import MAX_MESSAGE, Reply, split_message
from bot.state import KnowledgeState
from tests.telegram.harness import BotHarness, TgHtml

pytestmark = pytest.mark.slow  # over 10,000 generated messages

CYRILLIC = re.compile("[А-Яа-яЁё]")
_BASE = settings(deadline=None, suppress_health_check=list(HealthCheck))

# -- strategies -------------------------------------------------------------------------------

CONTROL = [chr(c) for c in (*range(0, 32), 127, *range(0x80, 0xA0))]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e", "\u034f"]
BIDI = ["\u200e", "\u200f", "\u061c", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
        "\u2066", "\u2067", "\u2068", "\u2069"]
RTL_LETTERS = list("אבגדהוזחטיכלמנסעפצקרשת") + list("ابتثجحخدذرزسشصضطظعغفقكلمنهوي")
LATVIAN = list("aābcčdeēfgģhiījkķlļmnņoprsštuūvzžAĀČĒĢĪĶĻŅŠŪŽ")
CYRILLIC_LETTERS = list("абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВЁЖЩЪЫ")
OTHER_SCRIPTS = list("中文日本語한국어ελληνικάქართულიհայերենमराठी") + ["𝔘", "𝕏", "Ω", "ß", "ﬁ"]
EMOJI = ["🙂", "👍", "👍🏽", "🇱🇻", "🇷🇺", "👨‍👩‍👧", "❤️", "🤖", "💶", "🧑🏻‍💼", "\ufe0f", "🏳️‍🌈"]
PUNCT = list("!?.,;:…—–-_()[]{}<>/\\|@#$%^&*+=~`'\"«»„“”‹›¿¡§¶•·°±×÷")
HTMLISH = ["<b>", "</b>", "<i>", "&amp;", "&", "&lt;", "<a href='x'>", "<script>", "&#0;",
           "<", ">", "</", "<tg-spoiler>", "&nbsp;"]
SPACES = [" ", "  ", "\n", "\t", "\r\n", "\u00a0", "\u2028", "\u2029", "\u3000"]
WORDS = ["alga", "zarplata", "зарплата", "pienākumi", "обязанности", "CV", "резюме",
         "karjera", "карьера", "konta", "pārvaldnieks", "аккаунт-менеджер", "klientu",
         "menedžeris", "prasības", "требования", "īpašības", "качества", "banka", "банк",
         "cik", "сколько", "kā", "как", "plusi", "минусы", "amata apraksts", "IT", "sveiki",
         "привет", "?", "!!!"]
QUESTIONS = ["Ko dara bankas klientu menedžeris?", "Какая зарплата у аккаунт-менеджера?",
             "kadi ir pienakumi", "kak napisat rezume", "Kādas prasības konta pārvaldniekam?",
             "плюсы и минусы профессии", "cik maksā", "alga?", "карьерный рост"]


def _chars(*pools: list[str]) -> st.SearchStrategy[str]:
    return st.sampled_from([c for pool in pools for c in pool])


def _str(*pools: list[str], min_size: int = 0, max_size: int = 40) -> st.SearchStrategy[str]:
    """Strings of the pools' items (some are several code points: ZWJ emoji, CRLF)."""
    return st.lists(_chars(*pools), min_size=min_size, max_size=max_size).map("".join)


HOSTILE = st.one_of(
    _str(CONTROL, SPACES),  # control characters, NUL, blanks
    _str(ZERO_WIDTH, BIDI, RTL_LETTERS, SPACES),  # right-to-left, invisible marks
    _str(EMOJI, min_size=1, max_size=20),  # emoji only
    _str(PUNCT, HTMLISH, min_size=1),  # punctuation, markup
    _str(LATVIAN, CYRILLIC_LETTERS, OTHER_SCRIPTS, RTL_LETTERS, EMOJI, PUNCT, ZERO_WIDTH,
         SPACES, list("0123456789"), max_size=80),  # mixed scripts
    st.lists(st.sampled_from(WORDS + HTMLISH + EMOJI + ZERO_WIDTH), max_size=12).map(" ".join),
)


@st.composite
def question_in_noise(draw: st.DrawFn) -> str:
    """A real question with noise spliced in, so answers and suggestions are covered."""
    q = draw(st.sampled_from(QUESTIONS))
    noise = draw(_str(ZERO_WIDTH, BIDI, EMOJI, PUNCT, HTMLISH, CONTROL, SPACES, max_size=6))
    at = draw(st.integers(0, len(q)))
    return draw(st.sampled_from([q[:at] + noise + q[at:], noise + q, q + noise, q.upper()]))


@st.composite
def long_message(draw: st.DrawFn) -> str:
    """4,000–5,000 characters: a repeated chunk of anything, a question somewhere."""
    chunk = draw(st.one_of(st.text(min_size=1, max_size=60), HOSTILE.filter(bool)))
    size = draw(st.integers(4000, 5000))
    body = (chunk * (size // len(chunk) + 1))[:size]
    q = draw(st.sampled_from(["", *QUESTIONS]))
    at = draw(st.integers(0, len(body)))
    return (body[:at] + q + body[at:])[:size]


# -- what a good reply is -------------------------------------------------------------------------


def check_reply(reply: Reply, lang: str, tg_html: Any) -> list[str]:
    """Assert the reply is good; return its parts as Telegram would receive them."""
    assert lang in ("lv", "ru") and reply.lang == lang
    assert reply.text.strip()
    parts = split_message(reply.text)
    assert parts and all(0 < len(p) <= MAX_MESSAGE for p in parts)
    visible = "".join(tg_html(p) for p in parts)
    labels = " ".join(b.label for row in reply.buttons for b in row)
    assert bool(CYRILLIC.search(visible)) == (lang == "ru"), (lang, visible[:200])
    if lang == "lv":
        assert not CYRILLIC.search(labels), labels
    for row in reply.buttons:
        for b in row:
            assert b.label.strip()
            assert b.data.isascii() and 0 < len(b.data.encode()) <= 64
    return parts


def ask_core(served: Any, text: str, lang: str, tg_html: Any) -> None:
    answered = conversation.ask(served, text, lang)
    d = answered.decision
    assert d.outcome in ("answer", "suggest", "none")
    assert (d.topic is not None) == (d.outcome == "answer")
    check_reply(answered.reply, d.lang, tg_html)


# -- the core: most of the examples ------------------------------------------------------------


@settings(_BASE, max_examples=3500)
@given(text=st.text(), lang=st.sampled_from(["lv", "ru"]))
@example(text="\x00", lang="lv")
@example(text="", lang="ru")
@example(text="\ud800\udfff lone surrogates \udcff", lang="lv")
@example(text="\u202e\u200f\u200b", lang="ru")
def test_any_unicode_gets_one_good_reply(shipped_state: KnowledgeState, tg_html: TgHtml, text: str,
                                         lang: str) -> None:
    ask_core(shipped_state.current, text, lang, tg_html)


@settings(_BASE, max_examples=3500)
@given(text=HOSTILE, lang=st.sampled_from(["lv", "ru"]))
def test_hostile_text_gets_one_good_reply(shipped_state: KnowledgeState, tg_html: TgHtml, text: str,
                                          lang: str) -> None:
    ask_core(shipped_state.current, text, lang, tg_html)


@settings(_BASE, max_examples=2500)
@given(text=question_in_noise(), lang=st.sampled_from(["lv", "ru"]))
def test_real_questions_in_noise_get_one_good_reply(shipped_state: KnowledgeState, tg_html: TgHtml, text: str,
                                                    lang: str) -> None:
    ask_core(shipped_state.current, text, lang, tg_html)


@settings(_BASE, max_examples=120)
@given(text=long_message(), lang=st.sampled_from(["lv", "ru"]))
@example(text="alga " * 1000, lang="lv")
@example(text="\x00" * 5000, lang="ru")
def test_5000_character_messages_get_one_good_reply(shipped_state: KnowledgeState, tg_html: TgHtml, text: str,
                                                    lang: str) -> None:
    ask_core(shipped_state.current, text, lang, tg_html)


# -- through the real Application and the offline Telegram ----------------------------------------

_user_ids = itertools.count(3_000_000)  # a fresh user per example: the flood guard stays out


async def _through_telegram(bot: Any, tg_html: Any, text: str, tg_lang: str | None) -> None:
    uid = next(_user_ids)
    calls = await bot.say(text, user_id=uid, lang=tg_lang)
    assert calls, "no reply"
    assert all(c.method == "sendMessage" and c.chat_id == uid for c in calls), calls
    assert all(c.params.get("parse_mode") == "HTML" for c in calls)
    assert all(not c.keyboard for c in calls[:-1])  # the keyboard only on the last part
    if not text:  # Telegram never sends an empty text; the bot treats it as non-text
        assert len(calls) == 1
        tg_html(calls[0].text)
        return
    served = bot.state.current
    lang, _ = conversation.language_for(tg_lang)
    expected = conversation.ask(served, text, lang).reply
    parts = check_reply(expected, expected.lang, tg_html)
    assert [c.text for c in calls] == parts  # exactly the core's reply, split the same way
    assert [b for c in calls for b in c.button_data] == \
        [b.data for row in expected.buttons for b in row]
    assert bot.rows("questions", uid) == 1  # recorded once


@settings(_BASE, max_examples=350)
@given(text=st.one_of(st.text(), HOSTILE, question_in_noise()),
       tg_lang=st.sampled_from(["lv", "ru", "en", "uk", None]))
@example(text="\x00", tg_lang="lv")
@example(text="", tg_lang="ru")
@example(text="/start", tg_lang="lv")  # looks like a command, has no command entity
async def test_any_text_through_the_application(bot: BotHarness, tg_html: TgHtml, text: str,
                                                tg_lang: str | None) -> None:
    await _through_telegram(bot, tg_html, text, tg_lang)


@settings(_BASE, max_examples=40)
@given(text=long_message(), tg_lang=st.sampled_from(["lv", "ru", None]))
async def test_5000_characters_through_the_application(bot: BotHarness, tg_html: TgHtml, text: str,
                                                       tg_lang: str | None) -> None:
    await _through_telegram(bot, tg_html, text, tg_lang)
