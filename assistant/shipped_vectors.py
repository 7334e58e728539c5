"""Chunk vectors shipped with the package for the bundled papers, so a fresh install
answers its first question without an embedding pass.

The file holds the embedder id and chunk settings it was made with and, per chunk, the
hash of the exact text embedded. A vector is used only when all three match; anything
else (another embedder, other chunk sizes, an edited abstract) is embedded as usual.
``python -m assistant.shipped_vectors`` regenerates the file.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from .resources import resource_path

FILE_NAME = "bundled_vectors.npz"


def text_key(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()[:16]


class ShippedVectors:
    """Precomputed vectors, looked up by the text they were computed from."""

    def __init__(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        self._rows = {bytes(k): i for i, k in enumerate(keys)}
        self._vectors = vectors

    def __len__(self) -> int:
        return len(self._rows)

    def lookup(self, texts: list[str]) -> list[np.ndarray | None]:
        """Each text's vector, or None where it has none."""
        out: list[np.ndarray | None] = []
        for text in texts:
            row = self._rows.get(text_key(text))
            out.append(None if row is None else self._vectors[row].astype(np.float32))
        return out


def load_shipped(
    embedder_id: str, chunking: str, path: Path | None = None
) -> ShippedVectors | None:
    """The shipped vectors if they were made by this embedder with this chunking."""
    if path is None:
        try:
            path = resource_path("data") / FILE_NAME
        except FileNotFoundError:
            return None
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["embedder"]) != embedder_id or str(data["chunking"]) != chunking:
                return None
            return ShippedVectors(data["keys"], data["vectors"])
    except (OSError, KeyError, ValueError):
        return None


def build_shipped(path: Path) -> int:
    """Embed the bundled papers with the default settings and write the file."""
    from .chunking import chunk_paper
    from .embedding import MiniLMEmbedder
    from .resources import bundled_seed_files
    from .settings import Settings
    from .sources import load_collection

    settings = Settings(home=path.parent)
    embedder = MiniLMEmbedder()
    chunks = [
        c
        for p in load_collection(bundled_seed_files())
        for c in chunk_paper(p, settings.chunk_tokens, settings.chunk_overlap)
    ]
    texts = [c.embedding_text for c in chunks]
    vectors = embedder.embed(texts)
    np.savez_compressed(
        path,
        embedder=np.array(embedder.embedder_id),
        chunking=np.array(f"{settings.chunk_tokens}/{settings.chunk_overlap}"),
        keys=np.array([np.frombuffer(text_key(t), dtype=np.uint8) for t in texts]),
        vectors=vectors.astype(np.float32),
    )
    return len(texts)


if __name__ == "__main__":  # pragma: no cover - a maintainer's tool
    target = Path(__file__).resolve().parent / "data" / FILE_NAME
    target.parent.mkdir(exist_ok=True)
    print(f"{build_shipped(target)} chunk vectors written to {target}")
