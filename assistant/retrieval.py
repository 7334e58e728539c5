"""Hybrid retrieval: dense (Chroma, cosine) and lexical (BM25) rankings of chunks, fused by
reciprocal rank at the paper level, so each paper appears once with its best passages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .results import Hit
from .store import PaperStore

RRF_K = 60  # the usual reciprocal-rank-fusion constant: dampens the head of each list
CANDIDATES_PER_PAPER = 8  # chunks fetched per wanted paper, from each ranking
MIN_CANDIDATES = 60
PASSAGES_PER_HIT = 2


@dataclass
class _Candidate:
    paper_id: str
    score: float = 0.0
    similarity: float | None = None
    # chunk_id -> (fused chunk score, text)
    chunks: dict[str, tuple[float, str]] = field(default_factory=dict)

    def add_chunk(self, chunk_id: str, text: str, score: float) -> None:
        old, _ = self.chunks.get(chunk_id, (0.0, text))
        self.chunks[chunk_id] = (old + score, text)


def retrieve_papers(
    store: PaperStore, question: str, k: int = 10, *, where: Mapping[str, Any] | None = None
) -> list[Hit]:
    """The ``k`` papers that best answer ``question``, best first."""
    if k < 1 or not question.strip():
        return []
    allowed = store.filter_papers(where) if where else None
    limit = max(MIN_CANDIDATES, k * CANDIDATES_PER_PAPER)
    query_vector = store.embedder.embed([question])[0]
    dense = store.dense_search(query_vector, limit, allowed)
    lexical = store.lexical.search(question, limit, allowed)

    candidates: dict[str, _Candidate] = {}
    for ranking in (
        [(h.chunk_id, h.paper_id, h.text) for h in dense],
        [(h.chunk_id, h.paper_id, h.text) for h in lexical],
    ):
        _fuse(candidates, ranking)
    for hit in dense:
        candidate = candidates[hit.paper_id]
        candidate.similarity = max(candidate.similarity or -1.0, hit.similarity)

    best = sorted(candidates.values(), key=lambda c: -c.score)[:k]
    _fill_missing_similarity(store, best, query_vector)
    titles = {pid: store.paper(pid) for pid in (c.paper_id for c in best)}
    return [
        Hit(
            rank=rank,
            paper_id=c.paper_id,
            title=titles[c.paper_id].title,
            score=round(c.score, 6),
            passages=[text for _, text in sorted(c.chunks.values(), key=lambda v: -v[0])][:PASSAGES_PER_HIT],
            similarity=round(c.similarity or 0.0, 4),
            metadata=_metadata(titles[c.paper_id]),
        )
        for rank, c in enumerate(best, start=1)
    ]


def _fuse(candidates: dict[str, _Candidate], ranking: list[tuple[str, str, str]]) -> None:
    """Add one ranking of chunks: a paper scores by the rank of its best chunk in it;
    each chunk scores by its own rank, which orders a paper's passages."""
    ranked_papers: list[str] = []
    for chunk_rank, (chunk_id, paper_id, text) in enumerate(ranking, start=1):
        candidate = candidates.setdefault(paper_id, _Candidate(paper_id))
        candidate.add_chunk(chunk_id, text, 1.0 / (RRF_K + chunk_rank))
        if paper_id not in ranked_papers:
            ranked_papers.append(paper_id)
    for paper_rank, paper_id in enumerate(ranked_papers, start=1):
        candidates[paper_id].score += 1.0 / (RRF_K + paper_rank)


def _fill_missing_similarity(store: PaperStore, best: list[_Candidate], query: np.ndarray) -> None:
    """Papers found only lexically get their best chunk's cosine similarity too, so a
    relevance cut-off treats every hit alike."""
    missing = [c for c in best if c.similarity is None]
    if not missing:
        return
    vectors = store.chunk_vectors([cid for c in missing for cid in c.chunks])
    for candidate in missing:
        sims = [float(vectors[cid] @ query) for cid in candidate.chunks if cid in vectors]
        candidate.similarity = max(sims, default=0.0)


def _metadata(paper: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    if paper.year is not None:
        meta["year"] = paper.year
    if paper.authors:
        meta["authors"] = list(paper.authors)
    if paper.url:
        meta["url"] = paper.url
    return meta
