"""Embeddings of source sentences, remembered: the same papers come back within a session.

The claim check compares every claim with windows of the cited abstracts, and the offline
answerer every sentence of the papers found with the question; embedding those sentences is
nearly all of their cost, and a paper cited once is usually cited again (follow-ups, the same
topic, the evaluation). Vectors are kept per embedder (its ``embedder_id``), the least
recently used dropped first. The bundled papers' sentences come with the package
(``shipped_vectors``), so even their first answer embeds none of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from ..memo import BoundedMemo
from ..shipped_vectors import SENTENCES, ShippedVectors, load_shipped

if TYPE_CHECKING:
    from ..embedding import Embedder

DEFAULT_CACHE_SIZE = 8192
"""Vectors kept (384 floats each for MiniLM: about 12 MB)."""


ShippedLookup = Callable[[str], ShippedVectors | None]
"""``shipped(embedder_id)``: precomputed sentence vectors made by that embedder, if any."""


@lru_cache(maxsize=4)
def shipped_sentences(embedder_id: str) -> ShippedVectors | None:
    """The package's sentence vectors of the bundled papers, if this embedder made them."""
    return load_shipped(embedder_id, SENTENCES)


class VectorCache:
    """``embed(embedder, texts)`` with the vectors of texts seen before taken from memory,
    and those of texts the ``shipped`` vectors hold taken from them."""

    def __init__(self, size: int = DEFAULT_CACHE_SIZE, shipped: ShippedLookup | None = None):
        self._vectors: BoundedMemo[tuple[str, str], np.ndarray] = BoundedMemo(size)
        self.shipped = shipped
        """Where to look before embedding; ``None`` embeds every text not in memory."""

    def embed(self, embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
        """One row per text (unit vectors); only texts not seen before reach the embedder, in
        one call, so it batches them."""
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        name = embedder.embedder_id
        unseen = [text for _, text in self._vectors.missing([(name, t) for t in texts])]
        missing = []
        for text, vector in zip(unseen, self._shipped(name, unseen), strict=True):
            if vector is None:
                missing.append(text)
            else:
                self._vectors.put((name, text), vector)
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
        """Forget every vector (a benchmark's cold start); the shipped ones stay at hand."""
        self._vectors.clear()

    def _shipped(self, embedder_id: str, texts: list[str]) -> list[np.ndarray | None]:
        shipped = self.shipped(embedder_id) if self.shipped and texts else None
        return shipped.lookup(texts) if shipped else [None] * len(texts)


SHARED_VECTORS = VectorCache(shipped=shipped_sentences)
"""The process-wide cache the claim check uses by default."""
