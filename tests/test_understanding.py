"""Messages as people write them in a chat: a greeting around the question, a story with
the question inside, two questions at once, and off-topic questions that share the
domain's words. The messages are written for these tests (not copied from the knowledge
files or any evaluation set)."""

from __future__ import annotations

import dataclasses
import io
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import localchat
from bot.knowledge.contract import SMALL_TALK
from bot.knowledge.loader import load_knowledge
from bot.knowledge.model import KnowledgeBase
from bot.matcher.decide import Matcher, arrange, choose, conclude
from bot.matcher.normalize import is_cyrillic
from bot.matcher.ranking import FEATURES
from bot.matcher.segments import asks_outright, question_part
from bot.replies import decision_reply
from bot.state import KnowledgeState

GREETING_AND_QUESTION = [
    ("Sveiki! Kādi ir konta pārvaldnieka pienākumi?", "duties.general", "lv"),
    ("Привет! Какие обязанности у аккаунт-менеджера?", "duties.general", "ru"),
    ("Labdien, man ir jautājums. Kā uzrakstīt CV klientu menedžera vakancei? Paldies!",
     "candidate.cv", "lv"),
    ("Добрый вечер) подскажите, какое образование нужно менеджеру по работе с клиентами? "
     "спасибо", "candidate.education", "ru"),
]

GREETING_AND_QUESTION += [
    # asked indirectly: after a negated verb of knowing, "kā"/"как" still asks
    ("Paldies! Bet es tā arī nesapratu, kā tikt pie šī darba bez pieredzes.",
     "candidate.no_experience", "lv"),
    # typed as into a search box, with no question word or mark: the role and what about it
    ("Привет! зарплата аккаунт менеджера", "salary.overview", "ru"),
    ("Sveiki! konta pārvaldnieka pienākumi", "duties.general", "lv"),
    # a short word in another case: "algu" is "alga" (no ending can be cut from four letters)
    ("Sveiki! Un kā ar algu?", "salary.overview", "lv"),
    # the role's name with a typo is still the role, not a bank "konts"
    ("sveiki, kadi ir konta parvalnieka pienakumi", "duties.general", "lv"),
    ("Здравствуйте. Требования к менеджеру по работе с клиентами. Спасибо",
     "candidate.requirements", "ru"),
]

STORIES: list[Any] = [  # (some are pytest.param, with a mark)
    ("Sveiki! Man ir 24 gadi, strādāju par kasieri lielveikalā Ogrē un gribu ko vairāk. "
     "Draudzene strādā par klientu menedžeri. Kādas personiskās īpašības vajag šim darbam? "
     "Esmu diezgan kautrīga.", "candidate.qualities", "lv"),
    ("Здравствуйте! Мне 41, двадцать лет проработал водителем в Пскове, спина уже не та. "
     "Хочу попробовать себя в офисе. Можно ли стать менеджером по работе с клиентами без "
     "опыта и без высшего образования?", "candidate.no_experience", "ru"),
    ("privet, mne 19, uchus v kolledzhe v Rige. skazhite, kakie obyazannosti u akkaunt "
     "menedzhera v banke? hochu tuda na praktiku", "duties.bank", "ru"),
    # "что-то новое" / "ko jaunu" (something new) ask nothing: the question is what follows
    ("Мне скоро на пенсию, но хочу попробовать что-то новое. обязанности менеджера по "
     "работе с клиентами в банке", "duties.bank", "ru"),
    # a story, then a query typed as into a search box: the query is the question
    ("Esmu pensijas priekšvakarā, bet gribu pamēģināt ko jaunu. klientu menedžera "
     "pienākumi bankā", "duties.bank", "lv"),
]

