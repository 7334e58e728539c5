"""The one core behind the Python API, the CLI and the TUI: it only wires.

``Assistant`` owns the collaborators (settings, embedder, store, model client); each can be
passed in, so tests inject real-but-small ones instead of patching. It hands the answering
pipeline narrow pieces of itself (a retriever, a paper lookup, term counts), never itself,
so nothing below this module imports it.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .answering import (
    AbstentionDecision,
    Answerer,
    AnswerStream,
    AskRequest,
    ChatModelAnswerer,
    ClaimCheck,
    ExtractiveAnswerer,
    Pipeline,
)
from .answering.pipeline import ClaimChecker, Events
from .answering.prompts import load_prompts
from .errors import ConfigError
from .paper_records import checked_filters
from .results import Answer, Hit, Progress, Turn
from .settings import Settings

if TYPE_CHECKING:
    from .collection import Paper
    from .embedding import Embedder
    from .ingest import IngestReport
    from .library import CollectionInfo, Library
    from .store import PaperStore


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
            from .store import rename_files_named_with_credentials

            rename_files_named_with_credentials(self.settings)
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
        lock_timeout: float | None = None,
    ) -> IngestReport:
        """Add the papers of ``paths`` to the collection (``sync``: make it exactly these
        files; ``rebuild``: embed everything again). No paths: the recorded files (the
        bundled papers for a new default collection). While another process writes to the
        collection, wait for it (at most ``lock_timeout`` seconds)."""
        return self.library.ingest(
            paths,
            sync=sync,
            rebuild=rebuild,
            format_name=format_name,
            progress=progress or self.progress,
            lock_timeout=lock_timeout,
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
        self, question: str, k: int | None = None, *, where: Mapping[str, Any] | None = None
    ) -> list[Hit]:
        """The ``k`` papers most relevant to ``question`` (default: the ``k`` setting, the
        papers an answer would draw on), best first, each once."""
        from .retrieval import check_k, check_question, retrieve_papers

        # Arguments first: a bad ``k`` or filter is told at once, not after the store opens.
        k = check_k(self.settings.k if k is None else k)
        check_question(question)
        where = None if where is None else checked_filters(where)
        self.ensure_ingested()
        return retrieve_papers(
            self.store,
            question,
            k=k,
            where=where,
            fusion=self.settings.fusion,
            dense_weight=self.settings.dense_weight,
        )

    # -- answers ------------------------------------------------------------------------

    def ask(self, request: AskRequest) -> AnswerStream:
        """Start answering ``request``; nothing runs until the stream is read. A malformed
        request (a blank question, ``k`` outside 1–100, a bad filter) is refused here, with
        one line, before anything is retrieved."""
        request = checked_request(request)
        if request.collection and request.collection != self.settings.collection:
            sibling = Assistant(
                self.settings.replace(collection=request.collection),
                embedder=self._embedder,
                progress=self.progress,
            )
            return sibling.ask(replace(request, collection=None))
        return AnswerStream(self._answer_events(request))

    def _answer_events(self, request: AskRequest) -> Events:
        self.ensure_ingested()
        return (yield from self.pipeline().run(request))

    def pipeline(self) -> Pipeline:
        """The answering pipeline wired to this assistant's store, settings and answerer."""
        settings = self.settings
        answerer = self.answerer()
        return Pipeline(
            retrieve=lambda query, k, where: self.search(query, k, where=where),
            paper=self.paper,
            document_counts=self.store.lexical.document_counts,
            answerer=answerer,
            decider=self.decider(with_model=answerer.mode == "llm"),
            checker=self.claim_checker(),
            default_k=settings.k,
            several_papers_k=settings.several_papers_k,
            full_abstract_max_tokens=settings.full_abstract_max_tokens,
        )

    def decider(self, *, with_model: bool) -> AbstentionDecision:
        """The abstention decision over this collection: strict offline, lenient when a model
        reads the sources (``abstention_threshold`` / ``abstention_model_threshold``)."""
        from .reader import shared_reader

        return AbstentionDecision(
            self.settings, self.store.lexical.search, shared_reader(), with_model
        )

    def claim_checker(self) -> ClaimChecker:
        """Every answer's sentences checked against the sources they cite, with this
        assistant's embedder, tuned by the ``claim_*`` settings."""
        return ClaimCheck.from_settings(self.embedder, self.settings)

    def answerer(self) -> Answerer:
        """The chat model when an endpoint is configured, else the extractive answerer."""
        if self.settings.mode == "llm":
            from .llm import client_for

            prompts = load_prompts(self.settings.prompts_dir)
            return ChatModelAnswerer(client_for(self.settings), prompts, self.settings)
        return ExtractiveAnswerer(self.embedder, self.settings)

    def stream_answer(
        self,
        question: str,
        *,
        k: int | None = None,
        model: str | None = None,
        history: Sequence[Turn] = (),
        where: Mapping[str, Any] | None = None,
    ) -> AnswerStream:
        """Text deltas as they arrive (iterate), then ``.answer``; ``.sources`` early."""
        return self.ask(AskRequest(question, k, model, history, where))

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
        return self.stream_answer(question, k=k, model=model, history=history, where=where).answer

    async def aanswer(
        self,
        question: str,
        *,
        k: int | None = None,
        model: str | None = None,
        history: Sequence[Turn] = (),
        where: Mapping[str, Any] | None = None,
    ) -> Answer:
        """``answer`` for asyncio code (runs in a worker thread). Cancelled (a timeout of
        ``asyncio.wait_for``, a task cancelled), it stops the answer at its next words and
        closes the model's stream, instead of letting the model write on unread; a request
        still waiting for the endpoint's first byte is left to its timeout, never waited
        for (``asyncio.run`` would otherwise hold the script open until it ends)."""
        stream = self.stream_answer(question, k=k, model=model, history=history, where=where)
        stop = threading.Event()
        loop = asyncio.get_running_loop()
        result: asyncio.Future[Answer | None] = loop.create_future()
        # Not the loop's executor: asyncio.run joins those threads when it ends.
        threading.Thread(
            target=_read_into,
            args=(stream, stop, loop, result),
            name="assistant-aanswer",
            daemon=True,
        ).start()
        try:
            answer = await result
        except asyncio.CancelledError:
            stop.set()
            raise
        assert answer is not None  # only a cancelled call stops early, and it returns nothing
        return answer


