"""Ask questions of a collection of paper abstracts; get grounded answers with citations.

    >>> from assistant import answer, search, stream_answer
    >>> answer("What does DAE-Talker use instead of facial landmarks?").text
    >>> stream = stream_answer("Which papers use diffusion for talking heads?")
    >>> stream.sources           # known before the first word is written
    >>> for text in stream: print(text, end="")
    >>> stream.answer.citations

The CLI (``assistant``) and the chat app are users of this surface.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .errors import (
    AssistantError,
    AuthenticationFailed,
    CollectionError,
    ConfigError,
    DataDirectoryNotWritable,
    DiskFull,
    EmbedderMismatch,
    EmbeddingError,
    EndpointError,
    EndpointProtocolError,
    EndpointServerError,
    EndpointTimeout,
    EndpointUnreachable,
    EvalError,
    FilterError,
    ModelFileError,
    ModelNotFound,
    RateLimited,
    StoreDamaged,
    StoreError,
    StreamCutOff,
)
from .results import Answer, Claim, Hit, Source, Turn

if TYPE_CHECKING:
    from .answering import AnswerStream, AskRequest
    from .service import Assistant
    from .settings import Settings

# Imported on first use: `assistant --help` and light scripts need neither numpy nor pydantic.
_LAZY = {
    "AnswerStream": "assistant.answering",
    "AskRequest": "assistant.answering",
    "Assistant": "assistant.service",
    "Settings": "assistant.settings",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'assistant' has no attribute {name!r}")


__all__ = [
    "Answer",
    "AnswerStream",
    "AskRequest",
    "Assistant",
    "AssistantError",
    "AuthenticationFailed",
    "Claim",
    "CollectionError",
    "ConfigError",
    "DataDirectoryNotWritable",
    "DiskFull",
    "EmbedderMismatch",
    "EmbeddingError",
    "EndpointError",
    "EndpointProtocolError",
    "EndpointServerError",
    "EndpointTimeout",
    "EndpointUnreachable",
    "EvalError",
    "FilterError",
    "Hit",
    "ModelFileError",
    "ModelNotFound",
    "RateLimited",
    "Settings",
    "Source",
    "StoreDamaged",
    "StoreError",
    "StreamCutOff",
    "Turn",
    "aanswer",
    "answer",
    "search",
    "stream_answer",
]


@lru_cache(maxsize=4)
def _assistant_for(settings: Settings) -> Assistant:
    # Keeps the embedder and store warm across calls in one process.
    from .service import Assistant

    return Assistant(settings)


def _assistant(settings: Settings | None, model: str | None = None) -> Assistant:
    from .settings import Settings

    if settings is not None and not isinstance(settings, Settings):
        # A dict would fail as "unhashable type" in the cache below.
        raise ConfigError(
            "settings must be a Settings, e.g. settings=Settings.load({'k': 3}); "
            f"got {type(settings).__name__}"
        )
    assistant = _assistant_for(settings or Settings.load())
    if isinstance(model, str) and model.strip() and assistant.settings.endpoint_url is None:
        # As `assistant ask --model` warns: a script asking for a model is told it got none.
        warnings.warn(
            f"model={model!r} is ignored: no model endpoint is configured (answers are "
            "extractive); set ASSISTANT_BASE_URL or Settings.load({'base_url': ...})",
            UserWarning,
            stacklevel=3,
        )
    return assistant


def search(
    question: str,
    k: int | None = None,
    *,
    where: Mapping[str, Any] | None = None,
    settings: Settings | None = None,
) -> list[Hit]:
    """The ``k`` papers most relevant to ``question`` (default: the ``k`` setting, as
    ``assistant search``), best first (hybrid dense + BM25)."""
    return _assistant(settings).search(question, k=k, where=where)


def answer(
    question: str,
    *,
    k: int | None = None,
    model: str | None = None,
    history: Sequence[Turn] = (),
    where: Mapping[str, Any] | None = None,
    settings: Settings | None = None,
) -> Answer:
    """A grounded answer with validated ``[n]`` citations (extractive when no model is set)."""
    return _assistant(settings, model).answer(
        question, k=k, model=model, history=history, where=where
    )


def stream_answer(
    question: str,
    *,
    k: int | None = None,
    model: str | None = None,
    history: Sequence[Turn] = (),
    where: Mapping[str, Any] | None = None,
    settings: Settings | None = None,
) -> AnswerStream:
    """The answer as it is written: iterate for text deltas (citation-checked), read
    ``.sources`` as soon as retrieval is done and ``.answer`` for the final ``Answer``;
    ``.close()`` cancels."""
    return _assistant(settings, model).stream_answer(
        question, k=k, model=model, history=history, where=where
    )


async def aanswer(
    question: str,
    *,
    k: int | None = None,
    model: str | None = None,
    history: Sequence[Turn] = (),
    where: Mapping[str, Any] | None = None,
    settings: Settings | None = None,
) -> Answer:
    """``answer`` for asyncio code."""
    return await _assistant(settings, model).aanswer(
        question, k=k, model=model, history=history, where=where
    )
