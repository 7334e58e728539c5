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
        self._has_papers = False

    # -- collaborators, built lazily so that opening is cheap ---------------------------

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            from .embedding import make_embedder

            self._embedder = make_embedder(self.settings)
        return self._embedder

    @property
    def store(self) -> PaperStore:
        if self._store is None:
            from .store import PaperStore

            self._store = PaperStore.open(self.settings, self.embedder)
        return self._store

    # -- the collection -----------------------------------------------------------------

    def ingest(
        self,
        paths: Sequence[str | Path] | None = None,
        *,
        rebuild: bool = False,
        progress: Progress | None = None,
    ) -> IngestReport:
        """Bring the store in line with the collection files (the bundled papers by default)."""
        from .ingest import ingest_collection

        return ingest_collection(
            self.store, paths, rebuild=rebuild, progress=progress or self.progress
        )

    def ensure_ingested(self, progress: Progress | None = None) -> IngestReport | None:
        """On first use (an empty store) ingest the bundled papers; otherwise do nothing."""
        # Once the store has papers, later calls (every search and answer) cost nothing.
        if self._has_papers or self.store.paper_count() > 0:
            self._has_papers = True
            return None
        return self.ingest(progress=progress)

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
