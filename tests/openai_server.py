"""A real HTTP server on loopback that speaks the OpenAI protocol, scripted per test.

The SDK talks to it over HTTP exactly as it would to Ollama or OpenAI: ``POST
/v1/chat/completions`` (JSON, or SSE when the request says ``"stream": true``) and ``GET
/v1/models``. A test ``enqueue()``s the replies it wants (text, explicit stream chunks, an
error status with headers, a cut-off stream, a delay) and reads ``history`` afterwards.

Use the ``openai_server`` fixture (tests/conftest.py imports it from here).
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Reply:
    """One scripted answer to a chat-completions request."""

    text: str | None = None
    """Reply text; sent as JSON or as SSE word chunks, whichever the request asked for."""
    chunks: list[str] | None = None
    """Explicit stream deltas (the request must be streaming)."""
    finish_reason: str | None = "stop"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    """Error body (dict -> JSON); default ``{"error": {"message": ...}}``."""
    delay: float = 0.0
    """Seconds to wait before answering (for timeouts)."""
    chunk_delay: float = 0.0
    cut: str | None = None
    """Halfway through the chunks, ``"drop"``: close the connection mid-body; ``"no_finish"``:
    end the body cleanly but without a finish_reason or ``[DONE]``."""
    usage: dict[str, int] | None = None
    reasoning_chunks: list[str] | None = None
    """Reasoning deltas streamed before the content, as a reasoning model sends them (in a
    JSON reply: joined into the message's reasoning field). ``<think>`` blocks inside the
    content need nothing special: put them in ``text`` or ``chunks``; a reply cut at the
    token limit is ``finish_reason="length"``."""
    reasoning_field: str = "reasoning_content"
    """``reasoning_content`` (vLLM, DeepSeek, llama.cpp) or ``reasoning`` (Ollama, OpenRouter)."""
    raw: str | bytes | None = None
    """Sent verbatim (status 200, ``content_type``) instead of a reply in the protocol: a
    proxy's HTML page, broken JSON, garbled events."""
    content_type: str = "application/json"
    raw_piece: int = 0
    """With ``raw``: send the body this many bytes at a time, each flushed and followed by a
    short pause (lines and characters split across network reads)."""
    keep_alive: float = 0.0
    """Seconds of ``: keep-alive`` comment lines (one every 0.05 s) before the first delta,
    as a proxy sends while the model behind it has not started."""


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    received_at: float
    """``time.perf_counter()`` when the request line arrived."""

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", [])) if isinstance(self.body, dict) else []

    def message(self, role: str) -> str:
        """Content of the first message with ``role`` ("" if none)."""
        return next((m["content"] for m in self.messages if m.get("role") == role), "")


class _QuietServer(ThreadingHTTPServer):
    # Load tests open dozens of connections at once; the default backlog of 5 refuses them.
    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients drop kept-alive or half-read connections (a closed stream); that is normal.
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)


class OpenAIServer:
    """Start with ``start()``; ``url`` is the base URL to configure (ends in ``/v1``)."""

    def __init__(self) -> None:
        self.queue: list[Reply] = []
        self.default_reply = Reply(text="The collection answers this [1].")
        self.models: list[str] = ["test-model"]
        self.models_reply: Reply | None = None
        """Scripted error for ``GET /v1/models`` (None: list ``models``)."""
        self.api_key: str | None = None
        """When set, requests without ``Authorization: Bearer <api_key>`` get a 401."""
        self.history: list[RecordedRequest] = []
        self.path_prefix: str | None = None
        """When set, requests whose path does not start with it get a 404 (like a real
        server reached without its ``/v1``)."""
        self.moved: tuple[str, str] | None = None
        """``(old, new)``: requests whose path starts with ``old`` get a 301 to the same path
        under ``new`` (a server that moved, or http redirected to https), with
        ``moved_query`` after it."""
        self.moved_query = ""
        self.disconnects = 0
        """Streams the client closed before the server finished sending (cancellations)."""
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = _QuietServer(("127.0.0.1", 0), _make_handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> OpenAIServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def enqueue(self, reply: Reply | str | None = None, **fields: Any) -> Reply:
        """Script the next chat reply: ``enqueue("text [1]")`` or ``enqueue(status=429, ...)``."""
        if isinstance(reply, str):
            reply = Reply(text=reply, **fields)
        elif reply is None:
            reply = Reply(**fields)
        with self._lock:
            self.queue.append(reply)
        return reply

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.history if r.path.endswith("/chat/completions")]

    def _next_reply(self) -> Reply:
        with self._lock:
            return self.queue.pop(0) if self.queue else self.default_reply

    def _sleep(self, seconds: float) -> None:
        self._stopping.wait(seconds)


