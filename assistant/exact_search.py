"""Exact nearest-chunk search over a collection's vectors held in memory.

Chroma's HNSW index is approximate, and the embedded store builds its graph with several
threads, so two processes could rank the same question differently: on the bundled papers
about one of a question's 120 nearest chunks was missed, a different one in each process,
and that moved papers in and out of the edge of a "which papers" answer. A collection
small enough to hold in memory is searched exactly instead: every chunk is compared with
the question, so the result is the true nearest chunks, the same in every run.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ChunkMatrix:
    """Every chunk of a collection: its id, paper, passage and unit-length vector."""

    key: Hashable
    """What the collection was when it was read (a reader compares it to know it is current)."""
    ids: tuple[str, ...]
    paper_ids: tuple[str, ...]
    texts: tuple[str, ...]
    vectors: np.ndarray

    @classmethod
    def build(
        cls, key: Hashable, rows: Iterable[tuple[str, str, str, Sequence[float]]]
    ) -> ChunkMatrix:
        """From ``(chunk_id, paper_id, text, vector)`` rows, in the store's order."""
        ids, paper_ids, texts, vectors = [], [], [], []
        for chunk_id, paper_id, text, vector in rows:
            ids.append(chunk_id)
            paper_ids.append(paper_id)
            texts.append(text)
            vectors.append(vector)
        return cls(key, tuple(ids), tuple(paper_ids), tuple(texts), _unit_rows(vectors))

    def nearest(
        self, query: np.ndarray, limit: int, paper_ids: Sequence[str] | None = None
    ) -> list[tuple[int, float]]:
        """``(row, cosine similarity)`` of the ``limit`` chunks nearest to ``query``, best
        first (equal scores in the store's order), only of ``paper_ids`` if given."""
        if paper_ids is None:
            rows = np.arange(len(self.ids))
        else:
            wanted = set(paper_ids)
            rows = np.array([i for i, pid in enumerate(self.paper_ids) if pid in wanted], dtype=int)
        if limit < 1 or rows.size == 0:
            return []
        norm = float(np.linalg.norm(query))
        similarities = self.vectors[rows] @ (np.asarray(query, dtype=np.float32) / (norm or 1.0))
        order = np.argsort(-similarities, kind="stable")[:limit]
        return [(int(rows[i]), float(similarities[i])) for i in order]


def _unit_rows(vectors: Sequence[Sequence[float]]) -> np.ndarray:
    if not vectors:  # emptied by another client between the count and the read
        return np.zeros((0, 0), dtype=np.float32)
    matrix = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms > 0, norms, 1.0)
