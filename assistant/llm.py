"""The model endpoint: any OpenAI-compatible server, through the ``openai`` SDK.

Every failure becomes one of the typed errors of ``errors.py`` with one line a user can act
on. The API key is never part of a message: errors are built here, never copied from the
server, and anything taken from a server reply is scrubbed of the key.
"""

from __future__ import annotations

import json
import re
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .chat_stream import ChatStream
from .errors import (
    AuthenticationFailed,
    EndpointError,
    EndpointProtocolError,
    EndpointServerError,
    EndpointTimeout,
    EndpointUnreachable,
    ModelNotFound,
    RateLimited,
    StreamCutOff,
)
from .redaction import mask_credentials
from .server_replies import (
    CONTEXT_EXCEEDED,
    UNKNOWN_MODEL,
    ReplayedChunks,
    body_message,
    completion_chunks,
    content_parts,
    default_chat_model,
    error_code,
    reasoning_of,
    refused_parameter,
    retry_after,
    server_context_size,
    server_message,
    usage_counts,
    watch_stream,
    well_formed,
)

if TYPE_CHECKING:
    import openai

    from .settings import Settings

NO_KEY_PLACEHOLDER = "no-key-needed"
"""Sent to local servers (Ollama, llama.cpp, vLLM, LM Studio) needing no key; the SDK wants one."""
MAX_RETRY_WAIT = 60.0
"""A server asking to wait longer than this (Retry-After) is not waited for."""
FIRST_BACKOFF = 0.5
RETRIED_STATUSES = (408, 409, 429)
"""Besides 5xx, the statuses worth another try (as the SDK's own retries do): a proxy's
request timeout, a conflict, a rate limit."""
MAX_CHARS_PER_TOKEN = 16
"""A reply longer than ``max_tokens`` times this is read no further: no tokenizer makes
tokens that long on average, so the server ignored ``max_tokens`` (a runaway repetition)."""

Message = dict[str, str]


@dataclass
class ChatReply:
    """A whole (non-streamed) reply."""

    text: str
    model: str
    finish_reason: str | None
    usage: dict[str, int] = field(default_factory=dict)
    reasoning: str = ""
    """Reasoning the server sent apart from the content (``reasoning_content``/``reasoning``)."""


@dataclass(frozen=True)
class _Retry:
    seconds: float
    counted: bool = True
    """False for the one retry without a parameter the server refused (not a failure)."""