def _make_handler(server: OpenAIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
            pass

        def do_GET(self) -> None:
            self._record(None)
            if not self._authorised() or not self._routed():
                return
            if self.path.rstrip("/").endswith("/models"):
                if server.models_reply is not None:
                    self._error(server.models_reply)
                    return
                data = [
                    {"id": m, "object": "model", "created": 0, "owned_by": "test"}
                    for m in server.models
                ]
                self._json(200, {"object": "list", "data": data})
            else:
                self._json(404, {"error": {"message": f"no route {self.path}"}})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = raw.decode("utf-8", "replace")
            self._record(body)
            if not self._authorised() or not self._routed():
                return
            if not self.path.endswith("/chat/completions"):
                self._json(404, {"error": {"message": f"no route {self.path}"}})
                return
            reply = server._next_reply()
            if reply.delay:
                server._sleep(reply.delay)
            if reply.status != 200:
                self._error(reply)
                return
            if reply.raw is not None:
                raw_body = reply.raw if isinstance(reply.raw, bytes) else reply.raw.encode()
                self._send(200, raw_body, reply.content_type, piece=reply.raw_piece)
                return
            model = body.get("model", "test-model") if isinstance(body, dict) else "test-model"
            streaming = isinstance(body, dict) and bool(body.get("stream"))
            try:
                if streaming:
                    self._stream(reply, model)
                else:
                    self._complete(reply, model)
            except (BrokenPipeError, ConnectionResetError):  # the client went away (cancel)
                server.disconnects += 1

        # -- helpers ---------------------------------------------------------------------

        def _record(self, body: Any) -> None:
            server.history.append(
                RecordedRequest(
                    self.command,
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                    time.perf_counter(),
                )
            )

        def _routed(self) -> bool:
            if server.moved and self.path.startswith(server.moved[0]):
                where = server.moved[1] + self.path[len(server.moved[0]) :] + server.moved_query
                self._send(301, b"", "text/plain", {"Location": where})
                return False
            if server.path_prefix is None or self.path.startswith(server.path_prefix):
                return True
            self._json(404, {"error": {"message": f"no route {self.path}"}})
            return False

        def _authorised(self) -> bool:
            if server.api_key is None:
                return True
            given = self.headers.get("Authorization", "")
            if given == f"Bearer {server.api_key}":
                return True
            # Like some real servers, echo what was sent: the client must not repeat it.
            self._json(401, {"error": {"message": f"Incorrect API key provided: {given}"}})
            return False

        def _error(self, reply: Reply) -> None:
            body = (
                reply.body
                if reply.body is not None
                else {"error": {"message": f"scripted {reply.status}"}}
            )
            self._json(reply.status, body, reply.headers)

        def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
            data = (payload if isinstance(payload, str) else json.dumps(payload)).encode()
            self._send(status, data, "application/json", headers)

        def _send(
            self,
            status: int,
            data: bytes,
            content_type: str,
            headers: dict[str, str] | None = None,
            *,
            piece: int = 0,
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            for start in range(0, len(data), piece or len(data) or 1):
                self.wfile.write(data[start : start + (piece or len(data))])
                if piece:
                    self.wfile.flush()
                    server._sleep(0.002)

        def _complete(self, reply: Reply, model: str) -> None:
            text = reply.text if reply.text is not None else "".join(reply.chunks or [])
            self._json(
                200,
                {
                    "id": "chatcmpl-test",
                    "object": "chat.completion",
                    "created": 0,
                    "model": model,
                    "choices": [
                        {
                            "index": 0,
                            "message": _message(reply, text),
                            "finish_reason": reply.finish_reason,
                        }
                    ],
                    "usage": reply.usage or _usage(text),
                },
            )

        def _stream(self, reply: Reply, model: str) -> None:
            chunks = reply.chunks if reply.chunks is not None else _words(reply.text or "")
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            waited_until = time.perf_counter() + reply.keep_alive
            while time.perf_counter() < waited_until and not server._stopping.is_set():
                self._write_chunk(b": keep-alive\n\n")
                server._sleep(0.05)
            for thought in reply.reasoning_chunks or ():
                self._event(_chunk(model, {reply.reasoning_field: thought}, None))
            for index, piece in enumerate(chunks):
                if reply.cut == "drop" and index == max(len(chunks) // 2, 1):
                    self.wfile.flush()
                    self.connection.shutdown(2)  # mid-body: no terminating chunk
                    self.close_connection = True
                    return
                if reply.cut == "no_finish" and index == max(len(chunks) // 2, 1):
                    self._write_chunk(b"")  # a clean end of body, but no finish_reason/[DONE]
                    return
                self._event(_chunk(model, {"content": piece}, None))
                if reply.chunk_delay:
                    server._sleep(reply.chunk_delay)
            self._event(_chunk(model, {}, reply.finish_reason, reply.usage))
            self._write_chunk(b"data: [DONE]\n\n")
            self._write_chunk(b"")

        def _event(self, payload: dict[str, Any]) -> None:
            self._write_chunk(f"data: {json.dumps(payload)}\n\n".encode())

        def _write_chunk(self, data: bytes) -> None:
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

    return Handler


def _chunk(
    model: str, delta: dict[str, Any], finish: str | None, usage: dict[str, int] | None = None
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    if usage:
        payload["usage"] = usage
    return payload


def _message(reply: Reply, text: str) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": text}
    if reply.reasoning_chunks:
        message[reply.reasoning_field] = "".join(reply.reasoning_chunks)
    return message


def _words(text: str) -> list[str]:
    return re.findall(r"\s*\S+", text) or [text]


def _usage(text: str) -> dict[str, int]:
    completion = len(text.split())
    return {"prompt_tokens": 100, "completion_tokens": completion, "total_tokens": 100 + completion}


@pytest.fixture
def openai_server() -> Any:
    """A started ``OpenAIServer``; stopped after the test."""
    server = OpenAIServer().start()
    yield server
    server.stop()
