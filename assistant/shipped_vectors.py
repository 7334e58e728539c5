"""Vectors shipped with the package for the bundled papers, so a fresh install answers its
first question without an embedding pass.

Two files: the chunks' vectors, which ingest stores, and the vectors of the abstracts'
sentences and runs of two (``SENTENCE_RUN``), which the offline answerer and the claim check
compare with a question or a claim. Each holds the embedder id and how its texts were cut, and
per text the hash of the exact text embedded. A vector is used only when all three match;
anything else (another embedder, other chunk sizes, an edited abstract, a user's own papers)
is embedded as usual. ``python -m assistant.shipped_vectors`` regenerates both files.
"""

from __future__ import annotations

import hashlib
import zipfile
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .resources import resource_path

if TYPE_CHECKING:
    from .collection import Paper

FILE_NAME = "bundled_vectors.npz"
SENTENCES_FILE_NAME = "bundled_sentence_vectors.npz"
SENTENCE_RUN = 2
"""The longest run of consecutive sentences shipped: the claim check's default window."""
SENTENCES = f"sentences/{SENTENCE_RUN}"
"""How the sentence file's texts were cut (its ``chunking`` field)."""
_DAMAGED = (OSError, EOFError, KeyError, ValueError, zipfile.BadZipFile, zlib.error)
"""What reading a missing, truncated or damaged file raises: without vectors, texts are
embedded as usual."""


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
    """The shipped vectors if they were made by this embedder with this chunking (the chunk
    vectors, or with ``SENTENCES`` the sentence vectors)."""
    if path is None:
        try:
            name = SENTENCES_FILE_NAME if chunking == SENTENCES else FILE_NAME
            path = resource_path("data") / name
        except FileNotFoundError:
            return None
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["embedder"]) != embedder_id or str(data["chunking"]) != chunking:
                return None
            return ShippedVectors(data["keys"], data["vectors"])
    except _DAMAGED:
        return None


def build_shipped(path: Path) -> int:
    """Embed the bundled papers' chunks with the default settings and write the file."""
    from .chunking import chunk_paper
    from .settings import Settings

    settings = Settings(home=path.parent)
    texts = [
        c.embedding_text
        for p in _bundled_papers()
        for c in chunk_paper(p, settings.chunk_tokens, settings.chunk_overlap)
    ]
    return _write(path, texts, f"{settings.chunk_tokens}/{settings.chunk_overlap}")


def build_shipped_sentences(path: Path) -> int:
    """Embed the bundled abstracts' sentences and runs of up to ``SENTENCE_RUN`` of them and
    write the file. The abstracts have no reference markers, so these are the texts the
    answerers embed, as written."""
    from .text import sentence_runs, split_sentences

    texts = {
        run: None
        for paper in _bundled_papers()
        for run in sentence_runs(split_sentences(paper.abstract), SENTENCE_RUN)
    }
    return _write(path, list(texts), SENTENCES)


def _bundled_papers() -> list[Paper]:
    from .resources import bundled_seed_files
    from .sources import load_collection

    return list(load_collection(bundled_seed_files()))


def _write(path: Path, texts: list[str], chunking: str) -> int:
    from .embedding import MiniLMEmbedder

    embedder = MiniLMEmbedder()
    np.savez_compressed(
        path,
        embedder=np.array(embedder.embedder_id),
        chunking=np.array(chunking),
        keys=np.array([np.frombuffer(text_key(t), dtype=np.uint8) for t in texts]),
        vectors=np.asarray(embedder.embed(texts), dtype=np.float32),
    )
    return len(texts)


if __name__ == "__main__":  # pragma: no cover - a maintainer's tool
    data = Path(__file__).resolve().parent / "data"
    data.mkdir(exist_ok=True)
    print(f"{build_shipped(data / FILE_NAME)} chunk vectors written")
    print(f"{build_shipped_sentences(data / SENTENCES_FILE_NAME)} sentence vectors written")
