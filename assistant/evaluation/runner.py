"""Run an evaluation: ask the assistant every question, score each answer, keep the evidence.

The runner only uses the public service (``Assistant.papers``, ``.search``, ``.answer``), so
it measures exactly what a user gets with the same settings.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..results import Progress
from . import metrics
from .questions import EvalQuestion

if TYPE_CHECKING:
    from ..results import Answer
    from ..service import Assistant

MODES = ("retrieval", "answer")
RECALL_CUTOFFS = (1, 5, 10)
NDCG_DEPTH = 10
UNINDEXED = "unindexed:"
"""Prefix of the stand-in id of a gold title that matches no indexed paper (never retrieved)."""


@dataclass(frozen=True)
class RetrievalOutcome:
    """What a search returned for one question, and its scores (answerable questions only)."""

    ranked: list[tuple[str, str]]
    """``(paper_id, title)`` best first."""
    scores: dict[str, float]
    """``recall@N``, ``mrr``, ``ndcg@10``; empty for unanswerable questions."""
    seconds: float


@dataclass(frozen=True)
class AnswerOutcome:
    """One answer and how it compares with the gold papers and facts."""

    answered: bool
    text: str
    source_ids: list[str]
    cited_ids: list[str]
    facts_found: list[str]
    facts_missed: list[str]
    scores: dict[str, float | None]
    """``fact_recall``, ``citation_precision``, ``citation_recall``, ``source_recall``
    (answerable questions; ``None`` where undefined, e.g. precision with no citation)."""
    seconds: float
    usage: dict[str, int]
    model: str | None = None
    claims_supported: int = 0
    claims_total: int = 0
    """Claims of the answer (when it carries them) and how many their sources support."""


@dataclass(frozen=True)
class GateOutcome:
    """The abstention decision for one question, in both modes, computed without a model."""

    score: float
    """The abstention model's score (probability that the collection answers)."""
    offline: bool
    """Attempted offline (score at or above ``abstention_threshold``, above the floor)."""
    with_model: bool
    """Passed on to a model (score at or above ``abstention_model_threshold``)."""
    evidence: float | None
    """Share of the gold facts present in the sources a model would be given (answerable
    questions with facts; ``None`` otherwise)."""


@dataclass(frozen=True)
class QuestionOutcome:
    """Everything measured for one question."""

    question: EvalQuestion
    gold_ids: list[str]
    """Paper ids of the gold titles; unmatched titles appear as ``unindexed:<title>``."""
    unmatched_titles: list[str]
    retrieval: RetrievalOutcome
    answer: AnswerOutcome | None = None
    gate: GateOutcome | None = None


@dataclass
class EvalRun:
    """The outcome of every question plus what the run was configured with."""

    mode: str
    k: int
    """Papers per answer (and an extra recall cut-off when not 1, 5 or 10); a question that
    asks for several papers reads more unless ``--k`` was given."""
    cutoffs: tuple[int, ...]
    answerer: str
    """``extractive`` or ``llm``."""
    model: str | None
    outcomes: list[QuestionOutcome] = field(default_factory=list)
    seconds: float = 0.0
    source: str = ""
    thresholds: dict[str, float] = field(default_factory=dict)
    """The abstention thresholds the run used: ``offline`` and ``with_model``."""


class TitleIndex:
    """Finds the indexed paper a gold title names, by normalised title."""

    def __init__(self, papers: Iterable[tuple[str, str]], normalize: Callable[[str], str]) -> None:
        self._normalize = normalize
        self._ids = {normalize(title): paper_id for paper_id, title in papers}

    def lookup(self, title: str) -> str | None:
        return self._ids.get(self._normalize(title))

    def gold_ids(self, titles: Iterable[str]) -> tuple[list[str], list[str]]:
        """``(ids, unmatched titles)``; an unmatched title keeps a stand-in id so it counts."""
        ids: list[str] = []
        unmatched: list[str] = []
        for title in titles:
            paper_id = self.lookup(title)
            if paper_id is None:
                unmatched.append(title)
                paper_id = UNINDEXED + title
            if paper_id not in ids:
                ids.append(paper_id)
        return ids, unmatched


