"""The offline answerer: the most relevant sentences of the top papers, each with its ``[n]``.

No model writes anything: sentences are quoted from the abstracts. They are scored by the
same embedder that built the store (cosine to the question, plus how many of the question's
distinctive words they contain) and chosen by maximal marginal relevance, so the answer
covers different points instead of repeating one. The weights are settings
(``extractive_*``), measured on the development questions.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from ..citations import check_citations
from ..text import content_terms, split_sentences
from .answerer import (
    NOT_COVERED,
    Answering,
    Evidence,
    Reply,
    SourcesReady,
    Timings,
    numbered_sources,
)
from .decision import TermStatistics
from .followups import condense_by_rule

if TYPE_CHECKING:
    from ..embedding import Embedder
    from ..results import Source, Turn
    from ..settings import AnswerSettings

HOW_TO_CONNECT = (
    "(Offline answer: sentences quoted from the papers. For a written answer, connect a model: "
    "set ASSISTANT_BASE_URL, e.g. http://localhost:11434/v1 for Ollama; "
    "`assistant doctor` checks it.)"
)


@dataclass(frozen=True)
class Quote:
    n: int
    """The source the sentence comes from."""
    position: int
    """Index of the sentence in that source's text."""
    sentence: str
    score: float


class ExtractiveAnswerer:
    """The offline answerer: quotes, never writes."""

    mode = "extractive"

    def __init__(self, embedder: Embedder, tuning: AnswerSettings) -> None:
        self.embedder = embedder
        self.tuning = tuning

    def condense(self, question: str, history: Sequence[Turn], model: str | None) -> str:
        return condense_by_rule(question, history)

    def answer(self, evidence: Evidence, timings: Timings) -> Answering:
        numbered = [
            (n, t.text, hit.similarity)
            for n, (t, hit) in enumerate(zip(evidence.texts, evidence.hits, strict=True), 1)
        ]
        quotes = select_quotes(evidence.query, numbered, self.embedder, evidence.terms, self.tuning)
        if not quotes:
            yield SourcesReady([])
            yield NOT_COVERED
            return Reply(NOT_COVERED, False, [], [])
        titles = {n: t.title for n, t in enumerate(evidence.texts, 1)}
        check = check_citations(compose_answer(quotes, titles), len(evidence.texts))
        sources = quoted_passages(numbered_sources(evidence.texts, check.cited), quotes)
        yield SourcesReady(sources)
        yield check.text
        return Reply(check.text, True, sources, check.cited)


def quoted_passages(sources: list[Source], quotes: Sequence[Quote]) -> list[Source]:
    """A cited source's passages are what was quoted from it, in reading order, so a reader
    sees exactly what the answer rests on."""
    by_source: dict[int, list[Quote]] = {}
    for quote in quotes:
        by_source.setdefault(quote.n, []).append(quote)
    return [
        replace(s, passages=[q.sentence for q in sorted(by_source[s.n], key=lambda q: q.position)])
        if s.n in by_source
        else s
        for s in sources
    ]


def select_quotes(
    question: str,
    sources: Sequence[tuple[int, str, float]],
    embedder: Embedder,
    frequencies: TermStatistics,
    tuning: AnswerSettings,
) -> list[Quote]:
    """The sentences that best answer ``question`` from ``sources``.

    ``sources`` are ``(n, text, similarity)``: the source number, its text, and how similar
    retrieval found the paper; sentences of papers far below the best one weigh less.
    """
    candidates = [
        (n, position, sentence)
        for n, text, _ in sources
        for position, sentence in enumerate(split_sentences(text))
        if len(sentence.split()) >= 4  # fragments ("Code is available.") carry no facts
    ]
    if not candidates:
        return []
    best_paper = max(similarity for _, _, similarity in sources)
    paper_gap = {n: best_paper - similarity for n, _, similarity in sources}
    query = np.asarray(embedder.embed([question]), dtype=np.float32)[0]
    sentence_vectors = _sentence_vectors(embedder, [c[2] for c in candidates])
    term_shares = [_term_share(question, c[2], frequencies) for c in candidates]
    scores = (
        sentence_vectors @ query
        + tuning.extractive_term_weight * np.array(term_shares, dtype=np.float32)
        - tuning.extractive_paper_weight
        * np.array([paper_gap[c[0]] for c in candidates], dtype=np.float32)
    )
    chosen = _diverse_best([c[0] for c in candidates], scores, sentence_vectors, tuning)
    quotes = [
        Quote(candidates[i][0], candidates[i][1], candidates[i][2], float(scores[i]))
        for i in chosen
    ]
    return sorted(quotes, key=lambda q: (q.n, q.position))


