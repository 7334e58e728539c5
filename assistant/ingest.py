"""Ingest: bring validated collection files into the store, adding and updating papers.

Unchanged papers are skipped, new and changed ones chunked, embedded and committed a batch
at a time (an interrupted ingest loses at most one batch; the next one completes it).
Papers are removed only by ``sync`` (the collection becomes exactly the given files), and
only after everything new is committed. Papers whose chunks went missing from the store
(a deleted or half-written chunk collection) are re-embedded from their manifest record.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .chunking import Chunk, chunk_paper
from .collection import Paper
from .formats import Skipped
from .results import Progress
from .shipped_vectors import ShippedVectors
from .sources import SourceFile, iter_papers
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
    repaired: int = 0
    """Papers whose missing chunks were embedded again."""
    skipped: tuple[Skipped, ...] = ()
    """Entries of the files that were left out (no abstract, duplicate title)."""
    shipped: int = 0
    """Chunks whose vectors came with the package instead of being embedded."""

    def summary(self) -> str:
        repaired = f", {self.repaired} repaired" if self.repaired else ""
        written = f"{self.chunks} chunks embedded"
        if self.shipped:
            written = f"{self.chunks - self.shipped} chunks embedded, {self.shipped} shipped"
        return (
            f"{self.added} added, {self.updated} updated, {self.removed} removed, "
            f"{self.unchanged} unchanged{repaired}; {written} in {self.seconds:.1f} s"
        )

    def skipped_lines(self, examples: int = 3) -> list[str]:
        """One line per reason entries were skipped, with the first few titles."""
        lines = []
        for reason in sorted({s.reason for s in self.skipped}):
            titles = [s.title for s in self.skipped if s.reason == reason]
            shown = ", ".join(repr(t[:60]) for t in titles[:examples])
            more = ", …" if len(titles) > examples else ""
            lines.append(f"skipped {len(titles)} entries with {reason}: {shown}{more}")
        return lines


def ingest_sources(
    store: PaperStore,
    sources: Sequence[SourceFile],
    *,
    sync: bool = False,
    progress: Progress | None = None,
    batch_size: int | None = None,
    shipped: ShippedVectors | None = None,
) -> IngestReport:
    """Add and update the papers of ``sources`` (validated already); with ``sync``, also
    remove the papers no source holds, last."""
    started = time.perf_counter()
    store.check_embedder()
    settings = store.settings
    chunking = f"{settings.chunk_tokens}/{settings.chunk_overlap}"
    # The stored hash covers the chunking too, so new chunk settings re-chunk every paper.
    wanted = {
        pid: f"{content}:{chunking}" for src in sources for pid, (content, _) in src.papers.items()
    }
    records = store.manifest_summary()
    stored = {pid: entry[0] for pid, entry in records.items()}
    broken = papers_missing_chunks(store, records)
    to_embed = {pid for pid, h in wanted.items() if stored.get(pid) != h or pid in broken}
    to_repair = sorted(broken - wanted.keys())
    gone = sorted(stored.keys() - wanted.keys()) if sync else []

    batch_size = batch_size or BATCH_PAPERS
    writer = _BatchWriter(store, progress, len(to_embed) + len(to_repair), shipped)
    for paper in _papers_to_embed(sources, to_embed):
        writer.add(paper, wanted[paper.paper_id], batch_size)
    if to_repair:
        for pid, paper in store.papers_by_id(to_repair).items():
            writer.add(paper, stored[pid], batch_size)
    writer.flush()
    store.remove_papers(gone)
    if to_embed or to_repair or gone:
        store.bump_generation()

    changed = {pid for pid in to_embed if pid in stored and stored[pid] != wanted[pid]}
    added = len(to_embed - stored.keys())
    return IngestReport(
        added=added,
        updated=len(changed),
        removed=len(gone),
        unchanged=len(wanted) - len(to_embed),
        chunks=writer.chunks_written,
        seconds=time.perf_counter() - started,
        repaired=len(to_embed) - added - len(changed) + len(to_repair),
        skipped=tuple(s for src in sources for s in src.skipped),
        shipped=writer.shipped_used,
    )


def papers_missing_chunks(
    store: PaperStore, records: Mapping[str, tuple[str, int, str]]
) -> set[str]:
    """Papers whose chunks in the chunk collection do not match their manifest record.
    Cheap when all is well (two counts); a full read of chunk ids only on a mismatch."""
    expected = sum(n_chunks for _, n_chunks, _ in records.values())
    if not records or store.chunk_count() == expected:
        return set()
    actual = store.chunk_counts_by_paper()
    return {pid for pid, (_, n, _) in records.items() if actual.get(pid, 0) != n}


def _papers_to_embed(sources: Iterable[SourceFile], ids: set[str]) -> Iterator[Paper]:
    if not ids:
        return
    for source in sources:
        if ids & source.papers.keys():
            for paper in iter_papers(source):
                if paper.paper_id in ids:
                    yield paper


class _BatchWriter:
    """Collects papers and commits them ``batch_size`` at a time, reporting progress."""

    def __init__(
        self,
        store: PaperStore,
        progress: Progress | None,
        total: int,
        shipped: ShippedVectors | None,
    ) -> None:
        self.store, self.total, self.shipped = store, total, shipped
        self.progress = progress or (lambda done, total, label: None)
        self.papers: list[Paper] = []
        self.hashes: list[str] = []
        self.done = 0
        self.chunks_written = 0
        self.shipped_used = 0

    def add(self, paper: Paper, content_hash: str, batch_size: int) -> None:
        if self.done == 0 and not self.papers:
            self.progress(0, self.total, "Embedding papers")
        self.papers.append(paper)
        self.hashes.append(content_hash)
        if len(self.papers) >= batch_size:
            self.flush()

    def flush(self) -> None:
        if not self.papers:
            return
        settings = self.store.settings
        chunks: list[Chunk] = [
            c
            for p in self.papers
            for c in chunk_paper(p, settings.chunk_tokens, settings.chunk_overlap)
        ]
        vectors = self._vectors(chunks)
        self.store.write_papers(self.papers, self.hashes, chunks, vectors)
        self.done += len(self.papers)
        self.chunks_written += len(chunks)
        self.papers, self.hashes = [], []
        self.progress(self.done, self.total, "Embedding papers")

    def _vectors(self, chunks: list[Chunk]) -> np.ndarray:
        texts = [c.embedding_text for c in chunks]
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        known = self.shipped.lookup(texts) if self.shipped else [None] * len(texts)
        missing = [i for i, v in enumerate(known) if v is None]
        self.shipped_used += len(texts) - len(missing)
        computed = self.store.embedder.embed([texts[i] for i in missing]) if missing else None
        rows: list[np.ndarray] = []
        fresh = iter(computed if computed is not None else [])
        for vector in known:
            rows.append(vector if vector is not None else next(fresh))
        return np.vstack(rows).astype(np.float32)
