"""What OpenAI-compatible servers send, read without trusting its shape: error bodies and
retry hints, deltas, reasoning, usage, keep-alive comments, broken UTF-8, model lists.
Servers differ (OpenAI, vLLM, llama.cpp, Ollama, LM Studio, proxies in front of them), so
every field is checked before it is used.
"""

from __future__ import annotations

import codecs
import email.utils
import html
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class StreamDelta:
    """One piece of a streamed reply: answer ``content`` and/or the model's ``reasoning``
    (sent by reasoning models as ``reasoning_content`` or ``reasoning``, apart from content)."""

    content: str = ""
    reasoning: str = ""
    refusal: str = ""
    """Why the model refuses to answer, sent apart from the content (OpenAI's ``refusal``)."""


def retry_after(headers: Any) -> float | None:
    """Seconds the server asks us to wait (``retry-after-ms``, ``retry-after`` seconds or date)."""
    if headers is None:
        return None
    milliseconds = headers.get("retry-after-ms")
    if milliseconds:
        try:
            return max(float(milliseconds) / 1000, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        parsed = email.utils.parsedate_tz(value)
        if parsed is None:
            return None
        return max(email.utils.mktime_tz(parsed) - time.time(), 0.0)


# What servers say when the prompt is too long: OpenAI ("maximum context length",
# code context_length_exceeded), vLLM (same words), llama.cpp ("exceeds the available context
# size", exceed_context_size_error), LM Studio ("context length of only N tokens").
CONTEXT_EXCEEDED = re.compile(
    r"context[_ ](?:length|size|window)|maximum context|exceed_context|n_ctx|too many tokens",
    re.IGNORECASE,
)
_CONTEXT_SIZE = re.compile(
    r"(?:maximum context length is|context length of only|context window of|n_ctx\D{0,4})"
    r"\s*(\d{3,7})",
    re.IGNORECASE,
)


# What servers say of a model they do not serve when they answer 400, not 404: LM Studio
# ("Invalid model identifier"), LiteLLM ("Invalid model name"), others ("model … not found").
UNKNOWN_MODEL = re.compile(
    r"\b(?:invalid|unknown) model\b|\bmodel\b[^.]{0,80}\b(?:not found|does not exist|"
    r"is not (?:available|loaded))",
    re.IGNORECASE,
)


def refused_parameter(exc: Any) -> str | None:
    """``max_tokens``, ``temperature`` or ``stream`` when a 400 says the model does not take
    it (OpenAI streams some models only to verified organisations)."""
    body = getattr(exc, "body", None)
    error = body.get("error", body) if isinstance(body, dict) else None
    if not isinstance(error, dict) or not str(error.get("code", "")).startswith("unsupported"):
        return None
    param = error.get("param")
    return param if param in ("max_tokens", "temperature", "stream") else None


def error_code(exc: Any) -> str:
    """The error's ``code`` field (``context_length_exceeded``), or empty."""
    body = getattr(exc, "body", None)
    error = body.get("error", body) if isinstance(body, dict) else None
    code = error.get("code", "") if isinstance(error, dict) else ""
    return code if isinstance(code, str) else ""


def server_context_size(exc: Any, detail: str) -> int | None:
    """The model's context size as the server said it (llama.cpp sends ``n_ctx``)."""
    body = getattr(exc, "body", None)
    error = body.get("error", body) if isinstance(body, dict) else None
    n_ctx = error.get("n_ctx") if isinstance(error, dict) else None
    if isinstance(n_ctx, int) and not isinstance(n_ctx, bool) and n_ctx > 0:
        return n_ctx
    match = _CONTEXT_SIZE.search(detail)
    return int(match.group(1)) if match else None


def server_message(exc: Any) -> str:
    """The error's message as the server wrote it, on one line and at most 200 characters."""
    body = getattr(exc, "body", None)
    message = ""
    if isinstance(body, dict):
        error = body.get("error", body)
        message = str(error.get("message", "")) if isinstance(error, dict) else str(error)
    elif isinstance(body, str):
        message = _page_text(body)
    return well_formed(" ".join(message.split())[:200])


_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_TAG_OR_SCRIPT = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]*>", re.IGNORECASE | re.DOTALL)


