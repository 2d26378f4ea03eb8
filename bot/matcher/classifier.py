"""A topic classifier trained from the knowledge base itself, every time it loads.

The fuzzy index (index.py) scores a question by its single nearest example, which is right
for two-word questions and wrong for a chat message of sixty words: a long story shares a
word or two with many examples and wins clearly against none. A linear model weighs every
word and character n-gram of the whole message at once, learned from all of a topic's
examples together, so the story around a question adds little and the question's own
words decide (the approach of Rasa's intent pipelines: count vectors of character n-grams
plus a linear classifier).

Training data is the knowledge YAML: every topic's title and example questions in both
languages, the lines of its answer, users' wording of its questions (`calibration.yaml`:
short questions and whole chat messages, greetings and stories included, which the
examples are not), and `out_of_domain.yaml` as one more class, OUT_OF_DOMAIN — what the role is
*not* about (bank accounts, other managers' jobs…), so near-misses have somewhere to go.
The text is first brought to the matcher's skeleton form (normalize.py: no diacritics,
Cyrillic and translit meet, endings stripped, synonyms and every name of the role merged),
so the model never has to learn spelling variants.

scikit-learn trains; a question is scored here by one sparse dot product over the learned
weights (the same numbers `decision_function` gives, checked by a test) because
scikit-learn's per-call input checks cost ten times the arithmetic for a single message.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC

from ..knowledge.contract import BOT_TALK
from ..knowledge.model import LANGS, KnowledgeBase
from .normalize import affix_variants, canonical, content_stems, derivational_root
from .roles import OCCUPATION, occupation_context, occupation_flags, with_role_token
from .segments import question_part

OUT_OF_DOMAIN = "__out_of_domain__"
_WORD_CACHE = 20_000  # words whose n-gram columns are remembered (cleared when full)


def model_text(text: str) -> str:
    """The skeleton the model reads: content stems, synonyms at their group head, every
    full name of the role as one token, and every other occupation as one token — so
    "arhitekta mīnusi" teaches the model about other jobs, not about "mīnusi", and an
    occupation it never saw in an example still reads as one."""
    words = with_role_token(content_stems(text))
    return " ".join(OCCUPATION if flag else canonical(s)
                    for s, flag in zip(words, occupation_flags(words, *occupation_context(text)),
                                       strict=True))


@lru_cache(maxsize=1 << 15)
def known_text(text: str) -> str:
    """`model_text` of a knowledge text, remembered: every load, reload and calibration
    fold reads the same few thousand examples and answer lines again."""
    return model_text(text)


@lru_cache(maxsize=1 << 16)
def _word_grams(word: str, lo: int, hi: int) -> tuple[str, ...]:
    """A word's character n-grams inside its boundaries, exactly as scikit-learn's
    `char_wb` analyzer makes them (" word " cut into every n from lo to hi; a word shorter
    than n counted once)."""
    w = f" {word} "
    out: list[str] = []
    for n in range(lo, hi + 1):
        out += [w[i:i + n] for i in range(max(len(w) - n, 0) + 1)]
        if len(w) <= n:
            break
    return tuple(out)


@dataclass(frozen=True, slots=True)
class _CharGrams:
    """`char_wb` n-grams of a text, word by word from a cache (a tenth of the time: the
    texts of a knowledge base repeat the same words thousands of times)."""

    lo: int
    hi: int

    def __call__(self, text: str) -> list[str]:
        out: list[str] = []
        for word in text.split():
            out += _word_grams(word, self.lo, self.hi)
        return out


@dataclass(frozen=True, slots=True)
class ClassifierSettings:
    """Model knobs. Character n-grams inside word boundaries carry typos and word forms
    the stemmer missed; word uni- and bigrams carry phrases ("ROLE bank")."""

    char_ngrams: tuple[int, int] = (2, 5)
    word_ngrams: tuple[int, int] = (1, 2)
    c: float = 0.5  # LinearSVC regularisation: lower = smoother, less sure of rare words
    # Each line of a topic's answer is an example too: a question about a detail
    # the examples never ask ("kompensācija par telefonu") is still answered by its words.
    answer_weight: float = 1.0
    # Users' wording (calibration.yaml) teaches the model how people really ask, long chat
    # messages among them (calibration asks each of a model trained without it). 0: not.
    user_weight: float = 1.0


Example = tuple[str, str, float]  # (text, label, weight)


def char_tfidf(texts: Sequence[str], lo: int, hi: int
               ) -> tuple[csr_matrix, dict[str, int], np.ndarray]:
    """What scikit-learn's `TfidfVectorizer(analyzer=_CharGrams(lo, hi), sublinear_tf=True)`
    learns and makes of the texts — the matrix, the vocabulary (sorted, as it sorts it) and
    the idf (smoothed) — computed word by word: the texts of a knowledge base repeat a few
    thousand words, so each word's n-grams are looked up once, not once per text (a
    quarter of the time; `test_classifier` checks it equals scikit-learn's)."""
    docs = [t.split() for t in texts]
    grams = {w: _word_grams(w, lo, hi) for words in docs for w in words}
    vocabulary = {g: i for i, g in enumerate(sorted({g for gs in grams.values() for g in gs}))}
    columns = {w: np.fromiter((vocabulary[g] for g in gs), dtype=np.intp, count=len(gs))
               for w, gs in grams.items()}
    # every (text, column) pair of every text at once: counted by one sort
    parts = [columns[w] for words in docs for w in words]
    cols = np.concatenate(parts) if parts else np.zeros(0, dtype=np.intp)
    lengths = np.fromiter((sum(len(columns[w]) for w in words) for words in docs),
                          dtype=np.intp, count=len(docs))
    rows = np.repeat(np.arange(len(docs), dtype=np.intp), lengths)
    width = max(len(vocabulary), 1)
    keys, counts = np.unique(rows * width + cols, return_counts=True)
    row, col = np.divmod(keys, width)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(row, minlength=len(docs)))])
    matrix = csr_matrix((counts.astype(np.float64), col, indptr),
                        shape=(len(docs), len(vocabulary)))
    df = np.bincount(matrix.indices, minlength=len(vocabulary))
    idf = np.log((len(docs) + 1) / (df + 1.0)) + 1.0
    np.log(matrix.data, out=matrix.data)
    matrix.data += 1.0  # sublinear tf
    matrix.data *= idf[matrix.indices]
    return normalize(matrix, norm="l2", copy=False), vocabulary, idf

