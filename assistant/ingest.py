"""Incremental ingest: bring the store in line with the collection files.

Unchanged papers are skipped, changed ones re-chunked and re-embedded, vanished ones
removed. Work is committed a batch of papers at a time, so an interrupted ingest loses at
most one batch and the next ingest picks up where it stopped.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .chunking import Chunk, chunk_paper
from .collection import Paper, load_collection
from .resources import bundled_seed_files
from .results import Progress
from .store import PaperStore

BATCH_PAPERS = 32


@dataclass(frozen=True)
class IngestReport:
    added: int
    updated: int
    removed: int
    unchanged: int
    chunks: int
    """Chunks embedded and written by this run."""
    seconds: float

    def summary(self) -> str:
        return (
            f"{self.added} added, {self.updated} updated, {self.removed} removed, "
            f"{self.unchanged} unchanged; {self.chunks} chunks embedded in {self.seconds:.1f} s"
        )


def ingest_collection(
    store: PaperStore,
    paths: Sequence[str | Path] | None = None,
    *,
    rebuild: bool = False,
    progress: Progress | None = None,
    batch_size: int = BATCH_PAPERS,
) -> IngestReport:
    """Make the store hold exactly the papers of ``paths`` (the bundled collection if none).

    Papers are embedded and committed ``batch_size`` at a time."""
    started = time.perf_counter()
    # Read and validate everything before touching the store: bad input writes nothing.
    papers = load_collection(paths or bundled_seed_files())
    settings = store.settings
    if rebuild:
        store.reset()
    store.check_embedder()

    # The stored hash covers the chunking too, so new chunk settings re-chunk every paper.
    chunking = f"{settings.chunk_tokens}/{settings.chunk_overlap}"
    wanted = {p.paper_id: f"{p.content_hash}:{chunking}" for p in papers}
    stored = store.manifest()
    lexical = store.lexical.manifest()

    gone = sorted((stored.keys() | lexical.keys()) - wanted.keys())
    store.remove_papers(gone)
    to_embed = [p for p in papers if stored.get(p.paper_id) != wanted[p.paper_id]]
    to_copy = [
        p
        for p in papers
        if stored.get(p.paper_id) == wanted[p.paper_id]
        and lexical.get(p.paper_id) != wanted[p.paper_id]
    ]
    if to_copy:
        store.copy_to_lexical(to_copy, [wanted[p.paper_id] for p in to_copy])

    report = progress or (lambda done, total, label: None)
    chunks_written = 0
    for start in range(0, len(to_embed), batch_size):
        report(start, len(to_embed), "Embedding papers")
        batch = to_embed[start : start + batch_size]
        chunks_written += _embed_and_write(store, batch, [wanted[p.paper_id] for p in batch])
    if to_embed:
        report(len(to_embed), len(to_embed), "Embedding papers")

    added = sum(1 for p in to_embed if p.paper_id not in stored)
    return IngestReport(
        added=added,
        updated=len(to_embed) - added,
        removed=len([pid for pid in gone if pid in stored]),
        unchanged=len(papers) - len(to_embed),
        chunks=chunks_written,
        seconds=time.perf_counter() - started,
    )


def _embed_and_write(store: PaperStore, papers: list[Paper], hashes: list[str]) -> int:
    settings = store.settings
    chunks: list[Chunk] = [
        c for p in papers for c in chunk_paper(p, settings.chunk_tokens, settings.chunk_overlap)
    ]
    vectors = (
        store.embedder.embed([c.embedding_text for c in chunks]) if chunks else np.zeros((0, 0))
    )
    store.write_papers(papers, hashes, chunks, vectors)
    return len(chunks)