def _page_text(body: str) -> str:
    """What an error page says (a proxy's HTML, nginx's "413 Request Entity Too Large"): its
    title, else its text without the markup; any other body as it is."""
    if not re.match(r"\s*<(?:!doctype|html|head|body)\b", body, re.IGNORECASE):
        return body
    title = _TITLE.search(body)
    return html.unescape(title.group(1) if title else _TAG_OR_SCRIPT.sub(" ", body))


class WellFormedText:
    """Deltas made valid Unicode. A server that splits text by UTF-16 units (a JavaScript
    proxy, some local servers) can send an emoji's two surrogate halves in two deltas; a
    lone surrogate is no character and breaks printing, saving and embedding the answer."""

    def __init__(self) -> None:
        self._held = ""

    def feed(self, text: str) -> str:
        """``text`` valid; a high surrogate at its end is held for the next delta."""
        text, self._held = self._held + text, ""
        if text and "\ud800" <= text[-1] <= "\udbff":
            text, self._held = text[:-1], text[-1]
        return well_formed(text)

    def finish(self) -> str:
        """What was held, as U+FFFD (its other half never came)."""
        held, self._held = self._held, ""
        return well_formed(held)


_LINE_END = rb"(?:\r\n|\n|\r(?!\n))"
_EVENT_END = re.compile(_LINE_END + _LINE_END)
_DATA_LINE = re.compile(rb"(?:^|(?<=[\r\n]))data: ?([^\r\n]*)")
"""A ``data:`` field line and its value, whatever ends the line (LF, CRLF or CR)."""


class DataEvents:
    """Regroups the bytes of a server-sent event stream into whole events and passes on only
    those carrying data. The SDK reads any other as an event whose empty data is no JSON, and
    fails the answer: an ``id:`` or ``retry:`` alone, ``event: ping`` without data, and once
    a server has sent an ``id:``, every blank line after a ``: keep-alive`` comment."""

    def __init__(self) -> None:
        self._pending = b""
        self.done = False
        """Whether the server sent ``data: [DONE]``, its word that the reply is whole."""

    def feed(self, data: bytes) -> bytes:
        """The whole events with data that ``data`` completes."""
        self._pending += data
        # A "\r" at the very end may be the first half of "\r\n": decided by the next bytes.
        searched = self._pending[:-1] if self._pending.endswith(b"\r") else self._pending
        kept, start = [], 0
        for end in _EVENT_END.finditer(searched):
            event = self._pending[start : end.end()]
            if _carries_data(event):
                kept.append(event)
                self.done = self.done or _is_done(event)
            start = end.end()
        self._pending = self._pending[start:]
        return b"".join(kept)

    def finish(self) -> bytes:
        """An event the stream ended in without a blank line after it."""
        rest, self._pending = self._pending, b""
        if not _carries_data(rest):
            return b""
        self.done = self.done or _is_done(rest)
        return rest


def _carries_data(event: bytes) -> bool:
    return any(match.group(1).strip() for match in _DATA_LINE.finditer(event))


def _is_done(event: bytes) -> bool:
    return any(match.group(1).strip() == b"[DONE]" for match in _DATA_LINE.finditer(event))


class EventFields:
    """Reads the bytes of a server-sent event stream as they come and tells whether a chunk
    carried any event field (``data: …``), not only comment lines (``: keep-alive``) and the
    blank lines between events. A line may be split across chunks."""

    def __init__(self) -> None:
        self._line: str | None = None
        """``"comment"`` or ``"field"`` for the line being read; None at a line's start."""

    def carried(self, chunk: bytes) -> bool:
        """True when ``chunk`` holds some of an event field."""
        carried = False
        for index, piece in enumerate(chunk.replace(b"\r", b"\n").split(b"\n")):
            if index:
                self._line = None  # a line ended before this piece
            if piece and self._line is None:
                self._line = "comment" if piece.startswith(b":") else "field"
            carried = carried or (bool(piece) and self._line == "field")
        return carried


