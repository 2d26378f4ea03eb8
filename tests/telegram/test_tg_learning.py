"""Admins teach the bot in Telegram (bot/telegram/filing.py): /unanswered shows what users
asked and the bot could not answer, a tap files a question under a topic (or as
off-topic), the bot answers it from then on, and undo takes it back — through the real
Application, the one fake Bot API, a real SQLite file and a copy of the shipped knowledge
base that learning writes to (learned.yaml), retrained at every reload."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from telegram import Update

from bot import admin_replies, learning
from bot.actions import FileOffTopic, FileUnder, Unlearn
from bot.conversation import stored_form
from bot.knowledge.errors import Problem
from bot.knowledge.loader import load_knowledge
from bot.knowledge.model import LEARNED_FILE, KnowledgeBase, LearnedQuestion, Source
from bot.learning import Learned, file_question, question_key, reference
from bot.matcher.decide import Matcher
from bot.replies import answer_reply, expired_reply, unknown_command_reply, unknown_reply
from bot.telegram.flood import FloodGuard
from tests.bot_api import Call
from tests.telegram.harness import BotHarness, MakeBot, TgHtml

# Users' questions written for these tests (never from an evaluation set). The shipped
# knowledge base does not answer them as an admin would file them; each test shows that
# first, so a matcher that learns them by itself is noticed, not silently passed.
CERTIFICATE = "vai prasa veselības grāmatiņu"  # → candidate.requirements
CERTIFICATE_TOPIC = "candidate.requirements"
CERTIFICATE_TITLE = "Darba devēju prasības"
SHOP = "как стать заведующим складом"  # a warehouse head, not this job: must be refused
USER = 1001
OFF_DOMAIN = [  # nothing to do with the job: "I don't know" or "did you mean"
    "Kā audzēt gurķus uz balkona?",
    "Kur nopirkt lētu velosipēdu Rīgā?",
    "Kāds laiks būs rīt Liepājā?",
    "Как сварить борщ без свёклы?",
    "Kā salabot pilošu krānu virtuvē?",
    "Где посмотреть расписание электричек?",
    "Kāpēc kaķis naktī skraida pa māju?",
]


def roomy(bot: BotHarness) -> BotHarness:
    """An admin here presses more buttons than the flood guard lets a user press in 10 s
    (tests/telegram/test_tg_flood.py is about that)."""
    bot.app.bot_data.services.flood = FloodGuard(limit=1000)
    return bot


@pytest.fixture
async def teach(make_bot: MakeBot, knowledge_copy: Path) -> BotHarness:
    """The bot on a copy of the shipped knowledge base, which filing writes."""
    return roomy(await make_bot(knowledge_dir=knowledge_copy))


@pytest.fixture
async def browse(bot: BotHarness) -> BotHarness:
    """The bot on the shipped knowledge base, for tests that file nothing."""
    return roomy(bot)


def learned_yaml(bot: BotHarness) -> bytes:
    return (bot.state.directory / LEARNED_FILE).read_bytes()


def card_of(calls: list[Call], question: str) -> Call:
    """The /unanswered message of one question."""
    stored = stored_form(question)  # as storage keeps it (case, ё folded)
    found = [c for c in calls if f"„{stored}”" in c.text or f"«{stored}»" in c.text]
    assert len(found) == 1, [c.text for c in calls]
    return found[0]


def data_of(call: Call, label: str) -> str:
    """The callback data of the button with this label."""
    found = [data for row in call.keyboard for text, data in row if text == label]
    assert len(found) == 1, (label, call.keyboard)
    return found[0]


def methods(calls: list[Call]) -> list[str]:
    return [c.method for c in calls]


def toast(calls: list[Call]) -> str:
    assert calls[0].method == "answerCallbackQuery"
    return str(calls[0].params.get("text", ""))


# -- the whole loop ----------------------------------------------------------------------------


@pytest.mark.slow  # retrains the matcher twice
async def test_an_admin_files_a_question_the_bot_answers_it_and_undo_takes_it_back(
        teach: BotHarness, tg_html: TgHtml) -> None:
    bot = teach
    original = learned_yaml(bot)
    (before,) = await bot.say(CERTIFICATE, user_id=USER)
    assert before.text == unknown_reply("lv").text  # the bot does not know it yet

    # the admin's /unanswered shows it, with the bot's guesses as buttons
    listed = await bot.command("unanswered", user_id=bot.admin_id)
    card = card_of(listed, CERTIFICATE)
    ref = reference(question_key(CERTIFICATE))
    assert tg_html(card.text).splitlines()[0] == f"❓ 1/1 · „{CERTIFICATE}”"
    assert (CERTIFICATE_TITLE, FileUnder(ref, CERTIFICATE_TOPIC).encode()) in card.keyboard[0] + \
        card.keyboard[1] + card.keyboard[2]
    assert card.keyboard[-2:] == [[("📂 Cita tēma…", f"ub:{ref}")],
                                  [("🚫 Ārpus tēmas", f"uo:{ref}"), ("⏭ Izlaist", f"us:{ref}")]]

    # one tap files it: the message turns into the confirmation, with undo
    filed = await bot.press(data_of(card, CERTIFICATE_TITLE), user_id=bot.admin_id)
    assert toast(filed) == "Saglabā… bots to mācās."
    assert methods(filed) == ["answerCallbackQuery", "editMessageText"]
    [entry] = load_knowledge(bot.state.directory).learned
    assert tg_html(filed[1].text) == (
        f"✅ Saglabāts: „{CERTIFICATE}” → „{CERTIFICATE_TITLE}”. Tagad bots uz to atbild ar šo tēmu.")
    assert filed[1].keyboard == [[("↩️ Atsaukt", f"uu:{entry.id}")]]

    # learned.yaml holds exactly that entry, added after what was there
    assert (entry.topic, entry.lang, entry.text, entry.by) == (
        CERTIFICATE_TOPIC, "lv", CERTIFICATE, str(bot.admin_id))
    text = learned_yaml(bot)
    assert text.startswith(original)
    assert text[len(original):].decode().splitlines()[:5] == [
        f"  - id: {entry.id}", f"    topic: {CERTIFICATE_TOPIC}", "    lang: lv",
        f'    text: "{CERTIFICATE}"', f"    by: {bot.admin_id}"]

    # the same question is now answered with that topic
    (after,) = await bot.say(CERTIFICATE, user_id=USER)
    kb = bot.state.current.kb
    assert after.text == answer_reply(kb, CERTIFICATE_TOPIC, "lv", query=CERTIFICATE).text
    # and it has left /unanswered: its buttons have expired
    assert [c.text for c in await bot.command("unanswered", user_id=bot.admin_id)] == [
        admin_replies.no_unanswered_reply("lv").text]
    stale = await bot.press(data_of(card, CERTIFICATE_TITLE), user_id=bot.admin_id)
    assert methods(stale) == ["answerCallbackQuery"] and toast(stale) == expired_reply("lv").text

    # undo: the file is as it was, byte for byte, and so is the answer
    undone = await bot.press(f"uu:{entry.id}", user_id=bot.admin_id)
    assert toast(undone) == "Atceļ… bots mācās no jauna."
    assert tg_html(undone[1].text) == (
        f"↩️ Atsaukts: jautājums „{CERTIFICATE}” vairs nav saglabāts pie tēmas „{CERTIFICATE_TITLE}”. "
        "Tagad bots atbild, ka nezina.")
    assert undone[1].keyboard == [[("⬅️ Atpakaļ pie jautājuma", f"uc:{ref}")]]
    assert learned_yaml(bot) == original
    (again,) = await bot.say(CERTIFICATE, user_id=USER)
    assert (again.text, again.keyboard) == (before.text, before.keyboard)
    # back to the question: its buttons again, to file it right
    back = await bot.press(f"uc:{ref}", user_id=bot.admin_id)
    assert back[1].method == "editMessageText"
    assert back[1].keyboard[-2:] == card.keyboard[-2:]


@pytest.mark.slow  # retrains the matcher
async def test_off_topic_makes_the_bot_refuse_the_question_with_confidence(
        teach: BotHarness, tg_html: TgHtml) -> None:
    """A Russian admin files a Russian question as off-topic (everything in Russian)."""
    bot = teach
    (before,) = await bot.say(SHOP, user_id=USER, lang="ru")
    assert before.text != unknown_reply("ru").text  # today it takes the warehouse for this job

    card = card_of(await bot.command("unanswered", user_id=bot.admin_id, lang="ru"), SHOP)
    assert card.keyboard[-1][0] == ("🚫 Не по теме", FileOffTopic(reference(question_key(SHOP))).encode())
    filed = await bot.press(card.keyboard[-1][0][1], user_id=bot.admin_id, lang="ru")
    assert tg_html(filed[1].text) == (
        f"✅ Сохранено как вопрос не по теме: «{SHOP}». Теперь бот отказывается на него отвечать.")
    [entry] = load_knowledge(bot.state.directory).learned
    assert (entry.topic, entry.lang, entry.text) == (None, "ru", SHOP)
    assert f"    topic: off-topic\n    lang: ru\n    text: \"{SHOP}\"\n" in learned_yaml(bot).decode()

    (after,) = await bot.say(SHOP, user_id=USER, lang="ru")
    assert (after.text, after.keyboard) == (unknown_reply("ru").text, [[("📚 Все темы", "menu")]])
    # refused because the model puts "off-topic" first, not for a lack of words
    matcher = bot.state.current.matcher
    decision = matcher.decide(SHOP)
    assert (decision.outcome, decision.suggestions) == ("none", ())
    assert matcher.rank(SHOP).ood_first


# -- only admins --------------------------------------------------------------------------------


async def test_a_forged_learning_button_from_anyone_else_files_nothing(
        teach: BotHarness) -> None:
    """A user who learned (or guessed) the data of an admin's button, and an admin's
    button pressed in a group: refused like any forged data — the "expired" toast, and
    learned.yaml, the knowledge being served and storage stay as they were."""
    bot = teach
    await bot.say(CERTIFICATE, user_id=USER)
    card = card_of(await bot.command("unanswered", user_id=bot.admin_id), CERTIFICATE)
    filed = file_question(bot.state.directory, "career.cons", "lv", "vai darbs ir smags", "cli")
    original, served = learned_yaml(bot), bot.state.current
    forged = [*card.button_data, f"uu:{filed.id}", f"luu:{filed.id}", "uq:n:0", "uq:m:0"]
    for data in forged:
        for user_id in (USER, bot.admin_id + 1):
            calls = await bot.press(data, user_id=user_id)
            assert methods(calls) == ["answerCallbackQuery"], data
            assert toast(calls) == expired_reply("lv").text
    # an admin's own button, pressed in a group (the message forwarded there)
    for data in forged:
        update = bot.updates.callback(data, user_id=bot.admin_id)
        raw = update.to_dict()
        raw["callback_query"]["message"]["chat"] = {"id": bot.group_id, "type": "supergroup",
                                                    "title": "G"}
        in_group = Update.de_json(raw, bot.app.bot)
        assert in_group is not None
        calls = await bot.feed(in_group)
        assert methods(calls) == ["answerCallbackQuery"], data
        assert toast(calls) == expired_reply("lv").text
    assert learned_yaml(bot) == original
    assert bot.state.current is served  # nothing reloaded
    # and the commands look like any command the bot does not have
    for command in ("unanswered", "learned"):
        (reply,) = await bot.command(command, user_id=USER)
        assert reply.text == unknown_command_reply("lv").text


# -- the list -------------------------------------------------------------------------------


async def test_unanswered_is_paged_newest_or_most_asked_first(browse: BotHarness,
                                                              tg_html: TgHtml) -> None:
    bot = browse
    for i, question in enumerate(OFF_DOMAIN):  # the last one asked most, the first least
        for user in range(i + 1):
            (reply,) = await bot.say(question, user_id=2000 + user)
            assert not reply.text.startswith("<b>"), (question, reply.text)  # not answered
    first = await bot.command("unanswered", user_id=bot.admin_id)
    assert methods(first) == ["sendMessage"] * 6  # five questions, then the page
    newest = [stored_form(q) for q in reversed(OFF_DOMAIN)]
    assert [tg_html(c.text).splitlines()[0] for c in first[:5]] == [
        f"❓ {n}/7 · „{q}”" for n, q in enumerate(newest[:5], 1)]
    footer = first[-1]
    assert tg_html(footer.text) == "Jautājumi 1.–5. no 7, jaunākie vispirms."
    assert footer.keyboard == [[("Nākamie ▶️", "uq:n:5")], [("Biežāk uzdotie vispirms", "uq:m:0")]]

    second = await bot.press("uq:n:5", user_id=bot.admin_id)
    assert methods(second) == ["answerCallbackQuery", "editMessageReplyMarkup",
                               "sendMessage", "sendMessage", "sendMessage"]
    assert "reply_markup" not in second[1].params  # the old page's buttons are gone
    assert [tg_html(c.text).splitlines()[0] for c in second[2:4]] == [
        f"❓ {n}/7 · „{q}”" for n, q in enumerate(newest[5:], 6)]
    assert tg_html(second[-1].text) == "Jautājumi 6.–7. no 7, jaunākie vispirms."
    assert second[-1].keyboard == [[("◀️ Iepriekšējie", "uq:n:0")],
                                   [("Biežāk uzdotie vispirms", "uq:m:0")]]

    most = await bot.press("uq:m:0", user_id=bot.admin_id)
    lines = [tg_html(c.text).splitlines() for c in most[2:7]]
    assert [line[1].split(",")[0] for line in lines] == [
        "Jautāts 7 reizes", "Jautāts 6 reizes", "Jautāts 5 reizes", "Jautāts 4 reizes",
        "Jautāts 3 reizes"]
    assert tg_html(most[-1].text) == "Jautājumi 1.–5. no 7, biežāk uzdotie vispirms."
    assert most[-1].keyboard[-1] == [("Jaunākie vispirms", "uq:n:0")]
    # a page past the end (questions filed meanwhile) shows the last one
    past = await bot.press("uq:m:40", user_id=bot.admin_id)
    assert tg_html(past[-1].text) == "Jautājumi 6.–7. no 7, biežāk uzdotie vispirms."


async def test_another_topic_opens_the_menu_whose_topics_file_the_question(
        browse: BotHarness, tg_html: TgHtml) -> None:
    bot = browse
    await bot.say(CERTIFICATE, user_id=USER)
    card = card_of(await bot.command("unanswered", user_id=bot.admin_id), CERTIFICATE)
    ref = reference(question_key(CERTIFICATE))
    kb = bot.state.current.kb

    sections = await bot.press(data_of(card, "📂 Cita tēma…"), user_id=bot.admin_id)
    assert methods(sections) == ["answerCallbackQuery", "editMessageText"]
    assert tg_html(sections[1].text) == f"Kura tēma atbild uz „{CERTIFICATE}”? Izvēlieties sadaļu:"
    flat = [b for row in sections[1].keyboard for b in row]
    assert flat == [(s.title.get("lv"), f"ub:{ref}:{s.id}") for s in kb.sections] + [
        ("⬅️ Atpakaļ", f"uc:{ref}")]

    topics = await bot.press(f"ub:{ref}:candidate", user_id=bot.admin_id)
    assert tg_html(topics[1].text) == f"Kandidātam\nKura tēma atbild uz „{CERTIFICATE}”?"
    section = next(s for s in kb.sections if s.id == "candidate")
    assert topics[1].keyboard == [[(kb.topics[t].title.get("lv"), f"uf:{ref}:{t}")]
                                  for t in section.topic_ids] + [[("⬅️ Atpakaļ", f"ub:{ref}")]]
    assert (CERTIFICATE_TITLE, f"uf:{ref}:{CERTIFICATE_TOPIC}") in [b for row in topics[1].keyboard
                                                            for b in row]

    back = await bot.press(f"uc:{ref}", user_id=bot.admin_id)
    assert back[1].keyboard == card.keyboard  # the question again, as /unanswered showed it
    # a section that does not exist, and a question nobody asked: expired
    for data in (f"ub:{ref}:nosuch", "ub:0123456789", "uc:0123456789", "us:0123456789",
                 f"uf:0123456789:{CERTIFICATE_TOPIC}", f"uf:{ref}:nosuch.topic"):
        calls = await bot.press(data, user_id=bot.admin_id)
        assert methods(calls) == ["answerCallbackQuery"], data
        assert toast(calls) == expired_reply("lv").text


async def test_skip_leaves_the_question_for_later(browse: BotHarness, tg_html: TgHtml) -> None:
    bot = browse
    await bot.say(CERTIFICATE, user_id=USER)
    card = card_of(await bot.command("unanswered", user_id=bot.admin_id), CERTIFICATE)
    skipped = await bot.press(data_of(card, "⏭ Izlaist"), user_id=bot.admin_id)
    assert methods(skipped) == ["answerCallbackQuery", "editMessageText"]
    assert tg_html(skipped[1].text) == (
        f"⏭ Izlaists: „{CERTIFICATE}”. Tas paliek sarakstā /unanswered.")
    assert skipped[1].keyboard == []
    assert card_of(await bot.command("unanswered", user_id=bot.admin_id), CERTIFICATE)


# -- refusals, in the admin's language -------------------------------------------------------


async def test_a_question_filed_meanwhile_is_reported_not_filed_twice(teach: BotHarness,
                                                                     tg_html: TgHtml) -> None:
    """Filed from the shell (or by another admin) before this admin's tap: one line, in
    the admin's language; learned.yaml keeps one entry and the question its buttons."""
    bot = teach
    await bot.say(CERTIFICATE, user_id=USER)
    card_of(await bot.command("unanswered", user_id=bot.admin_id, lang="ru"), CERTIFICATE)
    file_question(bot.state.directory, CERTIFICATE_TOPIC, "lv", CERTIFICATE, "cli")
    before = learned_yaml(bot)
    calls = await bot.press(FileUnder(reference(question_key(CERTIFICATE)), "career.cons").encode(),
                            user_id=bot.admin_id, lang="ru")
    assert methods(calls) == ["answerCallbackQuery", "sendMessage"]  # the card stays
    title = bot.state.current.kb.topics[CERTIFICATE_TOPIC].title.get("ru")
    assert tg_html(calls[1].text) == (
        f"Вопрос «{CERTIFICATE}» уже сохранён в теме «{title}» — ничего не добавлено.")
    assert learned_yaml(bot) == before


