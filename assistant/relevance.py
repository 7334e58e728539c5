"""Is the collection about this question at all? The evidence for abstaining.

Two signals, both must hold for an answer to be attempted:

* dense: the best passage's cosine similarity to the question reaches ``settings.min_relevance``;
* lexical support: the retrieved papers mention enough of the question's distinctive words.
  Each content word counts by its inverse document frequency in the collection, so a question
  about "the carbon footprint of pretraining" is not answered from papers that only share
  "pretraining" and "language models" with it. Near misses that embeddings score as similar
  are caught this way.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .lexical import STOPWORDS

if TYPE_CHECKING:
    from .collection import Paper
    from .service import Assistant

MIN_TERM_SUPPORT = 0.45
"""Below this share of the question's (IDF-weighted) content words found in the retrieved
papers, the collection is taken not to discuss the question."""

# Words of how questions are asked, not of what they are about.
_QUESTION_WORDS = frozenset(
    """paper papers study studies work works approach approaches method methods propose proposed
    introduce introduced show shows report reported reports find found get got give gives
    like many much kind kinds way ways versus""".split()  # noqa: SIM905 - a word list reads best so
)
_WORD = re.compile(r"[^\W_]+")


def content_terms(text: str) -> list[str]:
    """Lower-cased content words, plural ``-s`` folded, stop and question words dropped.

    Hyphenated compounds count as their parts ("language-model" is "language model").
    """
    terms = []
    for word in _WORD.findall(text.casefold()):
        if len(word) < 2 or word in STOPWORDS or word in _QUESTION_WORDS:
            continue
        if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
            word = word[:-1]
        if word not in _QUESTION_WORDS:
            terms.append(word)
    return terms


@dataclass(frozen=True)
class Relevance:
    similarity: float
    term_support: float
    missing_terms: list[str]

    def enough(self, min_similarity: float) -> bool:
        return self.similarity >= min_similarity and self.term_support >= MIN_TERM_SUPPORT


class TermStatistics:
    """Inverse document frequencies of a question's words, from the lexical index's counts
    (no pass over the collection)."""

    def __init__(self, counts: Mapping[str, int], chunks: int) -> None:
        self.counts = counts
        self.chunks = chunks

    def idf(self, term: str) -> float:
        return math.log((self.chunks + 1) / (self.counts.get(term, 0) + 0.5))


def paper_terms(paper: Paper) -> frozenset[str]:
    return frozenset(content_terms(f"{paper.title} {paper.abstract}"))


def term_statistics(assistant: Assistant, question: str) -> TermStatistics:
    """Statistics for the content words of ``question``."""
    counts, chunks = assistant.store.lexical.document_counts(content_terms(question))
    return TermStatistics(counts, chunks)


def judge_relevance(
    question: str, similarity: float, papers: Sequence[Paper], frequencies: TermStatistics
) -> Relevance:
    """How well ``papers`` (the retrieved ones) cover ``question``."""
    terms = set(content_terms(question))
    if not terms:
        return Relevance(similarity, 1.0, [])
    covered: set[str] = set()
    for paper in papers:
        covered |= terms & paper_terms(paper)
    weight = {term: frequencies.idf(term) for term in terms}
    total = sum(weight.values()) or 1.0
    support = sum(weight[t] for t in covered) / total
    missing = sorted(terms - covered, key=lambda t: -weight[t])
    return Relevance(similarity, round(support, 4), missing)