def watch_stream(
    response: Any, limit: float, on_stall: Callable[[], Exception]
) -> Callable[[], bool]:
    """Make a streamed ``response`` read defensively at the byte level, and return a function
    that says whether the server has ended the stream with ``data: [DONE]`` so far:

    - it gives up (``on_stall()`` raised) once nothing but comment lines came for ``limit``
      seconds. The read timeout cannot see that: a proxy in front of a stuck model
      (OpenRouter, other gateways) keeps the connection alive with ``: keep-alive`` comments,
      and the request would wait forever;
    - bytes that are not UTF-8 (a server cutting a character's bytes apart between tokens)
      become U+FFFD instead of failing the whole answer as "not the protocol";
    - only events that carry data are passed on (``DataEvents``).
    """
    # The response checks its stream's type; the SDK's HTTP library has changed (httpx,
    # httpx2), so the watch takes the base class of the stream it wraps.
    base = next((c for c in type(response.stream).__mro__ if c.__name__ == "SyncByteStream"), None)
    if base is not None:
        # Compressed bytes are no text to repair (and rarely carry comments in the clear).
        plain = not response.headers.get("content-encoding")
        watched = _watch_class(base)(response.stream, limit, on_stall, plain=plain)
        response.stream = watched
        return lambda: watched.events.done
    return lambda: False


@lru_cache(maxsize=4)
def _watch_class(base: type) -> type[_WatchedStream]:
    return type("WatchedStream", (_WatchedStream, base), {})


