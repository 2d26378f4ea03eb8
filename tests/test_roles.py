"""The role's names merge into one token; other kinds of manager are told apart."""

from __future__ import annotations

import pytest

from bot.matcher.classifier import model_text
from bot.matcher.normalize import canonical, content_stems
from bot.matcher.roles import (
    OCCUPATION,
    ROLE,
    names_occupation,
    names_other_manager,
    occupation_of,
    with_role_token,
)


def test_every_name_of_the_role_reads_the_same() -> None:
    names = ["konta pārvaldnieks", "klientu menedžeris", "account manager", "аккаунт-менеджер",
             "менеджер по работе с клиентами", "клиентский менеджер", "klientu apkalpošanas vadītājs",
             "akkaunt menedzher", "менеджеру по работе с клиентами",
             # a typo in the long word: "pārvaldnieks" without its d, letters swapped
             "konta parvalnieks", "klientu menedzeirs", "аккаунт-менджер"]
    for name in names:
        assert [canonical(s) for s in with_role_token(content_stems(name))] == [ROLE], name


def test_a_word_near_a_short_manager_word_is_not_the_role() -> None:
    # "konta pārvalde" (account administration) is one letter from no name of the role
    # that is long enough to forgive a typo in
    assert ROLE not in with_role_token(content_stems("konta pārvaldes nodaļa"))


def test_role_name_keeps_its_qualifier_and_a_bare_manager_stays_apart() -> None:
    corporate = [canonical(s) for s in with_role_token(content_stems("korporatīvo klientu menedžeris"))]
    assert ROLE in corporate and len(corporate) == 2
    bare = [canonical(s) for s in with_role_token(content_stems("ko nozīmē vārds menedžeris"))]
    assert ROLE not in bare
    # clients that are the subject of the question stay clients
    about_clients = with_role_token(content_stems("kā klientu menedžeris piesaista klientus"))
    assert canonical(about_clients[-1]) == canonical(content_stems("klienti")[0])


@pytest.mark.parametrize("query", ["чем занимается hr менеджер", "HR-менеджер обязанности",
                                   "менеджер по персоналу", "project manager alga",
                                   "projektu vadītāja pienākumi"])
def test_another_kind_of_manager_is_recognised(query: str) -> None:
    assert names_other_manager(query)


@pytest.mark.parametrize("query", ["менеджер по продажам", "Должен ли менеджер знать маркетинг",
                                   "key account manager", "менеджер по работе с клиентами",
                                   "Я HR — зачем нам инструкция для менеджера"])
def test_our_own_manager_is_not_another_job(query: str) -> None:
    assert not names_other_manager(query)


@pytest.mark.parametrize("query", ["arhitekta mīnusi", "сколько получает сторож", "pavāram alga",
                                   "jurists vai klientu menedžeris?", "кем лучше быть: юристом?",
                                   "šofera darba plusi", "kasieres pienākumi",
                                   "а водитель сколько получает?",  # "а" is not "я"
                                   "es gribu zināt, ko dara pavārs",
                                   "kāda izglītība vajadzīga pavāram",
                                   # the dative: who the education is for, not a degree
                                   "какое образование нужно повару?",
                                   "какие права нужны водителям",
                                   "сколько получает прокурор", "tiesneša alga",
                                   "обязанности экспедитора", "бариста без опыта берут?",
                                   "какие обязанности у аудитора", "psihologa alga",
                                   "сколько зарабатывает психолог"])
def test_another_occupation_is_recognised(query: str) -> None:
    assert names_occupation(query)


@pytest.mark.parametrize("query", [
    "сильные стороны наших конкурентов",  # "storon" is not "storoz", сторож
    "vai vajag autovadītāja apliecību?", "vai prasa autovaditaja tiesibas",  # a licence
    "нужны ли права водителя", "ekonomiskā izglītība der?", "опыт в строительной компании",
    # a qualification one holds: "der jurista diploms?", "с образованием психолога"
    "vai der jurista diploms?", "возьмут ли с образованием психолога",
    # the writer's own job: the story around a question
    "esmu pavāre un gribu mainīt darbu", "я бухгалтер, хочу сменить профессию",
    "ya rabotayu voditelem, hochu v ofis", "strādāju par šoferi kurjeru firmā",
    # everyday words whose skeleton is close to an occupation's (судья, следователь,
    # pasniedzējs, iepakotājs, учёный are left out of the list for them)
    "иди сюда", "следовательно, опыт нужен", "kas pasniedz kursus?", "vai jāprot iepakot preces",
    "обучение за счёт компании",
    # a field shares its practitioner's stem: psychology is no psychologist, an audience
    # no auditor
    "изучить целевую аудиторию рынка", "mērķauditorijas izpēte",
    "der arī psiholoģija?", "нужна ли психология менеджеру", "auditorijai",
    # what the writer studies to become or does on the side
    "mācos par grāmatvedi", "учусь на экономиста", "подрабатываю курьером",
])
def test_words_that_only_look_like_an_occupation_are_not_one(query: str) -> None:
    assert not names_occupation(query)


def test_the_model_reads_a_licence_as_words_and_a_driver_as_an_occupation() -> None:
    assert OCCUPATION not in model_text("vai vajag autovadītāja apliecību")
    assert model_text("autovadītāja alga").split()[0] == OCCUPATION


def test_the_forms_of_one_occupation_name_it_alike() -> None:
    """"jurists" and "juristu" stem apart (the ts→c spelling rule), "arhitekta" and
    "arhitekts" too: each names the occupation as the list spells it."""
    (jurists,), (juristu,) = content_stems("jurists"), content_stems("juristu")
    assert jurists != juristu and occupation_of(jurists) == occupation_of(juristu) is not None
    assert occupation_of(content_stems("pienākumi")[0]) is None
