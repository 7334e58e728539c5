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
from ..history import ChatHistory
from ..results import Answer, Turn
from .messages import (
    AnswerDelta,
    AnswerDone,
    AnswerFailed,
    AnswerStarted,
    BackgroundFailed,
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
    stream: AnswerStream, run: AnswerRun, on_text: Callable[[str], None]
) -> Answer | None:
    """Feed the stream's text to ``on_text``; the final ``Answer``, or None when cancelled."""
    for text in stream:
        if run.cancelled.is_set():
            return None
        on_text(text)
    return None if run.cancelled.is_set() else stream.answer


def _answer(job: AnswerJob) -> None:
    run, store = job.run, job.history
    try:
        # Saved before anything streams: a kill mid-answer keeps the question.
        conversation_id = job.conversation_id or store.start_conversation(run.question)
        turn_id = store.add_question(conversation_id, run.question)
    except AssistantError as exc:
        job.post(AnswerFailed(run.run_id, str(exc)))
        return
    run.turn_id = turn_id
    job.post(AnswerStarted(run.run_id, conversation_id, turn_id))
    last_save = time.monotonic()

    def on_text(text: str) -> None:
        nonlocal last_save
        run.parts.append(text)
        job.post(AnswerDelta(run.run_id, text))
        if time.monotonic() - last_save >= SAVE_PARTIAL_EVERY:
            store.save_partial(turn_id, run.partial_text)
            last_save = time.monotonic()

    stream = None
    try:
        stream = job.assistant.stream_answer(
            run.question, k=job.k, model=job.model, history=job.context
        )
        # Sources are known once retrieval is done, long before a model's first words.
        job.post(SourcesFound(run.run_id, stream.sources))
        answer = read_stream(stream, run, on_text)
        if answer is not None:
            store.finish_turn(turn_id, answer)
            job.post(AnswerDone(run.run_id, answer))
            return
    except Exception as exc:
        error = str(exc) if isinstance(exc, AssistantError) else unexpected(exc)
        forget_turn(store, turn_id)
        job.post(AnswerFailed(run.run_id, error))
        return
    finally:
        if stream is not None:
            stream.close()  # stops the HTTP stream of a cancelled answer
    save_cancelled(run, store, job.post)


def save_cancelled(run: AnswerRun, store: ChatHistory, post: Post | None = None) -> None:
    """Keep what had arrived of a stopped answer, marked as stopped."""
    if run.turn_id is None:
        return
    try:
        store.cancel_turn(run.turn_id, run.partial_text)
    except AssistantError as exc:
        if post is not None:
            post(BackgroundFailed(str(exc)))


def forget_turn(store: ChatHistory, turn_id: int) -> None:
    """Delete a turn whose answer failed (the question goes back to the input)."""
    # The failure being reported matters more than a stale row.
    with contextlib.suppress(AssistantError):
        store.delete_turn(turn_id)