def _read_into(
    stream: AnswerStream,
    stop: threading.Event,
    loop: asyncio.AbstractEventLoop,
    result: asyncio.Future[Answer | None],
) -> None:
    """Read ``stream`` in this thread and hand its answer (or error) to ``result``."""
    answer: Answer | None = None
    error: BaseException | None = None
    try:
        answer = _read_unless_stopped(stream, stop)
    except BaseException as exc:  # handed to the awaiting task, re-raised there
        error = exc
    with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits any more
        loop.call_soon_threadsafe(_settle, result, answer, error)


def _settle(
    result: asyncio.Future[Answer | None], answer: Answer | None, error: BaseException | None
) -> None:
    if result.done():  # cancelled meanwhile
        return
    if error is not None:
        result.set_exception(error)
    else:
        result.set_result(answer)


def _read_unless_stopped(stream: AnswerStream, stop: threading.Event) -> Answer | None:
    """The stream's answer, read in a worker thread; ``None`` once ``stop`` is set (the
    stream is closed then, which closes the model's HTTP stream)."""
    with stream:
        for _ in stream:
            if stop.is_set():
                return None
        return stream.answer


def checked_request(request: AskRequest) -> AskRequest:
    """``request`` with its arguments checked and tidied: the question text and not blank,
    ``k`` a whole number 1–100 (or unset), ``model`` text (blank means the setting), the
    history ``Turn``s, the filters valid. A one-line ``ConfigError``/``FilterError`` else."""
    from .retrieval import check_k, check_question

    if not check_question(request.question).strip():
        raise ConfigError("the question is empty; type what you want to know")
    if request.model is not None and not isinstance(request.model, str):
        raise ConfigError(f"model must be a model name (a str), got {request.model!r}")
    return replace(
        request,
        k=None if request.k is None else check_k(request.k),
        model=(request.model or "").strip() or None,
        history=_checked_history(request.history),
        where=None if request.where is None else checked_filters(request.where) or None,
    )


def _checked_history(history: object) -> tuple[Turn, ...]:
    if isinstance(history, (str, bytes)) or not isinstance(history, Sequence):
        raise ConfigError(
            "history must be a list of assistant.Turn(question, answer), "
            f"got {type(history).__name__}"
        )
    for turn in history:
        if not (isinstance(turn, Turn) and isinstance(turn.question, str)):
            raise ConfigError(
                f"history must hold assistant.Turn(question, answer) items, got {turn!r:.60}"
            )
        if not isinstance(turn.answer, str):
            raise ConfigError(f"a Turn's answer must be text, got {turn.answer!r:.60}")
    return tuple(history)