async def test_a_directory_the_bot_cannot_write_is_one_line(teach: BotHarness, tg_html: TgHtml,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    bot = teach
    await bot.say(CERTIFICATE, user_id=USER)
    card = card_of(await bot.command("unanswered", user_id=bot.admin_id), CERTIFICATE)
    before, served = learned_yaml(bot), bot.state.current
    real_open = os.open

    def read_only(path: str | Path, flags: int, mode: int = 0o777, **kw: object) -> int:
        if str(path).endswith(".tmp"):  # root writes a read-only directory: refuse as it would
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, mode)

    monkeypatch.setattr(os, "open", read_only)
    calls = await bot.press(data_of(card, CERTIFICATE_TITLE), user_id=bot.admin_id)
    assert methods(calls) == ["answerCallbackQuery", "sendMessage"]
    assert tg_html(calls[1].text).startswith(
        "Nekas netika mainīts: bots nevar rakstīt savā zināšanu direktorijā.")
    assert learned_yaml(bot) == before and bot.state.current is served


async def test_a_refused_reload_is_reported_and_learned_yaml_put_back(
        teach: BotHarness, tg_html: TgHtml) -> None:
    bot = teach
    await bot.say(CERTIFICATE, user_id=USER)
    card = card_of(await bot.command("unanswered", user_id=bot.admin_id), CERTIFICATE)
    before, served = learned_yaml(bot), bot.state.current
    refused = [Problem("duties.yaml", 7, "a [list] is not closed")]
    def reload_refused(if_changed: bool = False) -> list[Problem]:  # an edit landed meanwhile
        return refused

    bot.state.reload = reload_refused  # type: ignore[method-assign]
    calls = await bot.press(data_of(card, CERTIFICATE_TITLE), user_id=bot.admin_id)
    assert methods(calls) == ["answerCallbackQuery", "sendMessage"]
    assert tg_html(calls[1].text).splitlines() == [
        f"Jautājums „{CERTIFICATE}” netika saglabāts: zināšanu bāze ar to nepārlādējās, tāpēc "
        "learned.yaml ir atjaunots, kāds tas bija. Problēmas:",
        "duties.yaml:7: a [list] is not closed"]
    assert learned_yaml(bot) == before and bot.state.current is served