NEAR_MISSES = [
    "Kā atvērt kontu bankā?",
    # two off-topic questions in one: neither clause is about the job
    "Kā atvērt kontu bankā un cik tas maksā?", "права и обязанности арендатора",
    "как стать директором банка",
    "Сколько зарабатывает медсестра в больнице?",
    "Kādi ir projektu vadītāja pienākumi?",
    "какой тариф у оператора выгоднее для звонков?",
    "Labdien! Man 50, strādāju par grāmatvedi. Kā atvērt uzņēmuma kontu bankā un cik tas maksā?",
    "Sveiki! Kā izveidot jaunu Instagram kontu?",
    # the education a cook needs (dative), not a cook's diploma
    "Какое образование нужно повару?",
    # other occupations, asked with the words of our own topics
    "сколько получает прокурор", "kādas īpašības vajag tiesnesim",
    "какие качества нужны преподавателю", "cik pelna jūrnieks", "lektora alga",
    "kādas prasības ir zinātniekam",
    # a shop seller: the knowledge base names one only beside "manager" or in a phone shop
    "продавец в магазине обязанности", "обязанности продавца", "pārdevēja pienākumi",
    "pārdevējas alga veikalā", "zarplata prodavca",
    # a request after a greeting is a question, not more small talk
    "Здравствуйте, я Марина, мне 30. Посоветуйте хороший сериал",
    "Sveiki, esmu Jānis. Iesakiet labu filmu",
]


@pytest.mark.parametrize(("message", "topic", "lang"), GREETING_AND_QUESTION + STORIES)
def test_the_question_inside_a_chat_message_is_answered(
    matcher: Matcher, kb: KnowledgeBase, message: str, topic: str, lang: str
) -> None:
    d = matcher.decide(message)
    assert (d.outcome, d.topic, d.lang) == ("answer", topic, lang), d
    reply = decision_reply(kb, d)
    assert reply.text.startswith(f"<b>{kb.topics[topic].title.get(lang)}")


@pytest.mark.parametrize(("message", "topic"), [
    ("Sveiki!", "chat.greeting"),
    ("Čau! Esmu Anna no Cēsīm, šodien pirmo reizi šeit.", "chat.greeting"),
    ("Спасибо большое, всё понятно!", "chat.thanks"),
    # the writer's own job is the story, not a question about another occupation
    ("Labvakar! Esmu frizieris no Tukuma, man 31 gads, un vienkārši gribēju pasveicināt.",
     "chat.greeting"),
    ("Здравствуйте, я повар в столовой, мне 45, решила просто поздороваться.",
     "chat.greeting"),
    ("Liels paldies par atbildēm! Es esmu grāmatvede mazā firmā, tagad daudz skaidrāks.",
     "chat.thanks"),
    # a statement's "…, ka …" / "…, что …" is not a question asked
    ("Liels paldies! Mamma arī izlasīja un teica, ka viss skaidri uzrakstīts.", "chat.thanks"),
    ("Спасибо огромное! Муж прочитал и сказал, что всё понятно объяснено.", "chat.thanks"),
    # the role named in a reaction or in the writer's own story is not a query
    ("Paldies, tagad saprotu, ko dara konta pārvaldnieks!", "chat.thanks"),
    ("Спасибо, теперь понятно, чем занимается аккаунт-менеджер", "chat.thanks"),
    ("Paldies! Es arī strādāju par konta pārvaldnieku", "chat.thanks"),
    ("Привет, я тоже аккаунт-менеджер", "chat.greeting"),
    # a greeting that asks ("how are you?") word for word as the knowledge base has it
    ("Čau, kā iet?", "chat.greeting"),
    ("Привет! Как дела?", "chat.greeting"),
])
def test_small_talk_alone_is_answered_as_small_talk(matcher: Matcher, message: str,
                                                      topic: str) -> None:
    d = matcher.decide(message)
    assert (d.outcome, d.topic) == ("answer", topic), d


@pytest.mark.parametrize("message", ["ты кто?", "а ты кто такой?", "kas tu tāds esi?",
                                     "ну и кто ты такой вообще"])
def test_asking_who_the_bot_is_in_function_words_only_is_answered(matcher: Matcher,
                                                                   message: str) -> None:
    """Words only of the kind every question has: the index matches them against the
    knowledge base's such questions ("Кто ты?", "Kas tu esi?") in any order, with more
    around them, and the classifier, which learnt nothing from them, does not overrule."""
    d = matcher.decide(message)
    assert (d.outcome, d.topic) == ("answer", "chat.about"), d


@pytest.mark.parametrize("message", ["что это?", "kas tas ir?", "и что?"])
def test_function_words_that_ask_nothing_known_get_no_answer(matcher: Matcher,
                                                              message: str) -> None:
    assert matcher.decide(message).outcome == "none"