def run_evaluation(
    assistant: Assistant,
    questions: Sequence[EvalQuestion],
    *,
    mode: str = "answer",
    k: int | None = None,
    progress: Progress | None = None,
    source: str | Path = "",
) -> EvalRun:
    """Search (and in ``answer`` mode, answer) every question; score each one.

    ``k`` is the number of papers per answer (default: the assistant's setting). Retrieval is
    always scored at 1, 5 and 10 papers, and at ``k`` too when it is another number.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    from ..collection import normalize_title

    asked_k = k  # None: each question reads as many papers as answering would choose
    k = k or assistant.settings.k
    cutoffs = tuple(sorted({*RECALL_CUTOFFS, k}))
    titles = TitleIndex(((p.paper_id, p.title) for p in assistant.papers()), normalize_title)
    run = EvalRun(
        mode=mode,
        k=k,
        cutoffs=cutoffs,
        answerer=assistant.settings.mode,
        model=assistant.settings.model,
        source=str(source),
        thresholds={
            "offline": assistant.settings.abstention_threshold,
            "with_model": assistant.settings.abstention_model_threshold,
        },
    )
    started = time.perf_counter()
    for done, question in enumerate(questions, start=1):
        gold_ids, unmatched = titles.gold_ids(question.gold_titles)
        retrieval = _search(assistant, question, gold_ids, cutoffs)
        answer = _answer(assistant, question, gold_ids, asked_k) if mode == "answer" else None
        gate = _gate(assistant, question, asked_k)
        run.outcomes.append(QuestionOutcome(question, gold_ids, unmatched, retrieval, answer, gate))
        if progress is not None:
            progress(done, len(questions), "eval")
    run.seconds = time.perf_counter() - started
    # The endpoint may pick the model (its first listed); report the one that answered.
    answered_by = [o.answer.model for o in run.outcomes if o.answer is not None and o.answer.model]
    if answered_by:
        run.model = answered_by[0]
    return run


def _search(
    assistant: Assistant, question: EvalQuestion, gold_ids: list[str], cutoffs: tuple[int, ...]
) -> RetrievalOutcome:
    depth = max(cutoffs)
    started = time.perf_counter()
    hits = assistant.search(question.question, k=depth)
    seconds = time.perf_counter() - started
    ranked = [(hit.paper_id, hit.title) for hit in hits]
    return RetrievalOutcome(
        ranked, score_retrieval([i for i, _ in ranked], gold_ids, cutoffs), seconds
    )


def score_retrieval(
    ranked_ids: Sequence[str], gold_ids: Sequence[str], cutoffs: Sequence[int] = RECALL_CUTOFFS
) -> dict[str, float]:
    """The retrieval scores of one question (empty when it has no gold papers)."""
    if not gold_ids:
        return {}
    scores = {f"recall@{n}": metrics.recall_at_k(ranked_ids, gold_ids, n) for n in cutoffs}
    scores["mrr"] = metrics.reciprocal_rank(ranked_ids, gold_ids)
    scores[f"ndcg@{NDCG_DEPTH}"] = metrics.ndcg_at_k(ranked_ids, gold_ids, NDCG_DEPTH)
    return scores


def _gate(assistant: Assistant, question: EvalQuestion, k: int | None) -> GateOutcome:
    """The decision both modes would take, and the evidence a model would be shown."""
    from ..answering.abstention import decide
    from .calibration import question_evidence

    signals, texts = question_evidence(assistant, question.question, k)
    settings = assistant.settings
    offline = decide(signals, settings, with_model=False)
    with_model = decide(signals, settings, with_model=True)
    evidence = None
    if question.answerable and question.facts:
        found = metrics.facts_found(" ".join(texts), question.facts)
        evidence = sum(found) / len(found)
    return GateOutcome(offline.score, offline.answerable, with_model.answerable, evidence)


def _answer(
    assistant: Assistant, question: EvalQuestion, gold_ids: list[str], k: int | None
) -> AnswerOutcome:
    started = time.perf_counter()
    answer = assistant.answer(question.question, k=k)
    seconds = time.perf_counter() - started
    return score_answer(answer, question, gold_ids, seconds)


def score_answer(
    answer: Answer, question: EvalQuestion, gold_ids: Sequence[str], seconds: float = 0.0
) -> AnswerOutcome:
    """Compare one ``Answer`` with the question's gold papers and facts."""
    source_ids = _unique(s.paper_id for s in answer.sources)
    cited_ids = _unique(s.paper_id for s in answer.sources if s.cited)
    found = metrics.facts_found(answer.text, question.facts)
    claims = answer.claims
    scores: dict[str, float | None] = {}
    if question.answerable:
        scores = {
            "fact_recall": metrics.mean(1.0 if f else 0.0 for f in found) if found else None,
            "citation_precision": metrics.citation_precision(cited_ids, gold_ids),
            "citation_recall": metrics.citation_recall(cited_ids, gold_ids),
            "source_recall": metrics.citation_recall(source_ids, gold_ids),
        }
    return AnswerOutcome(
        answered=answer.answered,
        text=answer.text,
        source_ids=source_ids,
        cited_ids=cited_ids,
        facts_found=[f for f, ok in zip(question.facts, found, strict=True) if ok],
        facts_missed=[f for f, ok in zip(question.facts, found, strict=True) if not ok],
        scores=scores,
        seconds=seconds,
        usage={name: int(value) for name, value in answer.usage.items()},
        model=answer.model,
        claims_supported=sum(1 for claim in claims if claim.supported),
        claims_total=len(claims),
    )


def _unique(ids: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(ids))
