"""The seam between the pipeline and whoever writes the answer.

Two answerers exist (extractive offline, a chat model online); they used to be hidden in
``if client is None`` branches. Behind one protocol the pipeline does not know which it has,
and a test can hand it a third.
"""

from __future__ import annotations

import time
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ..results import Hit, Source, Turn
from .budget import SourceText
from .decision import TermStatistics

NOT_COVERED = (
    "The collection does not answer this: none of its papers is close enough to the question."
)
"""The answer when the decision (or the offline answerer) finds nothing to answer from."""


def not_covered(reasons: Sequence[str]) -> str:
    """The decline for a decision's ``reasons``: ``NOT_COVERED``, or the same with the most
    specific reason in place of "not close enough"."""
    if not reasons:
        return NOT_COVERED
    return f"The collection does not answer this: {reasons[0]}."


class Timings:
    """Milliseconds since the question arrived, by step (``retrieve_ms``, ``first_token_ms``)."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.values: dict[str, float] = {}

    def since_start(self, name: str) -> None:
        self.values[name] = _ms_since(self.started)

    def since(self, name: str, mark: float) -> None:
        self.values[name] = _ms_since(mark)

    def first(self, name: str) -> None:
        """Record ``name`` only the first time it happens."""
        if name not in self.values:
            self.since_start(name)


def _ms_since(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 2)


@dataclass(frozen=True)
class Evidence:
    """What the answerer answers from."""

    query: str
    """The standalone question (the follow-up condensed, if there was history)."""
    hits: list[Hit]
    texts: list[SourceText]
    """One text per hit, in rank order: what ``[n]`` refers to before any budget cut."""
    terms: TermStatistics
    model: str | None


@dataclass(frozen=True)
class SourcesReady:
    """Event: the sources the answer will draw on are fixed (sent before the first delta)."""

    sources: list[Source]


@dataclass(frozen=True)
class ReasoningDelta:
    """Event: more of the model's reasoning (kept apart from the answer text)."""

    text: str


@dataclass(frozen=True)
class AnswerRestarted:
    """Event: the text sent so far was thinking a chat template had opened (its ``</think>``
    just came); it is now reasoning, and the answer starts afresh."""


@dataclass(frozen=True)
class Reply:
    """What an answerer produced, before the pipeline adds question, mode and timings."""

    text: str
    answered: bool
    sources: list[Source]
    citations: list[int]
    model: str | None = None
    usage: dict[str, int] = field(default_factory=dict)
    invalid_citations: list[int] = field(default_factory=list)
    reasoning: str = ""
    truncated: bool = False
    """The model stopped at its token limit."""
    extractive: bool = False
    """The text is quoted from the sources, not written by a model."""


AnswerEvent = str | SourcesReady | ReasoningDelta | AnswerRestarted
Answering = Generator[AnswerEvent, None, Reply]
"""An answerer's work: text deltas (already citation-checked), one ``SourcesReady`` before
the first delta, ``ReasoningDelta``s and ``AnswerRestarted`` from a reasoning model, and the
``Reply`` as the generator's return value."""


class Answerer(Protocol):
    """Writes the answer from the evidence; also condenses follow-ups its own way."""

    mode: str
    """``llm`` or ``extractive``: recorded in ``Answer.mode``."""

    def condense(self, question: str, history: Sequence[Turn], model: str | None) -> str:
        """``question`` rewritten to stand on its own, given the conversation."""
        ...

    def answer(self, evidence: Evidence, timings: Timings) -> Answering:
        """Stream the answer; closing the generator must release any connection."""
        ...


def numbered_sources(texts: Sequence[SourceText], cited: Sequence[int] = ()) -> list[Source]:
    """``texts`` as the ``[1]..[n]`` sources of an answer."""
    return [
        Source(n, t.paper_id, t.title, [t.text], n in cited, metadata=t.metadata)
        for n, t in enumerate(texts, 1)
    ]