@pytest.mark.parametrize(("message", "first", "second"), [
    ("Kādi ir konta pārvaldnieka pienākumi un cik viņš pelna?", "duties.general",
     "salary.overview"),
    ("Что делает аккаунт-менеджер и сколько ему платят?", "duties.general", "salary.overview"),
    ("profesijas plusi un mīnusi", "career.pros", "career.cons"),
    # a list after a heading or a line about the writer: still the first listed leads
    ("профессия аккаунт-менеджер: плюсы и минусы", "career.pros", "career.cons"),
    ("Esmu studente, mani interesē šīs profesijas plusi un mīnusi", "career.pros",
     "career.cons"),
    # Without the role's name, two topics' words at once read as off-topic to the whole
    # message's classifier; each clause is plainly about the job, and the first asked leads.
    ("какие обязанности и какая зарплата?", "duties.general", "salary.overview"),
    ("pienākumi un alga", "duties.general", "salary.overview"),
    # the requirements are not a question about the bot, though its own answer quotes
    # "Kādas prasības izvirza pretendentam?" as a sample question
    ("Sveiki! Man ir 22 gadi un es studēju ekonomiku. Gribētu uzzināt, kādas prasības "
     "parasti izvirza konta pārvaldniekam un cik viņš nopelna.", "candidate.requirements",
     "salary.overview"),
])
def test_two_questions_get_the_first_answer_and_the_second_as_a_button(
    matcher: Matcher, kb: KnowledgeBase, message: str, first: str, second: str
) -> None:
    d = matcher.decide(message)
    assert (d.outcome, d.topic, d.also) == ("answer", first, (second,)), d
    reply = decision_reply(kb, d)
    assert reply.buttons[0][0].data == f"t:{second}"  # the second question, first in line
    assert kb.topics[second].title.get(d.lang) in reply.text  # and said in words


def test_two_questions_read_as_off_topic_as_a_whole_still_need_a_plausible_best(
        matcher: Matcher) -> None:
    """Clauses about the job overrule a whole message that reads as off-topic only while
    its best topic is plausible enough for a "did you mean": below that it stays "I don't
    know", whatever its clauses say (a model trained on other examples may put an
    off-topic question's clauses on the job's topics)."""
    c = matcher.confidence
    a = arrange(matcher.read("обязанности и зарплата"), c.index_weight)
    assert a.whole.ood_first and len(a.clauses) == 2
    assert conclude(a, c, p=c.suggest).outcome == "answer"
    assert conclude(a, c, p=c.suggest - 0.01).outcome == "none"


def test_small_talk_alone_still_needs_a_plausible_best(matcher: Matcher) -> None:
    """A message the classifier reads as small talk is answered as small talk only while
    its P reaches the "did you mean" threshold: below it, the greeting is unlikely all the
    message says (an off-topic question the model never saw, wrapped in a greeting and a
    line about the writer, reads as small talk too), and it gets no greeting for an answer."""
    c = matcher.confidence
    a = arrange(matcher.read("Sveiki! Man ir 23 gadi, dzīvoju Ogrē."), c.index_weight)
    assert a.rest is None and a.whole.small_talk_sure
    v = conclude(a, c, p=c.suggest)
    assert (v.outcome, v.topic) == ("answer", "chat.greeting")
    assert conclude(a, c, p=c.suggest - 0.01).outcome != "answer"


def test_a_job_question_unsure_between_topics_gets_a_choice_not_i_dont_know(
        matcher: Matcher) -> None:
    """The two signals read "what kind of position is it" two ways (why companies need
    one, what it is), so the best topic is unlikely to be right, but the refusal model
    puts the message far on the job's side: it offers the topics rather than say it does
    not know. Just inside the refusal model's margin, the same ranking is "I don't know"."""
    d = matcher.decide("что это за должность такая — менеджер по работе с клиентами?")
    assert d.outcome == "suggest" and d.score < matcher.confidence.suggest, d
    assert "role.definition" in [s.topic for s in d.suggestions]
    c = matcher.confidence
    r = arrange(matcher.read("что это за должность такая — менеджер по работе с клиентами?"),
                c.index_weight).whole
    at = FEATURES.index("refusal")
    inside = dataclasses.replace(r, features=(*r.features[:at], -0.99, *r.features[at + 1:]))
    beyond = dataclasses.replace(r, features=(*r.features[:at], -1.0, *r.features[at + 1:]))
    assert choose(inside, c.suggest - 0.01, c)[0] == "none"
    assert choose(beyond, c.suggest - 0.01, c)[0] == "suggest"


