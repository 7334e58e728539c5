"""Embeddings of source sentences, remembered: the same papers come back within a session.

The claim check compares every claim with windows of the cited abstracts; embedding those
windows is nearly all of its cost, and a paper cited once is usually cited again (follow-ups,
the same topic, the evaluation). Vectors are kept per embedder (its ``embedder_id``), the
least recently used dropped first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ..embedding import Embedder

DEFAULT_CACHE_SIZE = 8192
"""Vectors kept (384 floats each for MiniLM: about 12 MB)."""


class VectorCache:
    """``embed(embedder, texts)`` with the vectors of texts seen before taken from memory."""

    def __init__(self, size: int = DEFAULT_CACHE_SIZE) -> None:
        self.size = size
        self._vectors: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def embed(self, embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
        """One row per text (unit vectors); only texts not seen before reach the embedder, in
        one call, so it batches them."""
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        name = embedder.embedder_id
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if (name, t) not in self._vectors]
        fresh = np.asarray(embedder.embed(missing) if missing else [], dtype=np.float32)
        with self._lock:
            for text, vector in zip(missing, fresh, strict=True):
                self._vectors[(name, text)] = vector
            rows = []
            for text in texts:
                key = (name, text)
                # A text evicted by another thread meanwhile is embedded again, alone.
                vector = self._vectors.get(key)
                if vector is None:
                    vector = np.asarray(embedder.embed([text]), dtype=np.float32)[0]
                    self._vectors[key] = vector
                self._vectors.move_to_end(key)
                rows.append(vector)
            while len(self._vectors) > self.size:
                self._vectors.popitem(last=False)
        return np.stack(rows)


SHARED_VECTORS = VectorCache()
"""The process-wide cache the claim check uses by default."""