_ANSWER_LINE = re.compile(r"\n+|(?<=[.;:!?])\s+")


def answer_lines(answer: str) -> list[str]:
    """The sentences and list items of an answer that say something (three words or more)."""
    lines = (line.strip(" •-–—\t") for line in _ANSWER_LINE.split(answer))
    return [line for line in lines if len(line.split()) >= 3]


def training_set(kb: KnowledgeBase, settings: ClassifierSettings | None = None) -> list[Example]:
    """Every title and example question (weight 1), every line of every answer
    (`answer_weight`) that no other topic's answer also says (computed figures shown by
    two salary topics tell neither apart), every calibration question (`user_weight`)
    and every out-of-domain example under OUT_OF_DOMAIN."""
    s = settings or ClassifierSettings()
    out: list[Example] = []
    lines: dict[str, set[str]] = {}  # skeleton of an answer line → topics saying it
    for tid in sorted(kb.topics):
        t = kb.topics[tid]
        for lang in LANGS:
            out.append((t.title.get(lang), tid, 1.0))
            out += [(q, tid, 1.0) for q in t.questions[lang]]
            for line in answer_lines(kb.answer(tid, lang)):
                lines.setdefault(known_text(line), set()).add(tid)
    if s.answer_weight > 0:
        # (Not the bot's own talk: "Ko dara konta pārvaldnieks?", quoted by chat.about as
        # a sample question, would teach that duties are a question about the bot.)
        for tid in sorted(set(kb.topics) - BOT_TALK):
            for lang in LANGS:
                out += [(line, tid, s.answer_weight) for line in answer_lines(kb.answer(tid, lang))
                        if len(lines[known_text(line)]) == 1]
    if s.user_weight > 0:
        out += [(q, tid, s.user_weight) for tid, _lang, q in kb.calibration]
    for lang in LANGS:
        # An off-topic example told as a story keeps only its question: stories are told
        # around in-domain questions too, and the examples of topics are bare questions,
        # so the story's words would otherwise teach "a story is off-topic".
        out += [(question_part(q) or q, OUT_OF_DOMAIN, 1.0) for q in kb.out_of_domain.get(lang, ())]
    return out


@dataclass(frozen=True, slots=True)
class _Block:
    """One vectorizer's part of the feature space: its analyzer, vocabulary, idf and the
    column where it starts."""

    analyze: Callable[[str], list[str]]
    vocabulary: dict[str, int]
    idf: np.ndarray
    offset: int


