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
    ChooseTopic,
    FileOffTopic,
    FileUnder,
    OpenSection,
    OpenTopic,
    SetLanguage,
    Share,
    ShowMenu,
    ShowQuestion,
    SkipQuestion,
    UnansweredPage,
    Unlearn,
    Vote,
)
from bot.admin_replies import (
    choose_section_reply,
    choose_topic_reply,
    filed_reply,
    learned_list_reply,
    unanswered_card,
    unanswered_footer,
    unlearned_reply,
)
from bot.knowledge.listing_filters import FILTER_IDS
from bot.knowledge.model import LEARNED_FILE, KnowledgeBase, LearnedQuestion, Source
from bot.learning import Learned, Unanswered, question_key
from bot.matcher.decide import Matcher
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
    UnansweredPage("newest", 0),
    UnansweredPage("most", 15),
    ShowQuestion("c0cf06fd7e"),
    FileUnder("c0cf06fd7e", "candidate.requirements"),
    FileOffTopic("c0cf06fd7e"),
    ChooseTopic("c0cf06fd7e"),
    ChooseTopic("c0cf06fd7e", "job_description"),
    SkipQuestion("c0cf06fd7e"),
    Unlearn("q3f9c2a1b"),
    Unlearn("q3f9c2a1b", listed=True),
]
# The encoded forms are fixed: buttons under messages sent before an upgrade still work.
WIRE = ["menu", "s:duties", "t:duties.bank", "mt:duties.bank",
        "t:salary.overview~bank,no_experience", "lang:lv", "lang:ru", "f:+:salary.overview",
        "f:-:salary.overview", "share:candidate.cv",
        "uq:n:0", "uq:m:15", "uc:c0cf06fd7e", "uf:c0cf06fd7e:candidate.requirements",
        "uo:c0cf06fd7e", "ub:c0cf06fd7e", "ub:c0cf06fd7e:job_description", "us:c0cf06fd7e",
        "uu:q3f9c2a1b", "luu:q3f9c2a1b"]


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
    section = max((s.id for s in kb.sections), key=len)
    ref, entry = "f" * 10, "x" * 32  # learning.reference(); the longest id learned.yaml allows
    for action in (OpenTopic(with_figures, two_longest), OpenTopic(longest, from_menu=True),
                   Vote(longest, up=False), Share(longest), FileUnder(ref, longest),
                   ChooseTopic(ref, section), Unlearn(entry, listed=True),
                   UnansweredPage("most", 99_999)):
        assert len(action.encode().encode()) <= MAX_DATA, action


@pytest.mark.parametrize("data", [
    "", "MENU", "menu ", "menux", "s:", "s:Duties", "s:duties\x00", "t:nosuch", "t:duties.bank~",
    "t:duties.bank~bank~it", "xt:duties.bank", "mt:", "lang:en", "lang:", "lang:lv\n",
    "f:duties.bank", "f:x:duties.bank", "f::duties.bank", "f:+:duties.bank:extra",
    "share:", "share:duties", "t:" + "ā" * 40, "mt:duties.bank" + "x" * 60,
    # admins' buttons: a question's reference is 10 hex digits, never its text
    "uq:", "uq:x:0", "uq:n:", "uq:n:01", "uq:n:-5", "uq:n:100000", "uc:", "uc:C0CF06FD7E",
    "uc:c0cf06fd7", "uc:c0cf06fd7e0", "uf:c0cf06fd7e", "uf:c0cf06fd7e:", "uf::duties.bank",
    "uf:c0cf06fd7e:duties", "uo:vai vajag", "ub:c0cf06fd7e:", "ub:c0cf06fd7e:Duties",
    "us:c0cf06fd7e\n", "uu:", "uu:q3f9 c2a1b", "uu:" + "x" * 33, "luu:", "lluu:q3f9c2a1b",
    "uu:q3f9c2a1b/../x",
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


def test_every_button_the_admin_replies_make_round_trips(kb: KnowledgeBase,
                                                        matcher: Matcher) -> None:
    """The learning screens' buttons: ids only, whatever the question's letters."""
    text = "vai vajag autovadītāja apliecību — нужны ли права?"
    longest = max(kb.topics, key=len)
    question = Unanswered(text, 3, 1_700_000_000.0, "lv", "none",
                          (longest, "candidate.requirements"), None, question_key(text))
    entries = [LearnedQuestion(f"q{i}" + "x" * 28, longest if i % 2 else None, "ru", text,
                               "1", "", Source(LEARNED_FILE, i)) for i in range(12)]
    done = Learned(entries[1], (), matcher.decide(text))
    made = [unanswered_card(kb, question, "lv", 3, 12), unanswered_footer("most", 5, 5, 12, "ru"),
            choose_section_reply(kb, question, "ru"),
            *(choose_topic_reply(kb, question, s.id, "lv") for s in kb.sections),
            filed_reply(kb, done, "lv"), unlearned_reply(kb, done, "ru", unanswered=True),
            learned_list_reply(kb, entries, "lv")]
    datas = [b.data for reply in made if reply for row in reply.buttons for b in row]
    assert len(datas) > 60
    for reply in made:
        assert reply is not None
        for row in reply.buttons:
            for button in row:
                assert actions.parse(button.data) == button.action
                assert button.data.isascii() and len(button.data.encode()) <= MAX_DATA
