"""Answer or abstain? The decision's shape, and the term statistics it weighs.

Declining is a feature: a question the collection does not discuss should get "the
collection does not answer this", not a confident answer from loosely related papers. The
decision lives in one collaborator (a ``Decider``) so that both answerers obey the same rule
and a better rule can replace it without touching the pipeline. The rule itself is
``abstention.AbstentionDecision``: one logistic score over retrieval signals, read with a
strict threshold offline and a lenient one when a model reads the sources.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ..collection import Paper
from ..results import Hit
from ..text import american_spelling, content_terms

TermCounts = Callable[[Sequence[str]], tuple[Mapping[str, int], int]]
"""``counts(terms) -> ({term: chunks containing it}, total chunks)``: the lexical index's."""


class TermStatistics:
    """Inverse document frequencies of a question's words, from the lexical index's counts
    (no pass over the collection)."""

    def __init__(self, counts: Mapping[str, int], chunks: int) -> None:
        self.counts = counts
        self.chunks = chunks

    @classmethod
    def for_question(cls, question: str, document_counts: TermCounts) -> TermStatistics:
        """Statistics for the content words of ``question``. A word the collection never
        writes in the question's spelling is counted in the American one ("initialisation"
        as "initialization"): otherwise a British speller's words would look unknown."""
        terms = content_terms(question)
        counts, chunks = document_counts(terms)
        respelt = {
            term: american_spelling(term)
            for term in terms
            if not counts.get(term) and american_spelling(term) != term
        }
        if respelt:
            american, _ = document_counts(sorted(set(respelt.values())))
            counts = {**counts, **{term: american.get(a, 0) for term, a in respelt.items()}}
        return cls(counts, chunks)

    def idf(self, term: str) -> float:
        """Inverse document frequency of ``term`` (higher is rarer)."""
        return self.idf_of_count(self.counts.get(term, 0))

    def idf_of_count(self, count: int) -> float:
        """Inverse document frequency of a term found in ``count`` chunks."""
        return math.log((self.chunks + 1) / (count + 0.5))


@dataclass(frozen=True)
class Decision:
    """Whether to attempt an answer, and why."""

    answerable: bool
    score: float
    """The abstention model's estimate (0..1) that the collection answers the question."""
    reasons: list[str] = field(default_factory=list)
    """What the papers found lack, most specific first ("no paper found mentions AudioMAE",
    "the closest paper does not mention the learning rate"); the decline says the first."""
    similarity: float = 0.0
    """The best passage's cosine similarity to the question."""
    caveats: list[str] = field(default_factory=list)
    """What the papers found lack that a reader should know even when the question is
    answered ("no paper found mentions XLM-E")."""


class Decider(Protocol):
    """What the pipeline asks before answering."""

    def decide(
        self, question: str, hits: Sequence[Hit], papers: Sequence[Paper], terms: TermStatistics
    ) -> Decision: ...


def paper_terms(paper: Paper) -> frozenset[str]:
    """The content words of a paper's title and abstract."""
    return frozenset(content_terms(f"{paper.title} {paper.abstract}"))
