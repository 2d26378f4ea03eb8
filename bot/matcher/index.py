"""Scoring a question against every example question and title, both languages.

Two signals, combined per example:

1. **Weighted token overlap** (IDF over topics) between the query's content stems and an
   example's, where a query stem meets a vocabulary stem exactly, as a prefix (partial
   word) or through rapidfuzz's Indel ratio (word-internal typos). Words the knowledge base
   has never seen count against the match, so "pavāra pienākumi" (a cook's duties) does not
   borrow confidence from "pienākumi".
2. **Character similarity** of the whole stem sequence (rapidfuzz token_sort_ratio) for the
   few best candidates, which separates near-ties on word order and partial overlap.

Everything that does not depend on the query is built once, at load: postings per stem as
numpy arrays, so a question costs a handful of vector operations however many examples
there are.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple, TypeVar

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from ..knowledge.model import LANGS, KnowledgeBase
from .normalize import (
    FOREIGN_ROLES,
    STOP_LV,
    STOP_RU,
    SYNONYMS,
    affix_variants,
    canonical,
    content_stems,
    content_words,
    derivational_root,
    language_stems,
    stems,
)
from .normalize import stem as _stem
from .roles import (
    ROLE,
    ROLE_WORDS,
    merge_role_names,
    names_other_manager,
    occupation_of,
    with_role_token,
)


@dataclass(frozen=True, slots=True)
class Weights:
    """The fuzzy index's scoring knobs, set by hand on the knowledge base's own questions
    (the decision over this index and the classifier is what benchmarks/calibrate.py
    fits)."""

    query: float = 0.6  # share of query coverage vs. example coverage in the token score
    topic: float = 0.5  # share of whole-topic vocabulary coverage in a topic's score
    answer_only: float = 0.9  # a word found only in a topic's answer, not in its questions
    char: float = 0.25  # share of the character signal in the final score
    unknown: float = 2.2  # weight of a query word the knowledge base has never seen
    foreign: float = 5.0  # weight of an unknown word naming another occupation
    prefix: float = 0.9  # a partial word ("pien") meeting a full stem ("pienakum")
    derived: float = 0.8  # an unknown word meeting a known one by its root (atbildība: atbild)
    idf_floor: float = 0.6  # minimum weight of a known word
    rerank: int = 24  # candidates that get the character signal
    second: float = 0.5  # share of a topic's second-best example in its example score
    fuzzy_words: int = 12  # typo matching only for questions of at most this many words


@dataclass(frozen=True, slots=True)
class Example:
    topic: str
    lang: str
    text: str
    stems: tuple[str, ...]


class Scored(NamedTuple):
    """A topic's score for one query, with the example that earned it. (A named tuple:
    every query builds eight, and a frozen dataclass costs several times more to build.)"""

    topic: str
    score: float
    lang: str
    example: str
    agree: bool = False  # best by example similarity and by topic vocabulary alike
    info: float = 0.0  # weight of the query's known words: how much the query says
    foreign: bool = False  # the query names another occupation
    # the query says exactly what one of the topic's examples says (the role's name aside)
    exact: bool = False
    role: bool = False  # the query names the role (or a kind of it): it is about our job
    # The query names the role, and every other word of it is unknown to the knowledge
    # base ("konta pārvaldnieka darbs ir nervozs?"): what it asks about the role, we
    # cannot tell.
    unknown_subject: bool = False


@lru_cache(maxsize=1 << 15)
def _known_stems(text: str) -> tuple[str, ...]:
    """`content_stems` of a knowledge text, remembered: the index reads each text twice,
    and a reload reads the same thousands of texts again."""
    return tuple(content_stems(text))


def _canon(text: str) -> tuple[str, ...]:
    return tuple(canonical(s) for s in with_role_token(list(_known_stems(text))))


def _fuzzy_cutoff(token: str) -> float | None:
    n = len(token)
    if n <= 3:
        return None
    return 75.0 if n <= 5 else 70.0


_EXPAND_CACHE = 20_000  # query words whose expansions are remembered (cleared when full)

K = TypeVar("K")
V = TypeVar("V")


def _remember(memo: dict[K, V], key: K, compute: Callable[[], V]) -> V:
    """`memo[key]`, computed once; the memo is emptied when full (bounded memory)."""
    hit = memo.get(key)
    if hit is None:
        if len(memo) >= _EXPAND_CACHE:
            memo.clear()
        hit = memo[key] = compute()
    return hit


class Index:
    """Precomputed search structures for one knowledge base (immutable once built)."""

    def __init__(self, kb: KnowledgeBase, extra: Iterable[tuple[str, str, str]] = (),
                 weights: Weights | None = None) -> None:
        w = self.w = weights or Weights()
        examples: list[Example] = []
        for tid in sorted(kb.topics):
            topic = kb.topics[tid]
            for lang in LANGS:
                texts = [topic.title.get(lang), *topic.questions[lang]]
                for text in texts:
                    examples.append(Example(tid, lang, text, _canon(text)))
        for tid, lang, text in extra:  # synthetic examples for benchmarks
            examples.append(Example(tid, lang, text, _canon(text)))
        examples.sort(key=lambda e: e.topic)
        self.examples = [e for e in examples if e.stems]
        # Questions made only of function words ("Кто ты?", "Kas tu esi?") have no content
        # stems; they are matched as whole phrases, and only by queries of the same kind.
        self.phrases: dict[str, Example] = {
            " ".join(stems(e.text)): e for e in examples if not e.stems and stems(e.text)
        }
        # What each example asks with the role's name left out, when only one topic asks
        # it: the bot is about the role, so "pienākumi" asks what "konta pārvaldnieka
        # pienākumi" asks, and says it as exactly.
        bare: dict[frozenset[str], set[str]] = {}
        for e in self.examples:
            if key := frozenset(e.stems) - ROLE_WORDS:
                bare.setdefault(key, set()).add(e.topic)
        self.bare = {k: next(iter(ts)) for k, ts in bare.items() if len(ts) == 1}
        self.topic_ids: list[str] = sorted({e.topic for e in self.examples})
        topic_pos = {t: i for i, t in enumerate(self.topic_ids)}
        self.example_topic = np.array([topic_pos[e.topic] for e in self.examples], dtype=np.int32)
        starts = [0] + [i for i in range(1, len(self.examples))
                        if self.examples[i].topic != self.examples[i - 1].topic]
        self.topic_starts = np.array(starts, dtype=np.intp)

        vocab: dict[str, int] = {}
        topic_sets: dict[str, set[str]] = {}  # topics whose questions use a stem
        answer_sets: dict[str, set[str]] = {}  # topics whose answers alone use it
        post: list[list[int]] = []
        # Topic documents: every word of a topic's questions and titles (weight 1) and of
        # its answer (weight w.answer_only), so a question about a detail of the answer
        # ("kompensācija par telefonu") still finds the topic.
        topic_words: dict[str, dict[str, float]] = {t: {} for t in self.topic_ids}
        for i, e in enumerate(self.examples):
            for s in dict.fromkeys(e.stems):  # in order: vocabulary ids never depend on
                vid = vocab.setdefault(s, len(vocab))  # the process's hash seed
                if vid == len(post):
                    post.append([])
                post[vid].append(i)
                topic_sets.setdefault(s, set()).add(e.topic)
                topic_words[e.topic][s] = 1.0
        for tid in self.topic_ids:
            if tid not in kb.topics:
                continue
            for lang in LANGS:
                for s in _canon(kb.answer(tid, lang)):
                    if s not in topic_words[tid]:
                        topic_words[tid][s] = w.answer_only
                        vid = vocab.setdefault(s, len(vocab))
                        if vid == len(post):
                            post.append([])
                        answer_sets.setdefault(s, set()).add(tid)
        self.vocab = vocab
        self.vocab_list = list(vocab)
        # The occupations each topic's example questions name, and the topics naming each.
        naming: dict[str, set[str]] = {}
        for s, ts in topic_sets.items():
            if (occupation := occupation_of(s)) is not None:
                naming.setdefault(occupation, set()).update(ts)
        self._naming = {o: frozenset(ts) for o, ts in naming.items()}
        # Surface forms for partial and fuzzy matching: every stem as written in the
        # knowledge base plus every synonym, each leading to its vocabulary entry.
        surface: dict[str, int] = {}
        for tid in kb.topics:
            t = kb.topics[tid]
            for lang in LANGS:
                for text in (t.title.get(lang), *t.questions[lang], kb.answer(tid, lang)):
                    for raw in _known_stems(text):
                        vid0 = vocab.get(canonical(raw))
                        if vid0 is not None:
                            surface.setdefault(raw, vid0)
        for raw, head in SYNONYMS.items():
            if head in vocab:
                surface.setdefault(raw, vocab[head])
        self.surface = surface
        # Roots of the vocabulary's derived words, for a query word it does not know
        # (parakstīšana → parakst-, as the examples' parakstīt): see derivational_root.
        roots: dict[str, list[int]] = {}
        for s, vid in vocab.items():
            roots.setdefault(derivational_root(s), []).append(vid)
        self.roots = roots
        self.stop_list = sorted(w for w in STOP_LV | STOP_RU if len(w) >= 4)
        self.surface_list = list(surface)
        self.surface_sorted = sorted(surface)
        n_topics = len(self.topic_ids)
        # A floor keeps domain words ("konta pārvaldnieks") from weighing nothing: a
        # question full of them should not land on a chat topic that shares one word.
        self.idf = np.array(
            # Rarity among the topics' *questions* decides a word's weight: answers share
            # much vocabulary and would dilute the words that tell topics apart.
            [max(w.idf_floor, math.log((n_topics + 1) / (len(topic_sets.get(s) or
                                                            answer_sets[s]) + 0.5)))
             for s in self.vocab_list],
            dtype=np.float64,
        )
        self.postings = [np.array(p, dtype=np.int32) for p in post]
        # Each word's weight once per example it is in: what a query word adds to those
        # examples when it matches exactly (the common case), ready to scatter.
        self.posting_weights = [np.full(len(p), self.idf[v]) for v, p in enumerate(post)]
        self.idf_list: list[float] = self.idf.tolist()
        tpost: list[tuple[list[int], list[float]]] = [([], []) for _ in post]
        for ti, tid in enumerate(self.topic_ids):
            for s, weight in topic_words[tid].items():
                tpost[vocab[s]][0].append(ti)
                tpost[vocab[s]][1].append(weight)
        self.topic_postings = [
            (np.array(ix, dtype=np.int32), np.array(ws, dtype=np.float64)) for ix, ws in tpost
        ]
        self.topic_posting_weights = [self.idf_list[v] * tw
                                      for v, (_, tw) in enumerate(self.topic_postings)]
        self.example_mass = np.array(
            [sum(self.idf[vocab[s]] for s in dict.fromkeys(e.stems)) for e in self.examples],
            dtype=np.float64,
        )
        self.example_strings = [" ".join(sorted(e.stems)) for e in self.examples]
        self._expanded: dict[tuple[str, bool, bool], list[tuple[int, float]]] = {}
        self._mistyped: dict[tuple[str, float], bool] = {}

        # Language evidence: how often each plain stem (stop words included) occurs in
        # each language's examples, titles and answers (the answers hold most of a
        # language's everyday words: "padomi", "ieteikumi").
        counts: dict[str, list[int]] = {}
        for tid in kb.topics:
            t = kb.topics[tid]
            for li, lang in enumerate(LANGS):
                for q in (*t.questions[lang], t.title.get(lang), kb.answer(tid, lang)):
                    for s in set(stems(q)):
                        counts.setdefault(s, [0, 0])[li] += 1
        for s in STOP_LV:
            counts.setdefault(s, [0, 0])[0] += 3
        for s in STOP_RU:
            counts.setdefault(s, [0, 0])[1] += 3
        self.lang_counts = counts

    # -- query side -------------------------------------------------------------------

    def expand(self, stem: str, partial: bool = True, fuzzy: bool = True) -> list[tuple[int, float]]:
        """Vocabulary stems a query stem stands for, with a similarity in (0, 1].
        `partial`: the word may be unfinished (it had no ending to strip); `fuzzy`: look
        for typos too. Remembered per word, as the stemmer's words are: users' messages
        share most of their words, and a word's expansion is fixed for an index."""
        return _remember(self._expanded, (stem, partial, fuzzy),
                         lambda: self._expand(stem, partial, fuzzy))

    def _expand(self, stem: str, partial: bool, fuzzy: bool) -> list[tuple[int, float]]:
        vid = self.vocab.get(canonical(stem))
        if vid is not None:
            return [(vid, 1.0)]
        out: dict[int, float] = {}
        variants = affix_variants(stem)
        for base, sim in variants:  # "nesadarbojas", "jāsedz", "iemācīties"
            vid = self.vocab.get(canonical(base))
            if vid is not None and sim > out.get(vid, 0.0):
                out[vid] = sim
        # Else a derived form of a known word ("ieviešana": ievieš), maybe prefixed.
        if not out:
            for base, sim in [(stem, 1.0), *variants]:
                for vid in self.roots.get(derivational_root(base), ()):
                    out[vid] = max(out.get(vid, 0.0), self.w.derived * sim)
        if out:
            return list(out.items())
        if partial and len(stem) >= 4:  # the user stopped typing early
            words = self.surface_sorted
            i = bisect.bisect_left(words, stem)
            while i < len(words) and words[i].startswith(stem):
                out[self.surface[words[i]]] = self.w.prefix
                i += 1
                if len(out) >= 8:
                    break
        cutoff = _fuzzy_cutoff(stem) if fuzzy else None
        if cutoff is not None:
            # OSA (Damerau) similarity: a swapped pair of letters is one typo, not two.
            for word, score, _ in process.extract(
                stem, self.surface_list, scorer=OSA.normalized_similarity,
                score_cutoff=cutoff / 100.0, limit=4,
            ):
                score *= 100.0
                if word == "ne" + stem or stem == "ne" + word:  # "not X" is no typo of "X"
                    continue
                vid = self.surface[word]
                sim = (score / 100.0) ** 2
                if sim > out.get(vid, 0.0):
                    out[vid] = sim
        return list(out.items())

    def topics_naming(self, occupations: frozenset[str]) -> frozenset[str]:
        """The topics whose example questions name every one of these occupations (as
        `roles.occupation_of` spells them): the lawyer who approves a job description."""
        found = [self._naming.get(o, frozenset()) for o in occupations]
        return frozenset.intersection(*found) if found else frozenset()

    def split_compound(self, stem: str) -> list[str]:
        """Two known words a long unknown word is made of (Latvian writes compounds as one
        word: datorprogramma, darbadevējs), or [] if it is not such a compound."""
        if len(stem) < 8:
            return []
        for i in range(4, len(stem) - 3):
            left, right = stem[:i], stem[i:]
            for head in (left, left[:-1]):  # a linking vowel: darbA-devējs
                if len(head) >= 4 and canonical(head) in self.vocab:
                    rest = _stem(right)
                    if canonical(rest) in self.vocab:
                        return [head, rest]
        return []

    def is_mistyped_stop_word(self, stem: str, than: float = 0.0) -> bool:
        """A word one typo away from a question or function word, and closer to it than
        `than` (the similarity of its best fuzzy vocabulary match): "каие" is "какие"
        before it is "kase"."""
        if len(stem) < 4:
            return False
        return _remember(self._mistyped, (stem, than), lambda: process.extractOne(  # per word
            stem, self.stop_list, scorer=OSA.normalized_similarity,
            score_cutoff=max(0.75, than + 1e-9)) is not None)

    def score(self, query: str, exclude: int | None = None) -> list[Scored]:
        """Topics ranked by score (best first); empty when nothing matches at all."""
        seq = content_words(query)
        merged = merge_role_names([st for st, _ in seq])
        words: dict[str, bool] = {}  # stem → inflected, first occurrence wins
        for i, st in merged:
            words.setdefault(st, seq[i][1])
        qstems = list(words)
        role = any(canonical(st) in ROLE_WORDS for st in qstems)
        if not qstems:
            return self._score_phrase(query)
        w = self.w
        # Typos are looked for in questions, not in stories: a long message has enough
        # words spelt right, and looking for each of its words costs more than the rest.
        fuzzy = len(qstems) <= w.fuzzy_words
        n = len(self.examples)
        q_mass = 0.0
        q_hit: np.ndarray = np.zeros(n, dtype=np.float64)
        e_hit: np.ndarray = np.zeros(n, dtype=np.float64)
        used: dict[int, float] = {}
        n_t = len(self.topic_ids)
        t_hit: np.ndarray = np.zeros(n_t, dtype=np.float64)
        q_idx: list[np.ndarray] = []  # per matched word: examples it hits, and by how much
        q_val: list[np.ndarray] = []
        t_idx: list[np.ndarray] = []  # and topics
        t_val: list[np.ndarray] = []
        # The words a role name was merged from still say something ("аккаунт-менеджер"
        # is two words, not one).
        info = (len(seq) - len(merged)) * w.idf_floor
        foreign = names_other_manager(query)  # "HR menedžeris": a different job
        if foreign:
            q_mass += w.foreign
        pending = list(qstems)
        known_other = unknown_other = 0  # words besides the role's name, known or not
        while pending:
            s = pending.pop(0)
            matches = self.expand(s, partial=not words.get(s, False), fuzzy=fuzzy)
            if s in FOREIGN_ROLES and not any(sim >= 1.0 for _, sim in matches):
                q_mass += w.foreign
                foreign = True
                continue
            single = len(matches) == 1  # the common case: one word, no max needed
            closest = matches[0][1] if single else max((sim for _, sim in matches), default=1.0)
            if closest < 1.0 and self.is_mistyped_stop_word(s, math.sqrt(closest)):
                continue
            if not matches:
                parts = self.split_compound(s)
                if parts:  # "datorprogrammas" → "dator" + "programmas"
                    pending[:0] = parts
                elif not self.is_mistyped_stop_word(s):  # "каие" is "какие", not a new word
                    q_mass += w.unknown
                    unknown_other += 1
                continue
            if canonical(s) not in ROLE_WORDS:
                known_other += 1
            weight = self.idf_list[matches[0][0]] if single else max(
                self.idf_list[v] for v, _ in matches)
            info += weight
            # A fuzzy-only match is less certain: the word may really be unknown.
            best_sim = closest
            q_mass += weight if best_sim >= 1.0 else max(weight, w.unknown * (1 - best_sim))
            for vid, sim in matches:
                if sim > used.get(vid, 0.0):
                    used[vid] = sim
            if single:
                vid, sim = matches[0]
                idx = self.postings[vid]
                tix, tw = self.topic_postings[vid]
                q_idx.append(idx)
                t_idx.append(tix)
                if sim == 1.0:  # an exact word: its weights are ready
                    q_val.append(self.posting_weights[vid])
                    t_val.append(self.topic_posting_weights[vid])
                else:
                    q_val.append(np.full(len(idx), weight * sim))
                    t_val.append(weight * sim * tw)
                continue
            best = np.zeros(n, dtype=np.float64)
            tbest = np.zeros(n_t, dtype=np.float64)
            for vid, sim in matches:
                idx = self.postings[vid]
                if len(idx):
                    best[idx] = np.maximum(best[idx], sim)
                tix, tw = self.topic_postings[vid]
                tbest[tix] = np.maximum(tbest[tix], sim * tw)
            hit_ex = np.flatnonzero(best)
            q_idx.append(hit_ex)
            q_val.append(weight * best[hit_ex])
            hit_t = np.flatnonzero(tbest)
            t_idx.append(hit_t)
            t_val.append(weight * tbest[hit_t])
        # One scatter-add per array for all words (in word order, so the sums are the
        # same as adding word by word).
        if q_idx:
            q_hit = np.bincount(np.concatenate(q_idx), np.concatenate(q_val), minlength=n)
            t_hit = np.bincount(np.concatenate(t_idx), np.concatenate(t_val), minlength=n_t)
        if used:
            vids = list(used)
            e_idx = [self.postings[v] for v in vids]
            e_val = [self.posting_weights[v] if used[v] == 1.0 else self.posting_weights[v] * used[v]
                     for v in vids]
            e_hit = np.bincount(np.concatenate(e_idx), np.concatenate(e_val), minlength=n)
        if q_mass <= 0:
            return []
        # Only examples sharing a word with the query can score: the powers are computed
        # for those alone (a few dozen of the ~1,700).
        hit = np.flatnonzero(q_hit)
        token = np.zeros(n, dtype=np.float64)
        q_cov = np.minimum(q_hit[hit] / q_mass, 1.0)
        e_cov = np.minimum(e_hit[hit] / np.maximum(self.example_mass[hit], 1e-9), 1.0)
        token[hit] = q_cov**w.query * e_cov ** (1 - w.query)
        if exclude is not None:
            token[exclude] = 0.0
        k = min(w.rerank, len(hit))
        cand = hit[np.argpartition(-token[hit], k - 1)[:k]] if 0 < k < len(hit) else hit
        cand = cand[token[cand] > 0]
        # Every example keeps (1 - char) of its token score; the candidates add the
        # character signal on top (the others would add little and are not worth it).
        final = token * (1 - w.char)
        if len(cand):
            qstring = " ".join(sorted(qstems))
            sims = process.cdist([qstring], [self.example_strings[i] for i in cand],
                                 scorer=fuzz.token_sort_ratio, dtype=np.float64)[0]
            final[cand] += w.char * sims / 100.0
        exact_topic = np.maximum.reduceat(token, self.topic_starts) >= 0.999
        best_per_topic = np.maximum.reduceat(final, self.topic_starts)
        # Each topic's best example (the first, as argmax would pick), for all topics at once.
        at_best = np.flatnonzero(final >= best_per_topic[self.example_topic])
        best_example = at_best[np.searchsorted(at_best, self.topic_starts)]
        if w.second > 0:
            # Agreement of a second example of the same topic: one lucky paraphrase is
            # weaker evidence than two.
            rest = np.where(final >= best_per_topic[self.example_topic], 0.0, final)
            second = np.maximum.reduceat(rest, self.topic_starts)
            best_per_topic = (1 - w.second) * best_per_topic + w.second * second
        coverage = np.minimum(t_hit / q_mass, 1.0)
        covered_most = int(np.argmax(coverage))
        agree_topic = int(np.argmax(best_per_topic)) == covered_most
        # coverage scales the example score (rather than adding to it)
        best_per_topic = best_per_topic * ((1 - w.topic) + w.topic * coverage)
        order = np.argsort(-best_per_topic)
        said = self.bare.get(frozenset(canonical(st) for st in qstems) - ROLE_WORDS)
        if said is not None and not role and ROLE in self.vocab:
            info += self.idf_list[self.vocab[ROLE]]  # the example's role name says this much
        out: list[Scored] = []
        for ti in order[:8]:
            sc = float(best_per_topic[ti])
            if sc <= 0:
                break
            ex = self.examples[int(best_example[ti])]
            agree = agree_topic and not out and covered_most == ti
            out.append(Scored(self.topic_ids[ti], sc, ex.lang, ex.text, agree, info, foreign,
                              bool(exact_topic[ti]) or self.topic_ids[ti] == said, role,
                              role and unknown_other > 0 and known_other == 0))
        return out

    def _score_phrase(self, query: str) -> list[Scored]:
        """A query of function words only, against the knowledge base's questions of the
        same kind (a typo allowed, in any word order, with more function words around:
        "ты кто?", "а ты кто такой?" ask what "Кто ты?" asks)."""
        phrase = " ".join(stems(query))
        if not phrase or not self.phrases:
            return []
        hit = process.extractOne(phrase, list(self.phrases), scorer=fuzz.token_set_ratio,
                                 score_cutoff=85)
        if hit is None:
            return []
        e = self.phrases[hit[0]]
        return [Scored(e.topic, hit[1] / 100.0, e.lang, e.text, agree=True, info=1.0,
                       exact=fuzz.token_sort_ratio(phrase, hit[0]) >= 100.0)]

    def language_votes(self, query: str) -> tuple[float, float]:
        """Evidence for Latvian and for Russian from the words of a Latin-script query: each
        distinct word adds the log-odds of its use in Latvian vs Russian examples, so a word
        only one language uses ("pārdošanas") outweighs words both use ("menedžeris")."""
        lv = ru = 0.0
        for s in dict.fromkeys(language_stems(query)):
            if len(s) < 2:  # "a", "i": letters of both languages, evidence of neither
                continue
            c = self.lang_counts.get(s)
            if not c:
                continue
            odds = math.log((c[0] + 1) / (c[1] + 1))
            if odds > 0:
                lv += odds
            else:
                ru -= odds
        return lv, ru
