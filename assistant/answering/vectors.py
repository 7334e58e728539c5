"""Embeddings of source sentences, remembered: the same papers come back within a session.

The claim check compares every claim with windows of the cited abstracts; embedding those
windows is nearly all of its cost, and a paper cited once is usually cited again (follow-ups,
the same topic, the evaluation). Vectors are kept per embedder (its ``embedder_id``), the
least recently used dropped first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..memo import BoundedMemo

if TYPE_CHECKING:
    from ..embedding import Embedder

DEFAULT_CACHE_SIZE = 8192
"""Vectors kept (384 floats each for MiniLM: about 12 MB)."""


class VectorCache:
    """``embed(embedder, texts)`` with the vectors of texts seen before taken from memory."""

    def __init__(self, size: int = DEFAULT_CACHE_SIZE) -> None:
        self._vectors: BoundedMemo[tuple[str, str], np.ndarray] = BoundedMemo(size)

    def embed(self, embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
        """One row per text (unit vectors); only texts not seen before reach the embedder, in
        one call, so it batches them."""
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        name = embedder.embedder_id
        missing = [text for _, text in self._vectors.missing([(name, t) for t in texts])]
        fresh = np.asarray(embedder.embed(missing) if missing else [], dtype=np.float32)
        for text, vector in zip(missing, fresh, strict=True):
            self._vectors.put((name, text), vector)
        rows = []
        for text in texts:
            vector = self._vectors.get((name, text))
            if vector is None:
                # Forgotten meanwhile (another thread's texts, or more texts than the memo
                # holds): embedded again, alone.
                vector = np.asarray(embedder.embed([text]), dtype=np.float32)[0]
                self._vectors.put((name, text), vector)
            rows.append(vector)
        return np.stack(rows)

    def clear(self) -> None:
        """Forget every vector (a benchmark's cold start)."""
        self._vectors.clear()


SHARED_VECTORS = VectorCache()
"""The process-wide cache the claim check uses by default."""
