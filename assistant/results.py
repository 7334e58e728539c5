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
    unstated_numbers: list[str] = field(default_factory=list)
    """Numbers the claim states (as written, "80x") that no cited source gives: a claim with
    any is not supported, however closely it resembles its source otherwise."""
    contradicted_by: list[str] = field(default_factory=list)
    """Passages of the cited sources that state what the claim says the other way round
    ("requires labelled data" for "does not require labelled data"): a claim with any is not
    supported."""

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` shape of one entry of ``"claims"``."""
        return {
            "text": self.text,
            "citations": list(self.citations),
            "supported": self.supported,
            "support": self.support,
            "unstated_numbers": list(self.unstated_numbers),
            "contradicted_by": list(self.contradicted_by),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Claim:
        """The ``Claim`` that ``to_dict()`` gave ``data``."""
        return cls(
            str(data["text"]),
            [int(n) for n in data["citations"]],
            bool(data["supported"]),
            float(data["support"]),
            [str(n) for n in data.get("unstated_numbers", [])],
            [str(p) for p in data.get("contradicted_by", [])],
        )


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
    caveats: list[str] = field(default_factory=list)
    """What the papers found lack that a reader should know although the question was
    answered ("no paper found mentions XLM-E": the sources may be about neighbouring work)."""

    @property
    def cited_sources(self) -> list[Source]:
        return [s for s in self.sources if s.cited]

    def __str__(self) -> str:
        """The answer's text, so ``print(answer(...))`` prints the answer."""
        return self.text

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` shape of ``assistant ask``; ``Answer.from_dict`` reads it back."""
        return {
            "question": self.question,
            "answer": self.text,
            "answered": self.answered,
            "mode": self.mode,
            "model": self.model,
            "extractive": self.extractive,
            "citations": list(self.citations),
            "invalid_citations": list(self.invalid_citations),
            "standalone_question": self.standalone_question,
            "sources": [_source_to_dict(s) for s in self.sources],
            "claims": [claim.to_dict() for claim in self.claims],
            "reasoning": self.reasoning,
            "truncated": self.truncated,
            "caveats": list(self.caveats),
            "usage": dict(self.usage),
            "timings": dict(self.timings),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Answer:
        """The ``Answer`` that ``to_dict()`` (or ``assistant ask --json``) gave ``data``, equal
        to the one written. ``ValueError`` when ``data`` is not such a dict."""
        try:
            return cls(
                question=str(data["question"]),
                text=str(data["answer"]),
                answered=bool(data["answered"]),
                mode=str(data["mode"]),
                sources=[_source_from_dict(source) for source in data["sources"]],
                citations=[int(n) for n in data["citations"]],
                model=data.get("model"),
                usage={str(k): int(v) for k, v in data.get("usage", {}).items()},
                timings={str(k): float(v) for k, v in data.get("timings", {}).items()},
                invalid_citations=[int(n) for n in data.get("invalid_citations", [])],
                standalone_question=data.get("standalone_question"),
                claims=[Claim.from_dict(claim) for claim in data.get("claims", [])],
                reasoning=str(data.get("reasoning", "")),
                truncated=bool(data.get("truncated", False)),
                extractive=bool(data.get("extractive", False)),
                caveats=[str(caveat) for caveat in data.get("caveats", [])],
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            problem = f"no {exc}" if isinstance(exc, KeyError) else str(exc)
            raise ValueError(
                f"not an answer as Answer.to_dict() writes it ({problem[:100]})"
            ) from None


_SOURCE_METADATA = ("authors", "year", "url", "doi", "venue")


def _source_to_dict(source: Source) -> dict[str, Any]:
    return {
        "n": source.n,
        "paper_id": source.paper_id,
        "title": source.title,
        "cited": source.cited,
        "passage": source.passage,
        "passages": list(source.passages),
        "authors": list(source.metadata.get("authors", [])),
        "year": source.metadata.get("year"),
        "url": source.metadata.get("url"),
        "doi": source.metadata.get("doi"),
        "venue": source.metadata.get("venue"),
    }


def _source_from_dict(data: Mapping[str, Any]) -> Source:
    passages = data.get("passages")
    return Source(
        int(data["n"]),
        str(data["paper_id"]),
        str(data["title"]),
        [str(p) for p in passages] if isinstance(passages, list) else str(data.get("passage", "")),
        bool(data.get("cited", False)),
        # Only what the collection knew: to_dict writes an unknown field as null or [].
        metadata={key: data[key] for key in _SOURCE_METADATA if data.get(key)},
    )


@dataclass(frozen=True)
class Turn:
    """One earlier exchange of a conversation, used to understand follow-ups."""

    question: str
    answer: str


Progress = Callable[[int, int, str], None]
"""``progress(done, total, label)``; library code reports here, never to stdout."""