class ChatClient:
    """Chat completions and the model list of one endpoint, with retries on 429/5xx."""

    def __init__(self, settings: Settings, *, sleep: Callable[[float], None] = time.sleep) -> None:
        import openai

        url = settings.endpoint_url
        if url is None:
            raise EndpointError("no model endpoint is configured; set ASSISTANT_BASE_URL")
        self.settings = settings
        self.url = mask_credentials(url)
        """The endpoint as shown in messages (a password in it masked)."""
        self._key = settings.api_key.reveal() if settings.api_key else ""
        self._sleep = sleep
        self._default_model: str | None = None
        self._refused_parameters: set[str] = set()
        """``max_tokens``/``temperature``/``stream`` once the server said it does not take them."""
        # Retries are ours (max_retries=0) so that giving up says clearly what happened.
        self._sdk = openai.OpenAI(
            base_url=url,
            api_key=self._key or NO_KEY_PLACEHOLDER,
            timeout=settings.timeout,
            max_retries=0,
        )

    # -- models -------------------------------------------------------------------------

    def list_models(self) -> list[str]:
        """Ids of the models the endpoint serves (``GET /models``), in its order."""
        raw = self._call(lambda: self._sdk.models.with_raw_response.list(), model=None)
        data = getattr(self._parsed(raw), "data", None)
        if not isinstance(data, list):
            raise self._not_the_protocol(raw.http_response)
        # Entries without a text id are no model a request could name.
        return [model.id for model in data if isinstance(getattr(model, "id", None), str)]

    def resolve_model(self, requested: str | None = None) -> str:
        """``requested``, else the configured model, else ``default_chat_model`` of the list."""
        chosen = requested or self.settings.model
        if chosen:
            return chosen
        if self._default_model is None:
            models = self.list_models()
            default = default_chat_model(models, self.url)
            if default is None:
                listed = "lists no models" if not models else "lists no chat model"
                raise ModelNotFound(
                    f"the endpoint at {self.url} {listed}; set ASSISTANT_MODEL to the model to use"
                )
            self._default_model = default
        return self._default_model

    # -- chat ---------------------------------------------------------------------------

    def stream_chat(
        self, messages: Sequence[Message], *, model: str, max_tokens: int | None = None
    ) -> ChatStream:
        """Start a streamed completion; errors before the first byte are raised here."""
        raw = self._call(
            lambda: self._sdk.chat.completions.with_raw_response.create(
                model=model,
                messages=list(messages),  # type: ignore[arg-type]
                # A model that may not stream answers in one piece, read as the stream.
                stream="stream" not in self._refused_parameters,
                **self._sampling(self.settings.temperature, max_tokens),
            ),
            model=model,
        )
        limit = (max_tokens or self.settings.max_tokens) * MAX_CHARS_PER_TOKEN
        # A page or JSON body instead of server-sent events would read as an empty stream.
        if "event-stream" not in raw.headers.get("content-type", "text/event-stream"):
            return ChatStream(self, self._whole_reply(raw.http_response), model, max_chars=limit)
        done = watch_stream(raw.http_response, self.settings.timeout, self.stall_error)
        return ChatStream(self, self._parsed(raw), model, max_chars=limit, server_done=done)

    def _whole_reply(self, response: Any) -> ReplayedChunks:
        """What a server sent in one piece to a streaming request: a whole completion (it
        ignored ``stream``) is read as its chunks; a JSON error is told in the server's
        words; anything else (a web page) is not the protocol."""
        try:
            body = json.loads(response.read())
        except ValueError:
            raise self.protocol_error() from None
        except Exception:  # the body broke off (the HTTP library's own error types)
            raise self.cut_off_error() from None
        finally:
            response.close()
        chunks = completion_chunks(body)
        if chunks is not None:
            return chunks
        raise self._reported_or_protocol_error(body)

    def _not_the_protocol(self, response: Any) -> EndpointError:
        """A JSON reply that is not what was asked for: an error object in the server's
        words (LM Studio answers 200 with one), else not the protocol."""
        try:
            body = json.loads(response.read())
        except Exception:  # not JSON, or unreadable: either way not the protocol
            return self.protocol_error()
        return self._reported_or_protocol_error(body)

    def _reported_or_protocol_error(self, body: Any) -> EndpointError:
        detail = self._scrub(body_message(body))
        if isinstance(body, dict) and "error" in body and detail:
            return EndpointError(f"the endpoint at {self.url} answered with an error: {detail}")
        return self.protocol_error()

    def complete(
        self,
        messages: Sequence[Message],
        *,
        model: str,
        max_tokens: int | None = None,
        temperature: float | None = None,
    ) -> ChatReply:
        """A whole completion in one JSON reply."""
        raw = self._call(
            lambda: self._sdk.chat.completions.with_raw_response.create(
                model=model,
                messages=list(messages),  # type: ignore[arg-type]
                stream=False,
                **self._sampling(
                    self.settings.temperature if temperature is None else temperature, max_tokens
                ),
            ),
            model=model,
        )
        response = self._parsed(raw)
        choices = getattr(response, "choices", None)
        if not isinstance(choices, list):
            raise self.protocol_error()
        if not choices:
            raise self.cut_off_error()
        message = getattr(choices[0], "message", None)
        content, thinking = content_parts(getattr(message, "content", None))
        return ChatReply(
            text=well_formed(content),
            model=getattr(response, "model", None) or model,
            finish_reason=getattr(choices[0], "finish_reason", None),
            usage=usage_counts(response.usage) if getattr(response, "usage", None) else {},
            reasoning=well_formed(thinking + reasoning_of(message)),
        )

    def _sampling(self, temperature: float, max_tokens: int | None) -> dict[str, Any]:
        """Temperature and token limit as this server takes them. OpenAI's reasoning models
        (o1, o3, gpt-5) refuse ``max_tokens`` for ``max_completion_tokens`` and any
        temperature but their own."""
        limit = max_tokens or self.settings.max_tokens
        options: dict[str, Any] = {}
        if "temperature" not in self._refused_parameters:
            options["temperature"] = temperature
        if "max_tokens" in self._refused_parameters:
            options["max_completion_tokens"] = limit
        else:
            options["max_tokens"] = limit
        return options

    # -- errors and retries -------------------------------------------------------------

    def _parsed(self, raw: Any) -> Any:
        """The SDK's object for a raw response; a body that is not the protocol's (an HTML
        page from a proxy, broken JSON) is an ``EndpointProtocolError``, not a crash."""
        try:
            return raw.parse()
        except (ValueError, TypeError, AttributeError):
            raise self.protocol_error() from None

    def _call(self, request: Callable[[], Any], *, model: str | None) -> Any:
        attempt = 0
        while True:
            failure, wait = self._attempt(request, model, attempt)
            if failure is None:
                return wait  # the response
            # Raised outside the SDK's `except` so no SDK exception (and no server text that
            # may echo the key) rides along as __context__.
            if isinstance(failure, _Retry):
                if failure.counted:
                    self._sleep(failure.seconds)
                    attempt += 1
                continue
            raise failure

    def _attempt(
        self, request: Callable[[], Any], model: str | None, attempt: int
    ) -> tuple[EndpointError | _Retry | None, Any]:
        import openai

        try:
            return None, request()
        except openai.APITimeoutError:
            return self.timeout_error(), None
        except openai.APIConnectionError as exc:
            return self._unreachable_error(exc), None
        except openai.APIStatusError as exc:
            status = exc.status_code
            refused = refused_parameter(exc) if status == 400 else None
            if refused and refused not in self._refused_parameters:
                self._refused_parameters.add(refused)
                return _Retry(0.0, counted=False), None
            if status not in RETRIED_STATUSES and status < 500:
                return self._status_error(status, model, exc), None
            if status == 429 and error_code(exc) == "insufficient_quota":
                return self._out_of_quota_error(exc), None  # waiting will not help
            wait = retry_after(exc.response.headers)
            if attempt >= self.settings.max_retries or (wait is not None and wait > MAX_RETRY_WAIT):
                return self._gave_up_error(status, attempt, wait, exc), None
            return _Retry(wait if wait is not None else FIRST_BACKOFF * 2**attempt), None

    def _unreachable_error(self, exc: BaseException) -> EndpointUnreachable:
        failure = tls_failure(exc)
        if isinstance(failure, ssl.SSLCertVerificationError):
            why = getattr(failure, "verify_message", None) or "certificate verify failed"
            return EndpointUnreachable(
                f"the endpoint at {self.url} has a certificate that could not be verified "
                f"({why}); give it one your system trusts, or use http:// for a server on "
                "your own machine"
            )
        if failure is not None:
            plain = f"; did you mean http://{self.url.removeprefix('https://')}?"
            return EndpointUnreachable(
                f"the endpoint at {self.url} did not complete a TLS handshake "
                f"({failure.reason or 'TLS error'})"
                + (plain if self.url.startswith("https://") else "")
            )
        return EndpointUnreachable(
            f"no model endpoint answered at {self.url} — is the server running? "
            "(check ASSISTANT_BASE_URL, or unset it for offline extractive answers)"
        )

    def _status_error(
        self, status: int, model: str | None, exc: openai.APIStatusError
    ) -> EndpointError:
        if status in (401, 403):
            if not self._key:
                return AuthenticationFailed(
                    f"the endpoint at {self.url} needs an API key (HTTP {status}); "
                    "set ASSISTANT_API_KEY"
                )
            return AuthenticationFailed(
                f"the endpoint at {self.url} rejected the API key (HTTP {status}); "
                "check ASSISTANT_API_KEY (or OPENAI_API_KEY)"
            )
        if exc.response.history:
            return self._redirected_error(status, exc)
        if status == 404:
            return self._not_found_error(model, exc)
        detail = self._scrub(server_message(exc))
        if status in (400, 413) and CONTEXT_EXCEEDED.search(detail + " " + error_code(exc)):
            return self._context_exceeded_error(status, server_context_size(exc, detail))
        if model and (error_code(exc) == "model_not_found" or UNKNOWN_MODEL.search(detail)):
            # LM Studio and LiteLLM say so with a 400, not a 404.
            return ModelNotFound(
                f"the endpoint at {self.url} has no model {model!r} (HTTP {status}: {detail}); "
                "run `assistant doctor` to list its models and set ASSISTANT_MODEL or --model"
            )
        return EndpointError(
            f"the endpoint at {self.url} refused the request (HTTP {status})"
            + (f": {detail}" if detail else "")
        )

    def _not_found_error(self, model: str | None, exc: openai.APIStatusError) -> EndpointError:
        suggestion = suggested_base_url(self.url)
        # A 404 that names no model is for the path: the base URL is not the OpenAI API's.
        if suggestion and "model" not in server_message(exc).lower():
            return ModelNotFound(
                f"the endpoint at {self.url} answered HTTP 404 (no such path); "
                f"did you mean {suggestion}? (set ASSISTANT_BASE_URL)"
            )
        what = f"no model {model!r}" if model else "no models list"
        return ModelNotFound(
            f"the endpoint at {self.url} has {what} (HTTP 404); run `assistant doctor` to list "
            "its models and set ASSISTANT_MODEL or --model (and check the URL ends in /v1)"
        )

    def _redirected_error(self, status: int, exc: openai.APIStatusError) -> EndpointError:
        """A request the server redirected, then refused: a redirected POST can arrive as a
        GET (301/302), so what failed is the address, not the request."""
        moved = exc.response.history[0]
        url = urlsplit(str(exc.response.request.url))
        # Without its query: a token in it is not for printing.
        target = mask_credentials(f"{url.scheme}://{url.netloc}{url.path}")
        base = suggested_base_url(target) or target
        return EndpointError(
            f"the endpoint at {self.url} redirects (HTTP {moved.status_code}) to {base}, which "
            f"answered HTTP {status}; set ASSISTANT_BASE_URL to the address it moved to"
        )

    def _context_exceeded_error(self, status: int, server_size: int | None) -> EndpointError:
        """The prompt and the answer's max_tokens do not fit the model's context window:
        ``context_window`` claims more room than the server gives, or the model's tokenizer
        counts more tokens than the budget's."""
        configured = self.settings.context_window
        if server_size is not None and server_size < configured:
            return EndpointError(
                f"the model at {self.url} accepts {server_size} tokens, fewer than "
                f"context_window={configured} (HTTP {status}: the question and its sources do "
                f"not fit); set ASSISTANT_CONTEXT_WINDOW={server_size}, or lower "
                "ASSISTANT_MAX_TOKENS or --k"
            )
        return EndpointError(
            f"the question and its sources do not fit the context window of the model at "
            f"{self.url} (HTTP {status}); lower ASSISTANT_CONTEXT_WINDOW (now {configured}) to "
            "the model's context size or less (its tokenizer may count more tokens than ours), "
            "or lower ASSISTANT_MAX_TOKENS or --k"
        )

    def _out_of_quota_error(self, exc: openai.APIStatusError) -> RateLimited:
        detail = self._scrub(server_message(exc))
        return RateLimited(
            f"the endpoint at {self.url} refused the request: the account is out of quota "
            f"(HTTP 429{': ' + detail if detail else ''}); check its plan and billing, or use "
            "another key (ASSISTANT_API_KEY)"
        )

    def _gave_up_error(
        self, status: int, retries: int, wait: float | None, exc: openai.APIStatusError
    ) -> EndpointError:
        tries = f"after {retries} retr{'y' if retries == 1 else 'ies'}"
        if wait is not None and wait > MAX_RETRY_WAIT:
            tries = f"and asks to wait {wait:.0f} s"
        if status == 429:
            return RateLimited(
                f"the endpoint at {self.url} is rate-limiting requests (HTTP 429) {tries}; "
                "wait a while and ask again"
            )
        # The server's reason is often the fix ("model requires more system memory").
        detail = self._scrub(server_message(exc))
        return EndpointServerError(
            f"the endpoint at {self.url} failed with HTTP {status} {tries}"
            + (f" ({detail})" if detail else "")
            + "; the server is in trouble — check its logs or try again later"
        )

    def timeout_error(self) -> EndpointTimeout:
        return EndpointTimeout(
            f"the endpoint at {self.url} did not answer within {self.settings.timeout:g} s; "
            "raise ASSISTANT_TIMEOUT or use a faster model"
        )

    def stall_error(self) -> EndpointTimeout:
        return EndpointTimeout(
            f"the endpoint at {self.url} sent only keep-alive comments for "
            f"{self.settings.timeout:g} s, no answer; the model behind it seems stuck — try "
            "again later, or raise ASSISTANT_TIMEOUT"
        )

    def protocol_error(self) -> EndpointProtocolError:
        return EndpointProtocolError(
            f"the endpoint at {self.url} answered, but not in the OpenAI protocol; check that "
            "ASSISTANT_BASE_URL names an OpenAI-compatible API (usually ending in /v1)"
        )

    def reported_error(self, exc: Any) -> EndpointError:
        """The error a server sent as an event in the middle of a stream."""
        detail = self._scrub(server_message(exc))
        return EndpointError(
            f"the endpoint at {self.url} failed while answering"
            + (f": {detail}" if detail else "; check its logs")
        )

    def cut_off_error(self) -> StreamCutOff:
        return StreamCutOff(
            f"the answer from {self.url} was cut off before the model finished; ask again"
        )

    def _scrub(self, text: str) -> str:
        return text.replace(self._key, "***") if self._key else text