@pytest.mark.parametrize(("message", "topic"), [
    ("Здравствуйте! Я мама двоих детей, сейчас в декрете. Хочу после декрета выйти на "
     "работу аккаунт-менеджером. С чего начать?", "candidate.how_to_become"),
    ("Привет. Мне 45, всю жизнь проработала бухгалтером на заводе. Хочу стать менеджером по "
     "работе с клиентами. Как это сделать?", "candidate.how_to_become"),
    ("Sveiki. Man ir 45 gadi, visu mūžu nostrādāju par grāmatvedi rūpnīcā. Gribu kļūt par "
     "klientu menedžeri. Kā to izdarīt?", "candidate.how_to_become"),
])
def test_a_short_question_is_read_with_what_was_said_right_before_it(
        matcher: Matcher, message: str, topic: str) -> None:
    """"С чего начать?" asks about the sentence before it, not about the writer's
    children or past job: that sentence and the question decide, the rest of the story
    does not (read whole, the story made the first message read as off-topic)."""
    d = matcher.decide(message)
    assert d.outcome != "none", d
    assert (d.topic if d.outcome == "answer" else d.suggestions[0].topic) == topic, d


def test_the_question_part_of_a_short_question_takes_the_sentence_before_it() -> None:
    assert question_part("Sveiki! Man ir 40 gadi. Gribu kļūt par konta pārvaldnieku. "
                         "Ar ko sākt?") == "gribu kļūt par konta pārvaldnieku. ar ko sākt?"
    # nothing before it but a greeting, or nothing else at all: the whole message asks
    assert question_part("Хочу стать аккаунт-менеджером. С чего начать?") is None
    assert question_part("Привет! С чего начать?") is None
    # no sentence asks: a query about the role typed as into a search box is the question,
    # the writer's own story is not
    assert question_part("Esmu pensijas priekšvakarā, bet gribu pamēģināt ko jaunu. "
                         "klientu menedžera pienākumi bankā") == "klientu menedžera pienākumi bankā"
    assert question_part("Я тоже аккаунт-менеджер. Работаю в банке.") is None


@pytest.mark.parametrize("message", [
    # "выходным" is the goodbye examples' word too ("Хороших выходных!")
    "Привет! А аккаунт-менеджер работает по выходным?",
    "А аккаунт-менеджер работает по выходным?",
])
def test_small_talk_is_never_offered_as_a_choice(matcher: Matcher, message: str) -> None:
    d = matcher.decide(message)
    assert d.outcome != "answer" or d.topic not in SMALL_TALK, d
    assert not any(s.topic in SMALL_TALK for s in d.suggestions), d


def test_a_message_about_one_thing_throughout_answers_it_whatever_it_asks_first(
        matcher: Matcher) -> None:
    """"What will she do?" asked first, and every line about a bank: the bank's duties are
    the answer — not the general duties (at most a button, when that clause alone leans
    to them clearly)."""
    d = matcher.decide("Добрый день! Жена работает кассиром в банке, ей предлагают стать "
                       "клиентским менеджером для частных клиентов в том же отделении. Чем "
                       "она будет заниматься? Придётся ли ей продавать кредиты и вклады?")
    assert (d.outcome, d.topic) == ("answer", "duties.bank"), d
    assert set(d.also) <= {"duties.general"}, d


@pytest.mark.parametrize(("message", "topic"), [
    ("konta pārvaldnieks un kriminālatbildība", "role.responsibility"),
    ("аккаунт-менеджер и материальная ответственность", "role.responsibility"),
    # a question word before the role's name does not make it a question of its own
    ("vai klientu menedžeris un pārdošanas menedžeris ir viens un tas pats?",
     "role.vs_sales_manager"),
    ("vai account manager — tā ir laba profesija jaunietim?", "career.pros"),
])
def test_a_clause_that_only_names_the_role_asks_nothing_more(matcher: Matcher, message: str,
                                                             topic: str) -> None:
    """"The role and X" asks about X: no "what is an account manager" button beside it."""
    d = matcher.decide(message)
    assert (d.outcome, d.topic, d.also) == ("answer", topic, ()), d


@pytest.mark.parametrize("message", [
    "Kāda izglītība vajadzīga konta pārvaldniekam?",
    "Как написать резюме аккаунт-менеджеру?",
    "Sveiki! Kādi ir bankas klientu menedžera pienākumi? Paldies!",
])
def test_one_question_offers_no_second_topic(matcher: Matcher, message: str) -> None:
    d = matcher.decide(message)
    assert d.outcome == "answer" and d.also == (), d


