"""From a question to a grounded ``Answer``: condense → retrieve → decide → answer → check.

The pipeline is handed narrow collaborators (a retriever, a paper lookup, the lexical
index's term counts, an answerer, a decision, a claim checker) and never the ``Assistant``
that owns them, so the flow only goes down and each step can be tested or replaced alone.
It is a generator of events; ``AnswerStream`` is what callers hold.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ..collection import Paper
from ..results import Answer, Claim, Hit
from ..text import count_tokens
from .answerer import (
    Answerer,
    AnswerEvent,
    Evidence,
    Reply,
    SourcesReady,
    Timings,
    not_covered,
)
from .budget import SourceText
from .decision import Decider, TermCounts, TermStatistics
from .question_cues import papers_to_read
from .request import AskRequest

Retrieve = Callable[[str, int, "Mapping[str, Any] | None"], list[Hit]]
"""``retrieve(query, k, where)``: the best papers for ``query``, best first."""
PaperLookup = Callable[[str], Paper]
"""``paper(paper_id)``: the indexed paper, with its full abstract."""

Events = Generator[AnswerEvent, None, Answer]


class ClaimChecker(Protocol):
    """Checks the answer's sentences against the sources they cite."""

    def check(
        self, answer_text: str, source_texts: Sequence[str], titles: Sequence[str] = ()
    ) -> list[Claim]:
        """The claims of ``answer_text``; ``source_texts[n - 1]`` is the full text of ``[n]``
        (the whole abstract, even when the answer quoted or the prompt kept only part),
        ``titles[n - 1]`` its title."""
        ...


class NoClaimCheck:
    """Checks nothing (the citation filter has already removed markers to no source)."""

    def check(
        self, answer_text: str, source_texts: Sequence[str], titles: Sequence[str] = ()
    ) -> list[Claim]:
        return []


@dataclass(frozen=True)
class Pipeline:
    """The answering steps, wired to their collaborators."""

    retrieve: Retrieve
    paper: PaperLookup
    document_counts: TermCounts
    answerer: Answerer
    decider: Decider
    checker: ClaimChecker
    default_k: int
    several_papers_k: int
    """Papers read (unless the request says) for a question that asks for several."""
    full_abstract_max_tokens: int
    """Longer texts (full papers rather than abstracts) are represented by their best passages."""

    def run(self, request: AskRequest) -> Events:
        """Yield text deltas (and one ``SourcesReady`` before the first); return the Answer."""
        timings = Timings()
        question = " ".join(request.question.split())  # not blank: the service refused that
        standalone = None
        if request.history:
            standalone = self.answerer.condense(question, request.history, request.model)
            timings.since_start("condense_ms")
        query = standalone or question

        mark = time.perf_counter()
        hits, papers, terms = self.gather(query, request.k, request.where)
        timings.since("retrieve_ms", mark)
        mark = time.perf_counter()
        decision = self.decider.decide(query, hits, papers, terms)
        timings.since("decide_ms", mark)
        claims: list[Claim] = []
        if not decision.answerable:
            declined = not_covered(decision.reasons)
            yield SourcesReady([])
            yield declined
            reply = Reply(declined, False, [], [])
        else:
            texts = [self.source_text(hit, paper) for hit, paper in zip(hits, papers, strict=True)]
            evidence = Evidence(query, hits, texts, terms, request.model)
            reply = yield from self.answerer.answer(evidence, timings)
            mark = time.perf_counter()
            claims = self.check_claims(reply, texts)
            timings.since("claims_ms", mark)
        timings.since_start("total_ms")
        return Answer(
            question=question,
            text=reply.text,
            answered=reply.answered,
            mode=self.answerer.mode,
            sources=reply.sources,
            citations=reply.citations,
            model=reply.model,
            usage=reply.usage,
            timings=dict(timings.values),
            invalid_citations=reply.invalid_citations,
            standalone_question=standalone,
            claims=claims,
            reasoning=reply.reasoning,
            truncated=reply.truncated,
            extractive=reply.extractive,
            caveats=decision.caveats if reply.answered else [],
        )

    def gather(
        self, query: str, k: int | None, where: Mapping[str, Any] | None
    ) -> tuple[list[Hit], list[Paper], TermStatistics]:
        """The retrieved papers (``k``, or as many as the question needs: more when it asks
        for several papers), their full records, and the question's term statistics."""
        k = k or papers_to_read(query, self.default_k, self.several_papers_k)
        hits = self.retrieve(query, k, where)
        papers = [self.paper(hit.paper_id) for hit in hits]
        return hits, papers, TermStatistics.for_question(query, self.document_counts)

    def check_claims(self, reply: Reply, texts: Sequence[SourceText]) -> list[Claim]:
        """The reply's claims against the texts its sources were drawn from: the whole abstract
        (offline, ``Source.passages`` are only the sentences quoted; a text too long to read
        whole stands as its best passages, as for the answerer)."""
        if not reply.answered:
            return []
        by_paper = {text.paper_id: text.text for text in texts}
        ordered = sorted(reply.sources, key=lambda source: source.n)
        return self.checker.check(
            reply.text,
            [by_paper.get(s.paper_id, "") for s in ordered],
            [s.title for s in ordered],
        )

    def source_text(self, hit: Hit, paper: Paper) -> SourceText:
        """What the answerer reads of one paper: the abstract, or its best passages when the
        text is long."""
        text = paper.abstract
        if count_tokens(text) > self.full_abstract_max_tokens:
            text = " … ".join(hit.passages) or hit.passage
        return SourceText(hit.paper_id, hit.title, text, metadata=hit.metadata)