# -- /learned --------------------------------------------------------------------------------


async def test_learned_lists_the_last_filed_questions_each_with_undo(
        teach: BotHarness, tg_html: TgHtml) -> None:
    bot = teach
    (empty,) = await bot.command("learned", user_id=bot.admin_id)
    assert tg_html(empty.text) == "Saglabātu jautājumu nav."
    original = learned_yaml(bot)
    first = file_question(bot.state.directory, CERTIFICATE_TOPIC, "lv", CERTIFICATE, bot.admin_id)
    second = file_question(bot.state.directory, None, "ru", SHOP, "cli")
    (listed,) = await bot.command("learned", user_id=bot.admin_id)
    lines = tg_html(listed.text).splitlines()
    assert lines[0] == "Pēdējie saglabātie jautājumi, jaunākie vispirms:"
    assert lines[1].startswith(f"1. „{SHOP}” → ārpus tēmas · ")
    assert lines[2].startswith(f"2. „{CERTIFICATE}” → „{CERTIFICATE_TITLE}” · ")
    assert listed.keyboard == [[("↩️ 1", f"luu:{second.id}"), ("↩️ 2", f"luu:{first.id}")]]

    undone = await bot.press(f"luu:{second.id}", user_id=bot.admin_id)
    assert methods(undone) == ["answerCallbackQuery", "editMessageText"]
    lines = tg_html(undone[1].text).splitlines()
    assert lines[0].startswith(f"↩️ Atsaukts: jautājums „{SHOP}” vairs nav atzīmēts kā ārpus "
                               "tēmas. Tagad bots ")
    assert lines[2:4] == ["Pēdējie saglabātie jautājumi, jaunākie vispirms:",
                          f"1. „{CERTIFICATE}” → „{CERTIFICATE_TITLE}” · " + lines[3].split(" · ")[1]]
    assert undone[1].keyboard == [[("↩️ 1", f"luu:{first.id}")]]
    assert [e.id for e in load_knowledge(bot.state.directory).learned] == [first.id]
    # the same undo again: nothing to undo, said in one line
    again = await bot.press(f"luu:{second.id}", user_id=bot.admin_id)
    assert tg_html(again[1].text) == "Nav ko atsaukt: šā jautājuma learned.yaml vairs nav."
    assert methods(again) == ["answerCallbackQuery", "sendMessage"]
    learning.undo(bot.state.directory, first.id)
    assert learned_yaml(bot) == original