@pytest.mark.parametrize("message", NEAR_MISSES)
def test_off_topic_questions_with_the_domains_words_are_refused(matcher: Matcher,
                                                                message: str) -> None:
    d = matcher.decide(message)
    assert d.outcome != "answer", d
    assert d.topic is None


@pytest.mark.parametrize(("message", "topic"), [
    # the sellers the knowledge base does speak of: a phone shop's, and one called manager
    ("ko dara pārdevējs mobilo telefonu salonā", "duties.mobile_retail"),
    ("что делает продавец в салоне сотовой связи", "duties.mobile_retail"),
    ("vai pārdevēju drīkst saukt par menedžeri", "role.manager_meaning"),
])
def test_a_seller_the_knowledge_base_speaks_of_is_answered(matcher: Matcher, message: str,
                                                          topic: str) -> None:
    d = matcher.decide(message)
    assert (d.outcome, d.topic) == ("answer", topic), d


def test_terminal_chat_offers_the_second_question_as_option_one(kb_dir: object) -> None:
    state = KnowledgeState(kb_dir)  # type: ignore[arg-type]
    out = io.StringIO()
    localchat.run(state, io.StringIO("Что делает аккаунт-менеджер и сколько ему платят?\n1\n"), out)
    text = out.getvalue()
    kb = state.current.kb
    salary_title = kb.topics["salary.overview"].title.get("ru")
    assert f"  1) {salary_title}" in text
    # choosing 1 opens the salary answer
    assert text.count(salary_title) >= 3  # the line, the option, and the opened answer's title


SENTENCES = st.sampled_from([
    "Sveiki!", "Привет)", "Man ir 30 gadi.", "Я из Риги.", "Kādi ir pienākumi?",
    "сколько платят?", "un", "и", "", "…", "?!", "🙂", "Paldies!", "menedžeris", "банк",
    "kā kļūt par klientu menedžeri", "\n", "zzzz qqq", "HR", "a" * 50,
])


@settings(max_examples=150, deadline=None)
@given(st.lists(SENTENCES, max_size=8), st.text(max_size=80))
def test_any_message_gets_a_consistent_decision(matcher: Matcher, kb: KnowledgeBase,
                                                parts: list[str], noise: str) -> None:
    text = " ".join([*parts[:4], noise, *parts[4:]])
    d = matcher.decide(text)
    assert d.outcome in ("answer", "suggest", "none")
    assert (d.topic is not None) == (d.outcome == "answer")
    assert d.topic is None or d.topic in kb.topics
    assert d.topic not in d.also and len(set(d.also)) == len(d.also) <= 2
    assert all(a in kb.topics for a in d.also)
    assert not d.also or d.outcome == "answer"
    assert 0.0 <= d.score <= 1.0
    assert not any(s.topic in SMALL_TALK for s in d.suggestions)  # never "did you mean: Hi?"
    assert decision_reply(kb, d).text.strip()


@pytest.mark.parametrize(("text", "asks"), [
    ("kā kļūt par konta pārvaldnieku", True),  # at the start
    ("gribu zināt, kādi ir pienākumi", True),  # "kādi" never joins a statement
    ("pienākumi ko dara", True),  # typed without commas: still a question
    ("mamma arī izlasīja un saka, ka noderēja", False),
    ("теперь понимаю, что от меня ждут", False),
    ("es nesapratu, kā sagatavoties", True),  # a negated verb of knowing asks
    ("не знаю, как начать", True),
    ("vai tas ir grūti", True),
    # a request asks too, with no question mark ("advise", "recommend", "explain")
    ("я Марина, мне 30. Посоветуйте хороший сериал", True),
    ("esmu Jānis. Iesakiet labu filmu", True),
])
def test_what_is_left_beside_small_talk_asks_or_tells(text: str, asks: bool) -> None:
    assert asks_outright(text) is asks