class TopicClassifier:
    """A linear model over TF-IDF features of the skeleton text; immutable once trained."""

    def __init__(self, examples: Sequence[Example],
                 settings: ClassifierSettings | None = None) -> None:
        s = self.settings = settings or ClassifierSettings()
        texts = [known_text(t) for t, _, _ in examples]
        labels = [label for _, label, _ in examples]
        weights = np.array([w for _, _, w in examples], dtype=np.float64)
        chars, char_vocabulary, char_idf = char_tfidf(texts, *s.char_ngrams)
        words = TfidfVectorizer(analyzer="word", ngram_range=s.word_ngrams, sublinear_tf=True,
                                lowercase=False, token_pattern=r"\S+", dtype=np.float64)
        word_matrix = words.fit_transform(texts)
        blocks = (
            _Block(_CharGrams(*s.char_ngrams), char_vocabulary, char_idf, 0),
            _Block(words.build_analyzer(), {str(k): int(v) for k, v in words.vocabulary_.items()},
                   np.asarray(words.idf_, dtype=np.float64), len(char_vocabulary)),
        )
        features = hstack([chars, word_matrix]).tocsr()
        model = LinearSVC(C=s.c, random_state=0)  # liblinear shuffles: same YAML, same model
        if len(set(labels)) > 1:
            model.fit(features, labels, sample_weight=weights)
            self.classes: tuple[str, ...] = tuple(str(c) for c in model.classes_)
            # A two-class SVM keeps one weight row (positive = the second class): spell
            # out both, so every class has its own column as with more classes.
            coef = model.coef_ if len(self.classes) > 2 else np.vstack([-model.coef_, model.coef_])
            bias = model.intercept_ if len(self.classes) > 2 else np.array(
                [-model.intercept_[0], model.intercept_[0]])
        else:  # one topic and nothing else: it is the answer to everything
            self.classes = tuple(sorted(set(labels)))
            coef = np.zeros((1, features.shape[1]))
            bias = np.ones(1)
        self.ood = self.classes.index(OUT_OF_DOMAIN) if OUT_OF_DOMAIN in self.classes else -1
        # A second, binary model: any topic vs out of domain. The many-class model weighs
        # "out of domain" against each topic alone; this one against all topics pooled,
        # so its margin says how off-topic a text is whatever topic it resembles most.
        off = np.array([label == OUT_OF_DOMAIN for label in labels])
        if off.any() and not off.all():
            refusal = LinearSVC(C=s.c, class_weight="balanced", random_state=0)
            refusal.fit(features, off, sample_weight=weights)
            coef = np.vstack([coef, refusal.coef_])
            bias = np.append(bias, refusal.intercept_[0])
        else:
            coef = np.vstack([coef, np.zeros((1, features.shape[1]))])
            bias = np.append(bias, -1.0)
        # Rows = features, so a question's few features gather a small block of weights;
        # the last column is the refusal model's.
        self._weights = np.ascontiguousarray(coef.T, dtype=np.float64)
        self._bias = np.asarray(bias, dtype=np.float64)
        self._blocks = blocks
        self._idf = np.concatenate([b.idf for b in blocks])  # by column, both blocks
        self._sk = model  # kept for the equivalence test only (the many-class model)
        self._word_cache: dict[str, np.ndarray] = {}
        # A word the model never saw stands for a known word of its root (the most common
        # one): "parakstīšana" reads as the examples' "parakstīt" (see derivational_root).
        unigrams = {w: j for w, j in blocks[1].vocabulary.items() if " " not in w}
        roots: dict[str, str] = {}
        for w in sorted(unigrams, key=lambda w: (self._idf[blocks[1].offset + unigrams[w]], w)):
            roots.setdefault(derivational_root(w), w)
        self._unigrams = frozenset(unigrams)
        self._roots = roots
        self._unknown: dict[str, str] = {}  # unknown word → the known word it reads as

    @classmethod
    def train(cls, kb: KnowledgeBase, settings: ClassifierSettings | None = None,
              extra: Iterable[tuple[str, str]] = ()) -> TopicClassifier:
        """Train from a knowledge base (plus `extra` (text, label) pairs, for benchmarks)."""
        return cls([*training_set(kb, settings), *((t, label, 1.0) for t, label in extra)],
                   settings)

    def _char_columns(self, word: str) -> np.ndarray:
        """Columns of a word's known character n-grams (with repeats), cached per word:
        a chat message repeats most of its words from earlier messages."""
        cols = self._word_cache.get(word)
        if cols is None:
            b = self._blocks[0]
            cols = np.fromiter((j for g in b.analyze(word) if (j := b.vocabulary.get(g)) is not None),
                               dtype=np.intp)
            if len(self._word_cache) >= _WORD_CACHE:
                self._word_cache.clear()
            self._word_cache[word] = cols
        return cols

    def _known(self, word: str) -> str:
        """The word itself when the model knows it, else a known word of its root (or of
        the root of the word without a prefix), if any."""
        if word in self._unigrams:
            return word
        known = self._unknown.get(word)
        if known is None:
            # its root, or a prefixed form's root: "neaizietu"
            bases = (word, *(b for b, _ in affix_variants(word)))
            known = next((k for b in bases if (k := self._roots.get(derivational_root(b)))),
                         word)
            if len(self._unknown) >= _WORD_CACHE:
                self._unknown.clear()
            self._unknown[word] = known
        return known

    def _word_columns(self, words: list[str]) -> np.ndarray:
        """Columns of a text's known word n-grams: what the word analyzer (whitespace
        tokens, n-grams of `word_ngrams`, shortest first) yields, without its per-call
        set-up, which costs more than the lookups for a short text."""
        vocabulary = self._blocks[1].vocabulary
        lo, hi = self.settings.word_ngrams
        grams = (" ".join(words[i:i + n]) for n in range(lo, hi + 1)
                 for i in range(len(words) - n + 1))
        return np.fromiter((j for g in grams if (j := vocabulary.get(g)) is not None),
                           dtype=np.intp)

    def decide_of(self, skeleton: str) -> np.ndarray:
        """Decision values of every class and, last, the refusal margin (> 0: off-topic)
        for an already normalized text (see `model_text`); the intercepts alone when no
        feature is known. The same numbers as scikit-learn's pipeline (sublinear tf × idf,
        l2 per block, linear models)."""
        return self.decide_many((skeleton,))[0]

    def decide_many(self, skeletons: Sequence[str]) -> np.ndarray:
        """`decide_of` for several texts, one row each (a message is read whole, by its
        question and by its clauses). Each text gathers only the weight rows of its own
        features and takes one matrix-vector product with them."""
        wb = self._blocks[1]
        k = len(skeletons)
        out = np.tile(self._bias, (k, 1))
        cols: list[np.ndarray] = []
        rows: list[np.ndarray] = []
        for i, sk in enumerate(skeletons):
            words = [self._known(w) for w in sk.split()]
            if not words:
                continue
            c = np.concatenate([*(self._char_columns(w) for w in words),
                                self._word_columns(words) + wb.offset])
            cols.append(c)
            rows.append(np.full(len(c), i, dtype=np.intp))
        if not cols or not sum(map(len, cols)):
            return out
        # Each (text, column) pair once, all texts in one pass: sublinear tf × idf, then l2
        # per text and block (the word block starts at its offset) ...
        n_cols = self._weights.shape[0]
        keys, counts = np.unique(np.concatenate(rows) * n_cols + np.concatenate(cols),
                                 return_counts=True)
        row, col = np.divmod(keys, n_cols)
        vals = (1.0 + np.log(counts)) * self._idf[col]
        part = row * 2 + (col >= wb.offset)
        norms = np.sqrt(np.bincount(part, vals * vals, minlength=2 * k))
        vals /= norms[part]
        # ... then each text takes one product with the weight rows of its own features.
        bounds = np.searchsorted(row, np.arange(k + 1))
        for i in range(k):
            lo, hi = int(bounds[i]), int(bounds[i + 1])
            if hi > lo:
                out[i] += vals[lo:hi] @ self._weights[col[lo:hi]]
        return out

    def scores_of(self, skeleton: str) -> np.ndarray:
        """Decision values of every class (in `classes` order) for a normalized text."""
        return self.decide_of(skeleton)[:-1]

    def refusal_of(self, skeleton: str) -> float:
        """The refusal model's margin for a normalized text (> 0: off-topic)."""
        return float(self.decide_of(skeleton)[-1])

    def scores(self, text: str) -> np.ndarray:
        """Decision values of every class (in `classes` order) for a raw text."""
        return self.scores_of(model_text(text))