def _diverse_best(
    paper_of: Sequence[int], scores: np.ndarray, vectors: np.ndarray, tuning: AnswerSettings
) -> list[int]:
    """Indexes chosen by maximal marginal relevance, at most so many per paper."""
    floor = tuning.extractive_relative_floor * float(scores.max())
    weight = tuning.extractive_mmr_lambda
    chosen: list[int] = []
    per_paper: dict[int, int] = {}
    while len(chosen) < tuning.extractive_max_sentences:
        best_index, best_value = -1, -np.inf
        for index, n in enumerate(paper_of):
            if (
                index in chosen
                or per_paper.get(n, 0) >= tuning.extractive_max_per_paper
                or scores[index] < floor
            ):
                continue
            redundancy = max((float(vectors[index] @ vectors[j]) for j in chosen), default=0.0)
            value = weight * float(scores[index]) - (1 - weight) * redundancy
            if value > best_value:
                best_index, best_value = index, value
        if best_index < 0:
            break
        chosen.append(best_index)
        per_paper[paper_of[best_index]] = per_paper.get(paper_of[best_index], 0) + 1
    return chosen


_vector_cache: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
_VECTOR_CACHE_SIZE = 8192
_cache_lock = threading.Lock()


def _sentence_vectors(embedder: Embedder, sentences: list[str]) -> np.ndarray:
    """Embeddings of sentences, remembered: the same papers come back within a session."""
    name = embedder.embedder_id
    with _cache_lock:
        missing = [s for s in dict.fromkeys(sentences) if (name, s) not in _vector_cache]
    if missing:
        fresh = np.asarray(embedder.embed(missing), dtype=np.float32)
        with _cache_lock:
            for sentence, vector in zip(missing, fresh, strict=True):
                _vector_cache[(name, sentence)] = vector
            while len(_vector_cache) > _VECTOR_CACHE_SIZE:
                _vector_cache.popitem(last=False)
    with _cache_lock:
        for sentence in sentences:
            _vector_cache.move_to_end((name, sentence), last=True)
        return np.stack([_vector_cache[(name, s)] for s in sentences])


def compose_answer(quotes: Sequence[Quote], titles: Mapping[int, str]) -> str:
    """The answer: per paper (in source order) its title, then its quotes, each with ``[n]``."""
    lines = []
    for n in sorted({q.n for q in quotes}):
        sentences = " ".join(
            f"{_without_final_stop(q.sentence)} [{n}]." for q in quotes if q.n == n
        )
        lines.append(f"{titles.get(n, 'Source')} [{n}]: {sentences}")
    return "\n".join(lines) + "\n\n" + HOW_TO_CONNECT


def _without_final_stop(sentence: str) -> str:
    return sentence[:-1] if sentence.endswith(".") else sentence


def _term_share(question: str, sentence: str, frequencies: TermStatistics) -> float:
    terms = set(content_terms(question))
    if not terms:
        return 0.0
    present = terms & set(content_terms(sentence))
    total = sum(frequencies.idf(t) for t in terms) or 1.0
    return sum(frequencies.idf(t) for t in present) / total