def test_greetings_stay_small_talk_when_topic_examples_greet_too(
    kb_dir: Path, tmp_path: Path
) -> None:
    """Examples written as chat messages (or filed by the learning loop from users' words)
    greet too: "Привет" in a few of them must not make it a word of the question, or
    "Привет, …?" is answered with the greeting."""
    copy = tmp_path / "knowledge"
    shutil.copytree(kb_dir, copy)
    greeting_examples = {
        "role.definition": ["Привет! Объясни простыми словами, кто такой аккаунт-менеджер.",
                            "Sveiki! Pastāsti, kas ir konta pārvaldnieks."],
        "career.growth": ["Привет! Куда можно вырасти из менеджеров по работе с клиентами?"],
    }
    doc = yaml.safe_load((copy / "role.yaml").read_text(encoding="utf-8"))
    career = yaml.safe_load((copy / "career.yaml").read_text(encoding="utf-8"))
    for d, name in ((doc, "role.yaml"), (career, "career.yaml")):
        for t in d["topics"]:
            for q in greeting_examples.get(t["id"], ()):
                t["questions"]["ru" if is_cyrillic(q) else "lv"].append(q)
        (copy / name).write_text(yaml.safe_dump(d, allow_unicode=True, sort_keys=False, width=10_000),
                                 encoding="utf-8")
    m = Matcher(load_knowledge(copy))
    for message, topic in [("Привет, какие обязанности у аккаунт-менеджера?", "duties.general"),
                           ("Sveiki! Kādi ir konta pārvaldnieka pienākumi?", "duties.general"),
                           ("Привет! Сколько платят аккаунт-менеджеру?", "salary.overview"),
                           ("Привет! Какие качества нужны аккаунт-менеджеру?",
                            "candidate.qualities")]:
        d = m.decide(message)
        assert (d.outcome, d.topic) == ("answer", topic), d
    assert m.decide("Привет!").topic == "chat.greeting"


@pytest.mark.parametrize(("message", "topic"), [
    ("Čau! Vari pastāstīt, ko dara konta pārvaldnieks bankā?", "duties.bank"),
    ("vai vari pastāstīt, ar ko nodarbojas klientu menedžeris telefonu veikalā?",
     "duties.mobile_retail"),
    ("Можешь рассказать, что делает аккаунт-менеджер в банке?", "duties.bank"),
    ("Ты можешь объяснить, какие минусы у работы аккаунт-менеджера?", "career.cons"),
])
def test_can_you_tell_me_frames_the_question(matcher: Matcher, message: str, topic: str) -> None:
    """"Can you tell me, …" is how the question is put: the answer is the question's topic,
    with no "what the bot can do" beside it (nor instead of it)."""
    d = matcher.decide(message)
    assert (d.outcome, d.topic, d.also) == ("answer", topic, ()), d


@pytest.mark.parametrize(("message", "topic"), [
    ("нужны ли права водителя менеджеру по работе с клиентами?", "candidate.requirements"),
    ("Нужна ли аккаунт-менеджеру своя машина и права?", "candidate.requirements"),
    ("šofera tiesības akauntam obligāti?", "candidate.requirements"),
    # without a car or a driver, права / tiesības are the role's rights
    ("Какие права у аккаунт-менеджера?", "role.rights"),
    ("Kādas tiesības ir konta pārvaldniekam?", "role.rights"),
])
def test_rights_beside_a_car_are_a_driving_licence(matcher: Matcher, message: str,
                                                   topic: str) -> None:
    # the topic the bot settles on: its answer, or the one topic it offers (a typed
    # three-word query may only be offered)
    d = matcher.decide(message)
    settled = d.topic if d.outcome == "answer" else (
        d.suggestions[0].topic if d.outcome == "suggest" and len(d.suggestions) == 1 else None)
    assert settled == topic, d


@pytest.mark.parametrize("message", [
    "аккаунт-менеджер и блокчейн?", "konta pārvaldnieka horoskops",
    "Как перепрофилироваться в аккаунт-менеджеры?", "klientu menedžeris un kriptovalūta",
])
def test_a_question_whose_subject_is_unknown_is_not_answered_outright(matcher: Matcher,
                                                                       message: str) -> None:
    """Only the role's name is known: what the question asks about it, the bot cannot
    tell, so it offers the role's definition rather than answering with it."""
    d = matcher.decide(message)
    assert d.outcome != "answer", d


@pytest.mark.parametrize("message", ["спасибки 😊", "paldies liels 🙂"])
def test_a_thanks_in_its_own_words_is_never_a_job_answer(matcher: Matcher, message: str) -> None:
    """A one-word thanks the knowledge base does not spell so ("спасибки") is unsure at
    most: a message this short must not look sure because it is short."""
    d = matcher.decide(message)
    assert d.outcome != "answer" or d.topic == "chat.thanks", d
