"""A streamed chat reply read defensively: content and reasoning apart, only the first
choice, a refusal field, characters split across deltas joined, a runaway reply cut, and an
end before the server said why it stopped told as a cut-off.

The errors come from the client that started the stream (``StreamErrors``), so they name its
endpoint and never carry the key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Protocol

from .errors import EndpointError, EndpointProtocolError, EndpointTimeout, StreamCutOff
from .server_replies import (
    StreamDelta,
    WellFormedText,
    choice_index,
    choices_of,
    stream_delta,
    usage_counts,
    well_formed,
)


class StreamErrors(Protocol):
    """The errors a stream raises, built by the client that knows the endpoint."""

    def timeout_error(self) -> EndpointTimeout: ...

    def reported_error(self, exc: Any) -> EndpointError: ...

    def cut_off_error(self) -> StreamCutOff: ...

    def protocol_error(self) -> EndpointProtocolError: ...


class ChatStream:
    """Text deltas of a streamed reply. After iteration: ``finish_reason`` and ``usage``.

    Iterating yields the answer ``content`` only; ``deltas()`` yields ``StreamDelta``s with the
    reasoning as well, and ``reasoning`` accumulates the reasoning text either way; ``refusal``
    is why the model refused, when it said so apart from the content (OpenAI's ``refusal``).
    ``finish_reason`` is ``"length"`` when the reply was cut at ``max_tokens``, also when the
    server ignored ``max_tokens`` and the content ran far past it (``max_chars``; reasoning
    sent apart is not counted: some servers, DeepSeek's, leave it out of ``max_tokens``).

    Only the first of several alternative replies (a server answering ``n`` > 1) is read.
    Ending before the server said why it stopped, or that it is done (``server_done``: it
    sent ``data: [DONE]``), raises ``StreamCutOff``. ``close()`` closes
    the HTTP response (used when the user cancels).
    """

    def __init__(
        self,
        client: StreamErrors,
        sdk_stream: Any,
        model: str,
        *,
        max_chars: int | None = None,
        server_done: Callable[[], bool] = lambda: False,
    ) -> None:
        self._client = client
        self._stream = sdk_stream
        self.model = model
        self.finish_reason: str | None = None
        self.usage: dict[str, int] = {}
        self.reasoning = ""
        """Reasoning text the server sent apart from the content, so far."""
        self.refusal = ""
        self._cancelled = False
        self._content_text = WellFormedText()
        self._reasoning_text = WellFormedText()
        self._choice: int | None = None
        self._chars_left = max_chars
        self._server_done = server_done

    def __iter__(self) -> Iterator[str]:
        for delta in self.deltas():
            if delta.content:
                yield delta.content

    def deltas(self) -> Iterator[StreamDelta]:
        """The reply as ``StreamDelta``s (content and reasoning kept apart)."""
        import openai

        try:
            for chunk in self._stream:
                yield from self._chunk_deltas(chunk)
                if self._chars_left is not None and self._chars_left < 0:
                    self.finish_reason = "length"  # what the server should have said
                    break
        except openai.APITimeoutError:
            raise self._client.timeout_error() from None
        except openai.APIError as exc:
            if self._cancelled:
                return
            if type(exc) is openai.APIError:  # an error event the server sent in the stream
                raise self._client.reported_error(exc) from None
            raise self._client.cut_off_error() from None
        except ValueError:  # an event whose data is not JSON
            raise self._client.protocol_error() from None
        finally:
            self._stream.close()
        if self.finish_reason is None and not self._cancelled and not self._server_done():
            # Ending with [DONE] but no finish_reason (some servers and proxies never send
            # one) is a whole reply; ending with neither is a cut.
            raise self._client.cut_off_error()
        tail = StreamDelta(self._content_text.finish(), self._reasoning_text.finish())
        self.reasoning += tail.reasoning
        if tail.content or tail.reasoning:
            yield tail

    def _chunk_deltas(self, chunk: Any) -> Iterator[StreamDelta]:
        if getattr(chunk, "usage", None):
            self.usage = usage_counts(chunk.usage)
        for choice in choices_of(chunk):
            if self._choice is None:
                self._choice = choice_index(choice)
            if choice_index(choice) != self._choice:
                continue  # another alternative reply: interleaved, it would garble this one
            delta = self._well_formed(stream_delta(getattr(choice, "delta", None)))
            if delta.content or delta.reasoning:
                if self._chars_left is not None:
                    self._chars_left -= len(delta.content)
                yield delta
            if getattr(choice, "finish_reason", None):
                self.finish_reason = choice.finish_reason

    def _well_formed(self, delta: StreamDelta) -> StreamDelta:
        """``delta`` as valid text (a character split across deltas joined again)."""
        reasoning = self._reasoning_text.feed(delta.reasoning)
        self.reasoning += reasoning
        self.refusal += well_formed(delta.refusal)
        return StreamDelta(self._content_text.feed(delta.content), reasoning)

    def close(self) -> None:
        """Stop reading and release the connection (the user cancelled)."""
        self._cancelled = True
        self._stream.close()
