"""The result types of the public API: search hits and answers.

They sit at the bottom of the layers (plain data, no behaviour that imports anything) so that
every layer can return them and the public API can hand them out unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Hit:
    """One retrieved paper, with its best passages (best first)."""

    rank: int
    paper_id: str
    title: str
    score: float
    """Fused score (by default a convex mix of min-max-normalised dense and BM25 scores,
    ``fusion = "rrf"`` gives reciprocal-rank): higher is better, comparable only within one
    search."""
    passages: list[str]
    similarity: float
    """Best cosine similarity of a passage to the question (dense), for relevance cut-offs."""
    metadata: dict[str, Any] = field(default_factory=dict)
    """Whatever the collection had: ``year``, ``authors``, ``url``."""

    @property
    def passage(self) -> str:
        return self.passages[0] if self.passages else ""


PASSAGE_JOINER = " … "
"""How separate passages of one source read as one text (JSON's ``passage``, the CLI)."""


@dataclass(frozen=True, init=False)
class Source:
    """A paper given to the answerer as ``[n]``, with the passages the answer rests on."""

    n: int
    paper_id: str
    title: str
    passages: list[str]
    """In reading order; offline, exactly the sentences quoted from this paper."""
    cited: bool = False
    metadata: Mapping[str, Any] = field(default_factory=dict)
    """What the collection knows of the paper: ``authors``, ``year``, ``url``, ``doi``,
    ``venue`` (each only when known)."""

    def __init__(
        self,
        n: int,
        paper_id: str,
        title: str,
        passages: Sequence[str] | str = (),
        cited: bool = False,
        *,
        passage: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> None:
        # A single string (and the ``passage`` keyword of stored JSON) means one passage.
        if passage is not None:
            passages = [passage]
        elif isinstance(passages, str):
            passages = [passages]
        object.__setattr__(self, "n", n)
        object.__setattr__(self, "paper_id", paper_id)
        object.__setattr__(self, "title", title)
        object.__setattr__(self, "passages", [p for p in passages if p])
        object.__setattr__(self, "cited", cited)
        object.__setattr__(self, "metadata", dict(metadata or {}))

    @property
    def passage(self) -> str:
        """The passages as one text, joined by " … "."""
        return PASSAGE_JOINER.join(self.passages)


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
    timings: dict[str, float] = field(default_factory=dict, compare=False)
    """Milliseconds per step; two answers alike but for their timing are equal."""
    invalid_citations: list[int] = field(default_factory=list)
    """Markers the model wrote that pointed at no source; removed from ``text``."""
    standalone_question: str | None = None
    """The follow-up rewritten as a self-contained question, when there was history."""
    claims: list[Claim] = field(default_factory=list)
    """The answer's sentences as checked against the sources they cite (empty when the
    question was declined)."""
    reasoning: str = ""
    """What a reasoning model thought before answering (``<think>`` blocks or reasoning
    deltas): never part of ``text``, never parsed for citations or checked as claims."""
    truncated: bool = False
    """The model stopped at its token limit (``max_tokens``): ``text`` is cut short."""
    extractive: bool = False
    """True when the text is quoted from the sources offline, not written by a model."""

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
            "extractive": self.extractive,
            "citations": list(self.citations),
            "sources": [
                {
                    "n": s.n,
                    "paper_id": s.paper_id,
                    "title": s.title,
                    "cited": s.cited,
                    "passage": s.passage,
                    "authors": list(s.metadata.get("authors", [])),
                    "year": s.metadata.get("year"),
                    "url": s.metadata.get("url"),
                }
                for s in self.sources
            ],
            "claims": [claim.to_dict() for claim in self.claims],
            "reasoning": self.reasoning,
            "truncated": self.truncated,
            "usage": dict(self.usage),
            "timings": dict(self.timings),
        }


@dataclass(frozen=True)
class Turn:
    """One earlier exchange of a conversation, used to understand follow-ups."""

    question: str
    answer: str


Progress = Callable[[int, int, str], None]
"""``progress(done, total, label)``; library code reports here, never to stdout."""
