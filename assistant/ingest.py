"""Ingest: bring validated collection files into the store, adding and updating papers.

Unchanged papers are skipped, new and changed ones chunked, embedded and committed a batch
at a time (an interrupted ingest loses at most one batch; the next one completes it).
Papers are removed only by ``sync`` (the collection becomes exactly the given files), and
only after everything new is committed. Papers whose chunks went missing from the store
(a deleted or half-written chunk collection) are re-embedded from their manifest record.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from .chunking import Chunk, chunk_paper
from .collection import Paper
from .errors import CollectionError
from .formats import STRICT_FORMATS, Skipped, read_records
from .ingest_plan import IngestPlan
from .results import Progress
from .shipped_vectors import ShippedVectors
from .sources import SourceFile, file_sha256
from .store import PaperStore

BATCH_PAPERS = 32
_LOOKUP_PAGE = 500  # records of a file looked up in the plan at once


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
    kept: int = 0
    """Papers read earlier from these files that they no longer hold, kept (no ``sync``)."""

    def summary(self) -> str:
        repaired = f", {self.repaired} repaired" if self.repaired else ""
        written = f"{self.chunks} chunks embedded"
        if self.shipped:
            written = f"{self.chunks - self.shipped} chunks embedded, {self.shipped} shipped"
        return (
            f"{self.added} added, {self.updated} updated, {self.removed} removed, "
            f"{self.unchanged} unchanged{repaired}; {written} in {self.seconds:.1f} s"
        )

    def kept_note(self) -> str | None:
        """What was kept of papers the files no longer hold, and how to drop them."""
        if not self.kept:
            return None
        return (
            f"note: {self.kept} paper(s) read earlier from these files are no longer in them "
            "(deleted, or the title changed) and were kept; `assistant ingest --sync FILE…` "
            "drops them, `assistant remove ID` one of them"
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
    plan: IngestPlan,
    *,
    sync: bool = False,
    progress: Progress | None = None,
    batch_size: int | None = None,
    shipped: ShippedVectors | None = None,
) -> IngestReport:
    """Add and update the papers of ``sources`` (validated already, into ``plan``); with
    ``sync``, also remove the papers no source holds, last. Memory is bounded by the batch
    size: what to do is read from ``plan`` a page at a time."""
    started = time.perf_counter()
    store.check_embedder()
    plan.read_store(store.manifest_pages())
    if store.chunk_count() != plan.stored_chunks():  # cheap when all is well: two counts
        plan.mark_broken(store.chunk_paper_id_pages())
    counts = plan.counts()
    kept = 0 if sync else plan.stored_only_from([str(s.path) for s in sources])
    to_embed = counts["added"] + counts["updated"] + counts["repaired"]
    writer = _BatchWriter(store, progress, to_embed + counts["to_repair"], shipped)
    batch_size = batch_size or BATCH_PAPERS
    for source in sources:
        for paper, content_hash in _papers_to_embed(source, plan):
            writer.add(paper, content_hash, batch_size)
    for page in plan.to_repair():
        hashes = dict(page)
        for pid, paper in store.papers_by_id(list(hashes)).items():
            writer.add(paper, hashes[pid], batch_size)
    writer.flush()
    removed = 0
    if sync:
        for ids in plan.stored_only():
            store.remove_papers(ids)
            removed += len(ids)
    if writer.done or removed:
        store.bump_generation()
    return IngestReport(
        added=counts["added"],
        updated=counts["updated"],
        removed=removed,
        unchanged=counts["unchanged"],
        chunks=writer.chunks_written,
        seconds=time.perf_counter() - started,
        repaired=counts["repaired"] + counts["to_repair"],
        skipped=tuple(s for src in sources for s in src.skipped),
        shipped=writer.shipped_used,
        kept=kept,
    )


def leave_papers_to_their_files(
    sources: Sequence[SourceFile], plan: IngestPlan, recorded_files: Sequence[str]
) -> None:
    """A title another recorded file brought in stays that file's paper. Re-reading the
    recorded files (a repair, a rebuild) takes each title from the first file holding it, so
    the same title in a file named now is a duplicate there: taking it here would replace
    the paper without a word, and the next repair would put it back. ``plan`` has read the
    store."""
    named = {str(s.path) for s in sources}
    others = [p for p in dict.fromkeys(recorded_files) if p not in named]
    by_number = {s.number: s for s in sources}
    for page in plan.held_elsewhere(others):
        for _, number, title, holder in page:
            source = by_number[number]
            if source.format in STRICT_FORMATS:  # as a repair would find it
                raise CollectionError(
                    source.path, None, f"duplicate title {title!r} (first in {holder})"
                )
            source.skipped.append(Skipped(title, str(source.path), "duplicate title"))
        plan.leave_out([paper_id for paper_id, *_ in page])


def _papers_to_embed(source: SourceFile, plan: IngestPlan) -> Iterator[tuple[Paper, str]]:
    """The papers of ``source`` the plan says to embed, with the hash to store, read again
    a page at a time."""
    page: list[tuple[int, Paper]] = []
    for entry, record in enumerate(read_records(source.path, source.format)):
        if isinstance(record, Paper):
            page.append((entry, record))
        if len(page) >= _LOOKUP_PAGE:
            yield from _wanted_of(page, source, plan)
            page = []
    yield from _wanted_of(page, source, plan)
    # The plan knows papers by their place in the file as checked: a file rewritten since
    # (an export kept up to date by the reference manager) puts other papers there.
    if file_sha256(source.path) != source.sha256:
        raise CollectionError(
            source.path,
            None,
            "changed while it was being ingested; run the same `assistant ingest` again",
        )


def _wanted_of(
    page: list[tuple[int, Paper]], source: SourceFile, plan: IngestPlan
) -> Iterator[tuple[Paper, str]]:
    if page:
        wanted = plan.to_embed(source.number, [(entry, p.paper_id) for entry, p in page])
        for entry, paper in page:
            if entry in wanted:
                yield paper, wanted[entry]


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
        # Not "embedding": the bundled papers' vectors ship with the package and are looked up.
        self.label = "Indexing papers"

    def add(self, paper: Paper, content_hash: str, batch_size: int) -> None:
        if self.done == 0 and not self.papers:
            self.progress(0, self.total, self.label)
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
        self.progress(self.done, self.total, self.label)

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
