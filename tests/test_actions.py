"""Every kind of button, encoded and parsed in one place (bot/actions.py): what a button
carries comes back as the same typed action, fits Telegram's 64 bytes, and anything else
parses as nothing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import actions
from bot.actions import (
    KINDS,
    MAX_DATA,
    Action,
    OpenSection,
    OpenTopic,
    SetLanguage,
    Share,
    ShowMenu,
    Vote,
)
from bot.knowledge.listing_filters import FILTER_IDS
from bot.knowledge.model import KnowledgeBase
from bot.replies import answer_reply, section_reply, start_reply, topics_reply

EXAMPLES: list[Action] = [
    ShowMenu(),
    OpenSection("duties"),
    OpenTopic("duties.bank"),
    OpenTopic("duties.bank", from_menu=True),
    OpenTopic("salary.overview", ("bank", "no_experience")),
    SetLanguage("lv"),
    SetLanguage("ru"),
    Vote("salary.overview", up=True),
    Vote("salary.overview", up=False),
    Share("candidate.cv"),
]
# The encoded forms are fixed: buttons under messages sent before an upgrade still work.
WIRE = ["menu", "s:duties", "t:duties.bank", "mt:duties.bank",
        "t:salary.overview~bank,no_experience", "lang:lv", "lang:ru", "f:+:salary.overview",
        "f:-:salary.overview", "share:candidate.cv"]


def test_every_kind_has_an_example() -> None:
    assert {type(a) for a in EXAMPLES} == set(KINDS)


@pytest.mark.parametrize(("action", "data"), list(zip(EXAMPLES, WIRE, strict=True)))
def test_encoded_forms_are_stable_and_parse_back(action: Action, data: str) -> None:
    assert action.encode() == data
    assert actions.parse(data) == action
    assert type(action).parse(data) == action
    assert type(action).pattern.match(data)  # what routes it to its handler


def test_each_pattern_routes_only_its_own_kind() -> None:
    for action, data in zip(EXAMPLES, WIRE, strict=True):
        routed = [kind for kind in KINDS if kind.pattern.match(data)]
        assert routed == [type(action)], data


def test_the_longest_ids_fit_in_64_bytes(kb: KnowledgeBase) -> None:
    longest = max(kb.topics, key=len)
    with_figures = max((t for t in kb.topics if kb.topics[t].facts == "salary"), key=len)
    two_longest = tuple(sorted(FILTER_IDS, key=len)[-2:])  # only salary topics carry filters
    for action in (OpenTopic(with_figures, two_longest), OpenTopic(longest, from_menu=True),
                   Vote(longest, up=False), Share(longest)):
        assert len(action.encode().encode()) <= MAX_DATA, action


@pytest.mark.parametrize("data", [
    "", "MENU", "menu ", "menux", "s:", "s:Duties", "s:duties\x00", "t:nosuch", "t:duties.bank~",
    "t:duties.bank~bank~it", "xt:duties.bank", "mt:", "lang:en", "lang:", "lang:lv\n",
    "f:duties.bank", "f:x:duties.bank", "f::duties.bank", "f:+:duties.bank:extra",
    "share:", "share:duties", "t:" + "ā" * 40, "mt:duties.bank" + "x" * 60,
])
def test_anything_else_parses_as_nothing(data: str) -> None:
    assert actions.parse(data) is None
    assert not any(kind.parse(data) for kind in KINDS)


@given(st.text(max_size=80))
def test_parse_never_raises_and_round_trips(data: str) -> None:
    action = actions.parse(data)
    assert action is None or action.encode() == data


def test_every_button_the_replies_make_is_an_action_that_round_trips(kb: KnowledgeBase) -> None:
    replies = [start_reply(kb, "lv", offer_switch=True), topics_reply(kb, "ru"),
               *(section_reply(kb, s.id, "lv") for s in kb.sections),
               *(answer_reply(kb, t, "ru", back=True) for t in kb.topics)]
    for reply in replies:
        for row in reply.buttons:
            for button in row:
                assert actions.parse(button.data) == button.action
                assert button.data.isascii() and len(button.data.encode()) <= MAX_DATA
