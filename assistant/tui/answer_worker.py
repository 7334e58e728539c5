"""Answering one question off the UI thread, in a thread that never holds up quitting.

Textual's thread workers run in asyncio's default executor, which is joined when the app's
event loop closes: a request waiting on a slow endpoint would keep the process alive after
Ctrl+Q until the server answered. The answer runs in a daemon thread instead; on quit the
app marks the run cancelled and saves the partial answer itself, and the thread (if still
blocked in the HTTP call) simply ends with the process.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual.message import Message

from ..errors import AssistantError
from ..history import ChatHistory, TurnRecorder
from ..results import Answer, Turn
from .messages import (
    AnswerDelta,
    AnswerDone,
    AnswerFailed,
    AnswerStarted,
    HistoryNotSaved,
    SourcesFound,
)
from .presenting import unexpected

if TYPE_CHECKING:
    from ..answering import AnswerStream
    from ..service import Assistant
    from .widgets.answer_view import AnswerView

# How often the growing answer is written to history while it streams (seconds): a kill
# loses at most this much text.
SAVE_PARTIAL_EVERY = 0.5

Post = Callable[[Message], object]


@dataclass(eq=False)
class AnswerRun:
    """One question being answered; the thread checks ``cancelled`` between pieces."""

    run_id: int
    question: str
    view: AnswerView
    cancelled: threading.Event = field(default_factory=threading.Event)
    turn_id: int | None = None
    """Set once the question is saved."""
    parts: list[str] = field(default_factory=list)
    """The answer text received so far."""

    @property
    def partial_text(self) -> str:
        return "".join(self.parts)


@dataclass(frozen=True)
class AnswerJob:
    """What the thread needs: the run, where to ask and save, and how to report back."""

    run: AnswerRun
    assistant: Assistant
    history: ChatHistory
    context: list[Turn]
    conversation_id: int | None
    k: int
    model: str | None
    post: Post


def start_answer(job: AnswerJob) -> threading.Thread:
    """Answer in a daemon thread; results come back as messages through ``job.post``."""
    thread = threading.Thread(
        target=_answer, args=(job,), name=f"answer-{job.run.run_id}", daemon=True
    )
    thread.start()
    return thread


def read_stream(
    stream: AnswerStream, run: AnswerRun, on_text: Callable[[str, bool], None]
) -> Answer | None:
    """Feed the stream's text to ``on_text(text, restart)`` (``restart``: what came before
    was thinking); the final ``Answer``, or None when cancelled."""
    if run.cancelled.is_set():
        return None  # stopped before the model was asked: do not ask it
    restarts = stream.restarts
    for text in stream:
        if run.cancelled.is_set():
            return None
        if stream.restarts > restarts:
            restarts = stream.restarts
            on_text("", True)
        else:
            on_text(text, False)
    return None if run.cancelled.is_set() else stream.answer


def _answer(job: AnswerJob) -> None:
    run = job.run
    # The answer is what was asked for: a history that cannot be written (a read-only or full
    # disk, a damaged file) costs one warning, not the answer. Saved before anything streams:
    # a kill mid-answer keeps the question.
    record = TurnRecorder(job.history, job.conversation_id, run.question, origin="chat")
    run.turn_id = record.turn_id
    job.post(AnswerStarted(run.run_id, record.conversation_id, record.turn_id))
    last_save = time.monotonic()

    def on_text(text: str, restart: bool) -> None:
        nonlocal last_save
        if restart:
            run.parts.clear()
        run.parts.append(text)
        job.post(AnswerDelta(run.run_id, text, restart))
        if time.monotonic() - last_save >= SAVE_PARTIAL_EVERY:
            record.save_partial(run.partial_text)
            last_save = time.monotonic()

    stream = None
    try:
        stream = job.assistant.stream_answer(
            run.question, k=job.k, model=job.model, history=job.context
        )
        # Sources are known once retrieval is done, long before a model's first words.
        if not run.cancelled.is_set():
            job.post(SourcesFound(run.run_id, stream.sources))
        answer = read_stream(stream, run, on_text)
        if answer is not None:
            record.finish(answer)
            job.post(AnswerDone(run.run_id, answer))
            _report_unsaved(record, job.post)
            return
    except Exception as exc:
        error = str(exc) if isinstance(exc, AssistantError) else unexpected(exc)
        record.forget()  # the failure being reported matters more than a stale row
        job.post(AnswerFailed(run.run_id, error))
        return
    finally:
        if stream is not None:
            stream.close()  # stops the HTTP stream of a cancelled answer
    record.cancel(run.partial_text)
    _report_unsaved(record, job.post)


def _report_unsaved(record: TurnRecorder, post: Post) -> None:
    if record.failure is not None:
        post(HistoryNotSaved(str(record.failure)))


def save_cancelled(run: AnswerRun, store: ChatHistory) -> None:
    """Keep what had arrived of an answer abandoned as the app quits, marked as stopped."""
    if run.turn_id is None:
        return
    # Nowhere to tell a failure: the app is closing.
    with contextlib.suppress(AssistantError):
        store.cancel_turn(run.turn_id, run.partial_text)
