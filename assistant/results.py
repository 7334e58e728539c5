"""The result types of the public API: search hits and answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Hit:
    """One retrieved paper, with its best passages (best first)."""

    rank: int
    paper_id: str
    title: str
    score: float
    """Fused (reciprocal-rank) score: higher is better, comparable within one search."""
    passages: list[str]
    similarity: float
    """Best cosine similarity of a passage to the question (dense), for relevance cut-offs."""
    metadata: dict[str, Any] = field(default_factory=dict)
    """Whatever the collection had: ``year``, ``authors``, ``url``."""

    @property
    def passage(self) -> str:
        return self.passages[0] if self.passages else ""


@dataclass(frozen=True)
class Source:
    """A paper given to the answerer as ``[n]``."""

    n: int
    paper_id: str
    title: str
    passage: str
    cited: bool = False


@dataclass(frozen=True)
class Claim:
    """One sentence of an answer, the sources it cites, and whether they support it."""

    text: str
    """The sentence as written in the answer (with its markers)."""
    citations: list[int]
    """Source numbers the sentence cites, in order of first use."""
    supported: bool
    """``support`` reached the threshold; a claim citing nothing is never supported."""
    support: float
    """Best match between the claim and a passage of a cited source (0 when nothing cited)."""

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` shape of one entry of ``"claims"``."""
        return {
            "text": self.text,
            "citations": list(self.citations),
            "supported": self.supported,
            "support": self.support,
        }


@dataclass(frozen=True)
class Answer:
    """A grounded answer: text with validated ``[n]`` citations and the sources behind them."""

    question: str
    text: str
    answered: bool
    mode: str
    """``llm`` or ``extractive``."""
    sources: list[Source]
    citations: list[int]
    """Source numbers cited in ``text``, in order of first use; all valid."""
    model: str | None = None
    usage: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    invalid_citations: list[int] = field(default_factory=list)
    """Markers the model wrote that pointed at no source; removed from ``text``."""
    standalone_question: str | None = None
    """The follow-up rewritten as a self-contained question, when there was history."""

    @property
    def cited_sources(self) -> list[Source]:
        return [s for s in self.sources if s.cited]

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` shape of ``assistant ask``."""
        return {
            "question": self.question,
            "answer": self.text,
            "answered": self.answered,
            "mode": self.mode,
            "model": self.model,
            "citations": list(self.citations),
            "sources": [
                {
                    "n": s.n,
                    "paper_id": s.paper_id,
                    "title": s.title,
                    "cited": s.cited,
                    "passage": s.passage,
                }
                for s in self.sources
            ],
            "usage": dict(self.usage),
            "timings": dict(self.timings),
        }


@dataclass(frozen=True)
class Turn:
    """One earlier exchange of a conversation, used to understand follow-ups."""

    question: str
    answer: str
