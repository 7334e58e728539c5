"""Answer or abstain? The decision, and the evidence it weighs.

Declining is a feature: a question the collection does not discuss should get "the
collection does not answer this", not a confident answer from loosely related papers. The
decision lives in one collaborator (``RelevanceDecision``) so that both answerers obey the
same rule and a better rule can replace it without touching the pipeline.

Today's rule needs two signals to hold:

* dense: the best passage's cosine similarity to the question reaches ``min_similarity``;
* lexical support: the retrieved papers mention enough of the question's distinctive words.
  Each content word counts by its inverse document frequency in the collection, so a question
  about "the carbon footprint of pretraining" is not answered from papers that only share
  "pretraining" and "language models" with it. Near misses that embeddings score as similar
  are caught this way.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ..collection import Paper
from ..results import Hit
from ..text import content_terms

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
        """Statistics for the content words of ``question``."""
        counts, chunks = document_counts(content_terms(question))
        return cls(counts, chunks)

    def idf(self, term: str) -> float:
        return math.log((self.chunks + 1) / (self.counts.get(term, 0) + 0.5))


@dataclass(frozen=True)
class Decision:
    """Whether to attempt an answer, and why."""

    answerable: bool
    score: float
    """Positive when answerable: the smaller margin of the signals over their thresholds."""
    reasons: list[str] = field(default_factory=list)
    """Readable evidence ("similarity 0.31 < 0.44", "missing terms: sourdough, crust")."""
    similarity: float = 0.0
    term_support: float = 0.0


class Decider(Protocol):
    """What the pipeline asks before answering."""

    def decide(
        self, question: str, hits: Sequence[Hit], papers: Sequence[Paper], terms: TermStatistics
    ) -> Decision: ...


def paper_terms(paper: Paper) -> frozenset[str]:
    return frozenset(content_terms(f"{paper.title} {paper.abstract}"))


def term_support(
    question: str, papers: Sequence[Paper], terms: TermStatistics
) -> tuple[float, list[str]]:
    """The IDF-weighted share of the question's content words the papers mention, and the
    missing words (most distinctive first)."""
    wanted = set(content_terms(question))
    if not wanted:
        return 1.0, []
    covered: set[str] = set()
    for paper in papers:
        covered |= wanted & paper_terms(paper)
    weight = {term: terms.idf(term) for term in wanted}
    total = sum(weight.values()) or 1.0
    support = sum(weight[t] for t in covered) / total
    return round(support, 4), sorted(wanted - covered, key=lambda t: -weight[t])


@dataclass(frozen=True)
class RelevanceDecision:
    """Answer when the best passage is similar enough AND the papers cover the question's
    distinctive words."""

    min_similarity: float
    min_term_support: float

    def decide(
        self, question: str, hits: Sequence[Hit], papers: Sequence[Paper], terms: TermStatistics
    ) -> Decision:
        if not hits:
            return Decision(False, -1.0, ["nothing retrieved"])
        similarity = max(hit.similarity for hit in hits)
        support, missing = term_support(question, papers, terms)
        reasons = []
        if similarity < self.min_similarity:
            reasons.append(f"similarity {similarity:.2f} < {self.min_similarity:.2f}")
        if support < self.min_term_support:
            reasons.append(f"term support {support:.2f} < {self.min_term_support:.2f}")
        if missing:
            reasons.append("missing terms: " + ", ".join(missing[:5]))
        score = min(similarity - self.min_similarity, support - self.min_term_support)
        return Decision(score >= 0, round(score, 4), reasons, similarity, support)