# -- the confirmation tells the truth ------------------------------------------------------


def test_a_filed_question_the_bot_still_does_not_answer_that_way_is_said_so(
        kb: KnowledgeBase, matcher: Matcher) -> None:
    """Filing is no promise: the confirmation says what the retrained bot does (here, as
    if a question filed under a topic were still not known, and one filed as off-topic
    still offered topics)."""
    decision = matcher.decide(CERTIFICATE, "lv")
    assert decision.outcome == "none"
    entry = LearnedQuestion("q1", CERTIFICATE_TOPIC, "lv", CERTIFICATE, "1", "", Source(LEARNED_FILE, 20))
    done = Learned(entry, (), decision)
    assert not done.settled
    reply = admin_replies.filed_reply(kb, done, "lv")
    assert reply.text == (
        f"✅ Saglabāts: „{CERTIFICATE}” → „{CERTIFICATE_TITLE}”. Bots vēl neatbild uz to ar šo tēmu: "
        "tas atbild, ka nezina.")
    assert [b.data for row in reply.buttons for b in row] == [Unlearn("q1").encode()]
    shop = matcher.decide(SHOP, "ru")
    assert shop.outcome == "suggest"
    off = Learned(LearnedQuestion("q2", None, "ru", SHOP, "1", "", entry.source), (), shop)
    assert not off.settled
    titles = ", ".join(f"«{kb.topics[s.topic].title.get('ru')}»" for s in shop.suggestions)
    assert admin_replies.filed_reply(kb, off, "ru").text == (
        f"✅ Сохранено как вопрос не по теме: «{SHOP}». Бот пока не отказывается на него "
        f"отвечать: он предлагает {titles}.")