class _WatchedStream:
    """A streamed reply's bytes, read as ``watch_stream`` says."""

    def __init__(
        self,
        stream: Any,
        limit: float,
        on_stall: Callable[[], Exception],
        *,
        plain: bool,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stream = stream
        self._limit = limit
        self._on_stall = on_stall
        self._is_text = plain
        self._clock = clock
        self.events = DataEvents()

    def __iter__(self) -> Iterator[bytes]:
        fields = EventFields()
        deadline = self._clock() + self._limit
        for chunk in self._plain(self._stream):
            if fields.carried(chunk):
                deadline = self._clock() + self._limit
            elif self._clock() > deadline:
                raise self._on_stall()
            if chunk:
                yield chunk

    def _plain(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        """``chunks`` as valid UTF-8, regrouped into whole events with data (compressed
        bytes, which are no text, as they are)."""
        if not self._is_text:
            yield from chunks
            return
        events = self.events
        # The decoder holds a character split across chunks until its last byte.
        text = codecs.getincrementaldecoder("utf-8")("replace")
        for chunk in chunks:
            yield events.feed(text.decode(chunk).encode())
        yield events.feed(text.decode(b"", final=True).encode()) + events.finish()

    def close(self) -> None:
        self._stream.close()


def well_formed(text: str) -> str:
    """``text`` with surrogate pairs joined and lone surrogates replaced by U+FFFD."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


class ReplayedChunks(list[Any]):
    """Chunks read from a whole reply, iterated as a stream of them is (``close()`` too)."""

    def close(self) -> None:
        """Nothing to release: the reply was read whole."""


def completion_chunks(body: Any) -> ReplayedChunks | None:
    """A whole chat completion (JSON) as the chunks a stream of it would be, for a server that
    answers a streaming request in one piece; None when ``body`` is no completion."""
    choices = body.get("choices") if isinstance(body, dict) else None
    if not isinstance(choices, list) or not choices:
        return None
    chunks = ReplayedChunks()
    for choice in choices:
        if not isinstance(choice, dict):
            continue
        message = choice.get("message")
        fields = message if isinstance(message, dict) else {}
        delta = SimpleNamespace(**{k: v for k, v in fields.items() if str(k).isidentifier()})
        index = choice.get("index", 0)
        finish = choice.get("finish_reason") or "stop"  # a whole reply is finished
        chunks.append(SimpleNamespace(usage=None, choices=[_choice(index, delta, finish)]))
    usage = body.get("usage")
    if chunks and isinstance(usage, dict):
        chunks[-1].usage = SimpleNamespace(
            **{k: v for k, v in usage.items() if str(k).isidentifier()}
        )
    return chunks


def _choice(index: Any, delta: SimpleNamespace, finish_reason: Any) -> SimpleNamespace:
    return SimpleNamespace(index=index, delta=delta, finish_reason=finish_reason)


def body_message(body: Any) -> str:
    """The error message of a JSON body, as ``server_message`` reads an error's."""
    return server_message(SimpleNamespace(body=body))


def choices_of(reply: Any) -> list[Any]:
    """The choices of a reply or chunk; none when the server sent something else."""
    choices = getattr(reply, "choices", None)
    return choices if isinstance(choices, list) else []


def choice_index(choice: Any) -> int:
    """Which of several alternative replies (``n`` > 1) a choice belongs to; 0 when unsaid."""
    index = getattr(choice, "index", None)
    return index if isinstance(index, int) and not isinstance(index, bool) else 0


def stream_delta(delta: Any) -> StreamDelta:
    """The content and reasoning of one streamed delta (empty when it holds neither)."""
    if delta is None:
        return StreamDelta()
    content, thinking = content_parts(getattr(delta, "content", None))
    refusal = getattr(delta, "refusal", None)
    return StreamDelta(
        content,
        thinking + reasoning_of(delta),
        refusal if isinstance(refusal, str) else "",
    )


def content_parts(content: Any) -> tuple[str, str]:
    """The answer text and the thinking of a message's ``content``: a string, or (Mistral's
    Magistral models) a list of parts, ``{"type": "text", "text": …}`` and ``{"type":
    "thinking", "thinking": [text parts]}``; parts of other types (images, references) are
    no text."""
    if isinstance(content, str):
        return content, ""
    if not isinstance(content, list):
        return "", ""
    text: list[str] = []
    thinking: list[str] = []
    for part in content:
        kind = _field(part, "type")
        if kind == "text":
            text.append(_text_of(_field(part, "text")))
        elif kind == "thinking":
            thinking.append(_text_of(_field(part, "thinking")))
    return "".join(text), "".join(thinking)


def _field(part: Any, name: str) -> Any:
    return part.get(name) if isinstance(part, dict) else getattr(part, name, None)


def _text_of(value: Any) -> str:
    """A part's text: a string, or a list of text parts."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(
            text
            for part in value
            if _field(part, "type") in ("text", None)
            and isinstance(text := _field(part, "text"), str)
        )
    return ""


def reasoning_of(message: Any) -> str:
    """Reasoning text of a message or delta: vLLM/DeepSeek send ``reasoning_content``,
    Ollama and OpenRouter ``reasoning`` (the SDK keeps unknown fields as attributes)."""
    for name in ("reasoning_content", "reasoning"):
        value = getattr(message, name, None)
        if isinstance(value, str) and value:
            return value
    return ""


def usage_counts(usage: Any) -> dict[str, int]:
    """The token counts of a reply's ``usage``."""
    keys = ("prompt_tokens", "completion_tokens", "total_tokens")
    counts = {key: getattr(usage, key, None) for key in keys}
    # A server's odd counts (text, null) are left out rather than trusted.
    return {key: int(n) for key, n in counts.items() if isinstance(n, (int, float))}


OPENAI_DEFAULT_MODEL = "gpt-4o-mini"
"""The model used on OpenAI's own endpoint when none is set: small, cheap, and it can chat
(OpenAI's model list starts with embedding, audio and image models)."""

# Ids of models that do not chat: embeddings (also those whose name does not say so, as
# Ollama's all-minilm and bge-m3), speech, images, moderation, legacy completions.
_NOT_CHAT = re.compile(
    r"embed|whisper|tts|transcribe|dall-e|image|moderation|davinci|babbage|search|rerank|audio"
    r"|minilm|\bbge\b|\bgte-|\be5-|colbert",
    re.IGNORECASE,
)


def default_chat_model(models: Sequence[str], url: str) -> str | None:
    """The model to use when none is configured: OpenAI's small chat model on OpenAI's
    endpoint, elsewhere the first listed model whose name does not say it cannot chat."""
    if urlsplit(url).hostname == "api.openai.com":
        return OPENAI_DEFAULT_MODEL
    return next((m for m in models if not _NOT_CHAT.search(m)), None)
