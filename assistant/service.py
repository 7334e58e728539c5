"""The one core behind the Python API, the CLI and the TUI.

``Assistant`` owns the collaborators (settings, embedder, store, model client); each can be
passed in, so tests inject real-but-small ones instead of patching.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .results import Answer, Hit, Turn
from .settings import Settings

if TYPE_CHECKING:
    from .collection import Paper
    from .embedding import Embedder
    from .ingest import IngestReport
    from .library import CollectionInfo, Library
    from .store import PaperStore

Progress = Callable[[int, int, str], None]
"""``progress(done, total, label)``; library code reports here, never to stdout."""


class Assistant:
    """Search and answer over one paper collection."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        embedder: Embedder | None = None,
        store: PaperStore | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.settings = settings or Settings.load()
        self._embedder = embedder
        self._store = store
        self.progress = progress
        self._library: Library | None = None

    # -- collaborators, built lazily so that opening is cheap ---------------------------

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            from .embedding import make_embedder

            self._embedder = make_embedder(self.settings)
        return self._embedder

    @property
    def library(self) -> Library:
        """The collection's bookkeeping (add, sync, remove, checks, recovery)."""
        if self._library is None:
            from .library import Library

            self._library = Library(self.settings, lambda: self.embedder, store=self._store)
        return self._library

    @property
    def store(self) -> PaperStore:
        return self.library.store

    # -- the collection -----------------------------------------------------------------

    def ingest(
        self,
        paths: Sequence[str | Path] | None = None,
        *,
        sync: bool = False,
        rebuild: bool = False,
        format_name: str | None = None,
        progress: Progress | None = None,
    ) -> IngestReport:
        """Add the papers of ``paths`` to the collection (``sync``: make it exactly these
        files; ``rebuild``: embed everything again). No paths: the recorded files (the
        bundled papers for a new default collection)."""
        return self.library.ingest(
            paths,
            sync=sync,
            rebuild=rebuild,
            format_name=format_name,
            progress=progress or self.progress,
        )

    def remove(self, paper_ids: Sequence[str]) -> int:
        """Remove papers from the collection by id."""
        return self.library.remove(paper_ids)

    def collections(self) -> list[CollectionInfo]:
        """The store's collections, with paper counts and source files."""
        return self.library.collections()

    def ensure_ingested(self, progress: Progress | None = None) -> IngestReport | None:
        """Make the collection ready to search: the default collection is filled with the
        bundled papers on first use; counts are checked; the keyword index follows the store."""
        return self.library.ensure_ready(progress or self.progress)

    def papers(self) -> list[Paper]:
        """Every indexed paper, by title."""
        self.ensure_ingested()
        return self.store.papers()

    def paper(self, paper_id: str) -> Paper:
        """One indexed paper with its full abstract."""
        return self.store.paper(paper_id)

    # -- retrieval ----------------------------------------------------------------------

    def search(
        self, question: str, k: int = 10, *, where: Mapping[str, Any] | None = None
    ) -> list[Hit]:
        """The ``k`` papers most relevant to ``question``, best first, each once."""
        from .retrieval import retrieve_papers

        self.ensure_ingested()
        return retrieve_papers(self.store, question, k=k, where=where, fusion=self.settings.fusion)

    # -- answers ------------------------------------------------------------------------

    def stream_answer(
        self,
        question: str,
        *,
        k: int | None = None,
        model: str | None = None,
        history: Sequence[Turn] = (),
        where: Mapping[str, Any] | None = None,
    ) -> Iterator[str | Answer]:
        """Yield text deltas as they arrive, then the final ``Answer``."""
        from .answering import stream_answer

        self.ensure_ingested()
        return stream_answer(self, question, k=k, model=model, history=history, where=where)

    def answer(
        self,
        question: str,
        *,
        k: int | None = None,
        model: str | None = None,
        history: Sequence[Turn] = (),
        where: Mapping[str, Any] | None = None,
    ) -> Answer:
        """Answer ``question`` from the collection (papers matching ``where``, if given:
        ``year``, ``since``, ``until``, ``author``), with validated citations."""
        final: Answer | None = None
        stream = self.stream_answer(question, k=k, model=model, history=history, where=where)
        for item in stream:
            if isinstance(item, Answer):
                final = item
        assert final is not None, "stream_answer always ends with an Answer"
        return final

    async def aanswer(
        self,
        question: str,
        *,
        k: int | None = None,
        model: str | None = None,
        history: Sequence[Turn] = (),
        where: Mapping[str, Any] | None = None,
    ) -> Answer:
        """``answer`` for asyncio code (runs in a worker thread)."""
        return await asyncio.to_thread(
            self.answer, question, k=k, model=model, history=history, where=where
        )