_ENDPOINT_PATH = re.compile(r"/(?:chat/completions|completions|models|embeddings)$")
_VERSION = re.compile(r"/v\d+")


def suggested_base_url(url: str) -> str | None:
    """The base URL that a 404 (or a redirect to ``url``) most likely meant, or None when
    ``url`` already ends as a base URL does: an endpoint's full path pasted as the base URL
    loses it (``…/v1/chat/completions``), Ollama's own API (``…/api``) becomes its OpenAI
    one, and a URL naming no API version gets ``/v1``."""
    parts = urlsplit(url)
    path = _ENDPOINT_PATH.sub("", parts.path.rstrip("/"))
    if path.endswith("/api"):
        path = path[: -len("/api")]
    if not _VERSION.search(path):
        path += "/v1"
    suggestion = f"{parts.scheme}://{parts.netloc}{path}"
    return None if suggestion == url.rstrip("/") else suggestion


def tls_failure(exc: BaseException) -> ssl.SSLError | None:
    """The TLS error behind a connection error, if that is what it was."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLError):
            return current
        seen.add(id(current))
        nested = current.args[0] if current.args else None
        current = (
            current.__cause__
            or current.__context__
            or (nested if isinstance(nested, BaseException) else None)
        )
    return None


@lru_cache(maxsize=8)
def client_for(settings: Settings) -> ChatClient:
    """One client per settings, so the connection pool and the model choice stay warm."""
    return ChatClient(settings)
