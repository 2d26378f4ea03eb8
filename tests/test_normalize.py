"""Normalization: any text in, comparable tokens out; spellings of one word meet."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from bot.matcher.normalize import (
    STOP_WORDS,
    affix_variants,
    canonical,
    content_stems,
    derivational_root,
    fold,
    stems,
    tokens,
)

# Arbitrary text, with extra weight on what users really paste: NUL and control
# characters, zero-width and direction marks, BOM, soft hyphen, emoji, both alphabets.
SPECIAL = [
    "\x00", "\x07", "\t", "\n", "\r", "\x1b", "\u200b", "\u200c", "\u200d", "\u200e", "\u200f",
    "\u202e", "\u2060", "\ufeff", "\u00ad", "\u0301", "😀", "👍🏽", "🇱🇻", "ё", "Ё", "ā", "Ž",
    "ж", "щ", "ъ", "ь", "й", "ß", "İ", "ﬁ", "①", "x", "q", "w", "ja", "ya", "zh", "sh", "?",
    " ", "-", "_", "1", "٣",
]  # fmt: skip
ANY_TEXT = st.one_of(
    st.text(),
    st.lists(st.one_of(st.characters(codec="utf-8"), st.sampled_from(SPECIAL)), max_size=40)
    .map("".join),
)

LV_RU_LETTERS = (
    "abcdefghijklmnopqrstuvwxyz" "āčēģīķļņšūž" "абвгдежзийклмнопрстуфхцчшщъыьэюяё"
)
LV_RU_TEXT = st.text(alphabet=st.sampled_from(list(LV_RU_LETTERS + "  ?,.!-")), max_size=60)

FAST = settings(max_examples=300, deadline=None)


# -- properties --------------------------------------------------------------------------


@FAST
@given(ANY_TEXT)
def test_never_raises_on_any_text(text: str) -> None:
    f = fold(text)
    assert isinstance(f, str)
    toks = tokens(text)
    assert all(isinstance(t, str) for t in toks)
    assert all(isinstance(s, str) for s in stems(text))
    cs = content_stems(text)
    assert all(isinstance(s, str) and s for s in cs)
    assert not set(cs) & STOP_WORDS


def _has_combining_mark(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Mn", "Mc", "Me") for ch in text)


@FAST
@given(ANY_TEXT)
@example("Ёлка\u200b\u00adПІ ﬁ ß")
def test_fold_is_idempotent(text: str) -> None:
    # Combining marks after a letter that case-folds to two (ß + ◌́) are pinned below.
    assume(not _has_combining_mark(text))
    once = fold(text)
    assert fold(once) == once


def test_fold_is_idempotent_with_combining_marks() -> None:
    once = fold("ß\u0301")
    assert fold(once) == once


@FAST
@given(ANY_TEXT)
def test_fold_leaves_no_invisible_or_control_characters(text: str) -> None:
    assert not [ch for ch in fold(text) if unicodedata.category(ch)[0] == "C"]


@FAST
@given(ANY_TEXT)
@example("Ъ ь подъезд ѐ ѝ ӣ зарпла́та")
def test_tokens_of_tokens_are_the_same_tokens(text: str) -> None:
    toks = tokens(text)
    assert all(toks), "no empty tokens"
    assert tokens(" ".join(toks)) == toks


@FAST
@given(LV_RU_TEXT)
def test_case_does_not_matter(text: str) -> None:
    assert content_stems(text.upper()) == content_stems(text)
    assert content_stems(text.title()) == content_stems(text)


_PLAIN = str.maketrans("āčēģīķļņšūž", "acegiklnsuz")


@FAST
@given(LV_RU_TEXT)
def test_latvian_diacritics_do_not_matter(text: str) -> None:
    assert tokens(text.translate(_PLAIN)) == tokens(text)


# -- documented variants fold together -------------------------------------------------


def same(*variants: str) -> None:
    first = content_stems(variants[0])
    assert first, f"{variants[0]!r} has no content"
    for v in variants[1:]:
        assert content_stems(v) == first, f"{v!r} does not meet {variants[0]!r}"


def test_latvian_without_diacritics() -> None:
    same("pienākumi", "pienakumi", "PIENĀKUMI")
    same("pārvaldnieks", "parvaldnieks")
    same("izglītība", "izglitiba")
    same("menedžeris", "menedzeris", "menedzheris")


def test_doubled_letters() -> None:
    same("pārvaldnieks", "paarvaldnieks", "parvaldnieeks")
    same("аккаунт", "akkaunt", "akaunt")


def test_cyrillic_and_translit_russian() -> None:
    same("обязанности", "objazannosti", "obyazannosti")
    same("зарплата", "zarplata")
    same("менеджера", "menedzhera", "menedžera")
    same("резюме", "rezyume", "rezjume", "rezume")
    same("щука", "shchuka", "schuka")
    same("аккаунт", "account")


def test_yo_is_ye() -> None:
    assert fold("Ёлка ЕЩЁ") == "елка еще"
    same("ещё объём", "еще объем")


def test_invisible_marks_between_words_are_removed() -> None:
    marked = "\ufeff\u200fKonta\u200b pārvaldnieka\u200e pienākumi\u2060"
    assert not [ch for ch in fold(marked) if unicodedata.category(ch) == "Cf"]
    same("konta pārvaldnieka pienākumi", marked)
    same("konta pārvaldnieka", "konta\u200bpārvaldnieka")  # zero-width SPACE separates


@pytest.mark.parametrize("mark", ["\u00ad", "\u200d", "\u200c", "\u2060"])
def test_invisible_marks_inside_a_word_do_not_split_it(mark: str) -> None:
    # soft hyphen, ZWJ, ZWNJ, word joiner: pasted from web pages in the middle of words
    same("pienākumi", f"pie{mark}nākumi")
    same("обязанности", f"обязан{mark}ности")


def test_stop_words_are_dropped() -> None:
    same("konta pārvaldnieka pienākumi", "Kādi ir konta pārvaldnieka pienākumi?",
         "Pastāstiet, lūdzu, kādi ir konta pārvaldnieka pienākumi")
    same("обязанности менеджера", "Подскажите, пожалуйста, какие обязанности у менеджера?")
    same("delaet menedzher", "chto delaet menedzher?")
    assert content_stems("kas ir un vai?") == []
    assert content_stems("что это и как?") == []


def test_endings_are_stripped() -> None:
    same("pārvaldnieks", "pārvaldnieka", "pārvaldniekam", "pārvaldniekiem")
    same("менеджер", "менеджера", "менеджеру", "менеджером")


def test_russian_genitive_plural_meets_nominative() -> None:
    same("обязанности", "обязанностей", "обязанностями")


def test_synonyms_meet_across_languages() -> None:
    def head(word: str) -> str:
        (s,) = content_stems(word)
        return canonical(s)

    assert head("alga") == head("atalgojums") == head("зарплата") == head("zarplata")
    assert head("pienākumi") == head("обязанности") == head("funkcijas")
    assert head("alga") != head("pienākumi")


def test_no_empty_tokens() -> None:
    toks = tokens("Ъ ь подъезд")
    assert toks and all(toks)


def test_accented_cyrillic_letter_has_a_stable_skeleton() -> None:
    toks = tokens("ѐ ѝ ӣ")
    assert tokens(" ".join(toks)) == toks


def test_stress_mark_does_not_split_a_word() -> None:
    same("зарплата", "зарпла́та")  # stress marks, as in dictionaries and textbooks


def test_negated_function_words_are_function_words() -> None:
    # Latvian writes "not" as a prefix; "neesmu" (I am not) and "nekad" (never) say no more
    # than "esmu" and "kad", but "nepiemērots" (unsuitable) is a word of its own.
    assert content_stems("Nekad neesmu dzirdējis") == content_stems("dzirdējis")
    assert content_stems("nevaru saprast") == content_stems("saprast")
    assert content_stems("nepiemērots") != content_stems("piemērots")


def test_abbreviation_of_one_repeated_letter_is_kept() -> None:
    assert content_stems("ООО") == ["ooo"]
    assert content_stems("ааа") != []


def test_prefixed_forms_lead_to_their_base_word() -> None:
    def bases(word: str) -> set[str]:
        return {b for b, _ in affix_variants(content_stems(word)[0])}

    assert content_stems("sadarbojas")[0] in bases("nesadarbojas")  # negation
    assert content_stems("sedz")[0] in bases("jāsedz")  # debitive
    assert content_stems("mācīties")[0] in bases("iemācīties")  # verb prefix
    assert all(len(b) >= 4 for b in bases("nepienākas"))


def _root(word: str) -> str:
    (stem,) = content_stems(word)
    return derivational_root(stem)


@pytest.mark.parametrize(("derived", "kin"), [
    ("parakstīšana", "parakstīt"),  # -šana noun of a verb
    ("noslēgšanas", "noslēgt"),  # and a consonant infinitive
    ("atbildība", "atbildīgs"),  # -ība noun, -īgs adjective
    ("apmierinātība", "apmierināt"),  # suffix after suffix
    ("viszemākā", "zemākā"),  # superlative and comparative
    ("strādātu", "strādāt"),  # conditional
    ("apkalpošana", "apkalpo"),
])
def test_derived_words_share_a_root_with_their_kin(derived: str, kin: str) -> None:
    assert _root(derived) == _root(kin)


def test_derived_words_keep_their_own_stems() -> None:
    # The root is a fallback for unknown words, not the stem: noturība (resilience, a
    # candidate's quality) and noturēt (keeping a client) must stay two words.
    assert content_stems("noturība") != content_stems("noturēt")
    assert _root("noturība") == _root("noturēt")
