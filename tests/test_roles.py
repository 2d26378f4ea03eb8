"""The role's names merge into one token; other kinds of manager are told apart."""

from __future__ import annotations

import pytest

from bot.matcher.normalize import canonical, content_stems
from bot.matcher.roles import ROLE, names_other_manager, with_role_token


def test_every_name_of_the_role_reads_the_same() -> None:
    names = ["konta pārvaldnieks", "klientu menedžeris", "account manager", "аккаунт-менеджер",
             "менеджер по работе с клиентами", "клиентский менеджер", "klientu apkalpošanas vadītājs",
             "akkaunt menedzher", "менеджеру по работе с клиентами"]
    for name in names:
        assert [canonical(s) for s in with_role_token(content_stems(name))] == [ROLE], name


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
