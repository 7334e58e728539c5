"""The offline answerer: the most relevant sentences of the top papers, each with its ``[n]``.

No model writes anything: sentences are quoted from the abstracts. They are scored by the
same embedder that built the store (cosine to the question, plus how many of the question's
distinctive words they contain) and chosen by maximal marginal relevance, so the answer
covers different points instead of repeating one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .relevance import TermStatistics, content_terms
from .text import split_sentences

if TYPE_CHECKING:
    from .embedding import Embedder

MIN_SIMILARITY = 0.44
"""Offline, no model reads the sources to see whether they answer, so the retrieval evidence
must be stronger than ``settings.min_relevance`` (which only rules out "nothing relevant"):
below this best-passage cosine the extractive answerer declines."""
MAX_SENTENCES = 4
"""Sentences in an answer: enough for the facts of a multi-paper question, short to read."""
MAX_PER_PAPER = 3
"""So that a question about several papers hears from several papers."""
RELATIVE_FLOOR = 0.6
"""A sentence scoring below this share of the best one adds noise, not facts."""
MMR_LAMBDA = 0.7
"""Relevance against redundancy in the selection (1.0 would ignore redundancy)."""
TERM_WEIGHT = 0.3
"""Weight of the question's words found in a sentence, next to the cosine similarity."""
PAPER_WEIGHT = 1.0
"""Penalty per unit of similarity a sentence's paper lies below the best retrieved paper."""

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


def select_quotes(
    question: str,
    sources: Sequence[tuple[int, str, float]],
    embedder: Embedder,
    frequencies: TermStatistics,
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
    scores = (
        sentence_vectors @ query
        + TERM_WEIGHT
        * np.array([_term_share(question, c[2], frequencies) for c in candidates], dtype=np.float32)
        - PAPER_WEIGHT * np.array([paper_gap[c[0]] for c in candidates], dtype=np.float32)
    )
    floor = RELATIVE_FLOOR * float(scores.max())
    chosen: list[int] = []
    per_paper: dict[int, int] = {}
    while len(chosen) < MAX_SENTENCES:
        best_index, best_value = -1, -np.inf
        for index, (n, _, _) in enumerate(candidates):
            if index in chosen or per_paper.get(n, 0) >= MAX_PER_PAPER or scores[index] < floor:
                continue
            redundancy = max(
                (float(sentence_vectors[index] @ sentence_vectors[j]) for j in chosen), default=0.0
            )
            value = MMR_LAMBDA * float(scores[index]) - (1 - MMR_LAMBDA) * redundancy
            if value > best_value:
                best_index, best_value = index, value
        if best_index < 0:
            break
        chosen.append(best_index)
        per_paper[candidates[best_index][0]] = per_paper.get(candidates[best_index][0], 0) + 1
    quotes = [
        Quote(candidates[i][0], candidates[i][1], candidates[i][2], float(scores[i]))
        for i in chosen
    ]
    return sorted(quotes, key=lambda q: (q.n, q.position))


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
