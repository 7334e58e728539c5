"""``AnswerStream``: the one way to consume an answer as it is written.

Callers used to unwrap a stream of ``str | Answer`` themselves (five copies of the same
loop). Here it is written once: iterate for text deltas, read ``.sources`` as soon as
retrieval is done (before the first delta, so a chat app can show them while the model
writes), ``.reasoning`` for what a reasoning model thought so far, ``.answer`` for the final
result, ``.close()`` to cancel, and ``.restarts`` to learn that the text so far was thinking.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Generator, Iterator

from ..errors import AssistantError
from ..results import Answer, Source
from .answerer import AnswerEvent, AnswerRestarted, ReasoningDelta, SourcesReady

RESTART_BREAK = "\n\n"
"""The text delta a restart sends, so that text read without ``restarts`` stays readable."""


class AnswerStream(Iterator[str]):
    """Text deltas of one answer (citation-checked), then its ``Answer``.

    Nothing runs until the stream is iterated or ``sources``/``answer`` is read.
    """

    def __init__(self, events: Generator[AnswerEvent, None, Answer]) -> None:
        self._events = events
        self._reasoning: list[str] = []
        self._pending: deque[str] = deque()
        self._sources: list[Source] | None = None
        self._answer: Answer | None = None
        self._closed = False
        self._restarts = 0
        self._failure: BaseException | None = None

    def __iter__(self) -> AnswerStream:
        return self

    def __next__(self) -> str:
        if self._pending:
            return self._pending.popleft()
        while self._advance():
            if self._pending:
                return self._pending.popleft()
        raise StopIteration

    @property
    def sources(self) -> list[Source]:
        """The numbered sources the answer draws on; ``cited`` is known once it is done."""
        if self._answer is not None:
            return self._answer.sources
        while self._sources is None and self._advance():
            pass
        if self._answer is not None:
            return self._answer.sources
        return list(self._sources or [])

    @property
    def answer(self) -> Answer:
        """The final ``Answer``; reading it consumes whatever text is left."""
        while self._answer is None and self._advance():
            pass
        if self._answer is None:
            if isinstance(self._failure, AssistantError):
                raise self._failure  # what went wrong, not only that something did
            raise AssistantError("the answer was cancelled or failed before it was complete")
        self._pending.clear()
        return self._answer

    @property
    def reasoning(self) -> str:
        """The model's reasoning received so far (never part of the text deltas); a chat app
        can show it folded while the answer is written."""
        if self._answer is not None:
            return self._answer.reasoning
        return "".join(self._reasoning)

    @property
    def restarts(self) -> int:
        """How many times the text sent so far turned out to be thinking that a chat template
        had opened (its ``</think>`` came later). Read it as each delta arrives: when it has
        grown, the delta is ``RESTART_BREAK`` and what was shown before belongs to
        ``reasoning``, not to the answer."""
        return self._restarts

    @property
    def done(self) -> bool:
        return self._answer is not None

    def close(self) -> None:
        """Cancel: stop the pipeline and close the model's HTTP stream."""
        if not self._closed:
            self._closed = True
            self._events.close()

    def _advance(self) -> bool:
        """Run the pipeline to its next event; False when there are no more."""
        if self._closed or self._answer is not None:
            return False
        try:
            event = next(self._events)
        except StopIteration as stop:
            self._answer = stop.value
            return False
        except BaseException as exc:
            self._closed = True
            self._failure = exc
            raise
        if isinstance(event, SourcesReady):
            self._sources = event.sources
        elif isinstance(event, ReasoningDelta):
            self._reasoning.append(event.text)
        elif isinstance(event, AnswerRestarted):
            self._restarts += 1
            self._pending.append(RESTART_BREAK)
        elif event:
            self._pending.append(event)
        return True

    def __enter__(self) -> AnswerStream:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
