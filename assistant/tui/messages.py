"""Messages the workers post back to the app: the only way results leave a worker thread."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from ..history import Conversation, ConversationSummary
from ..results import Answer, Source


@dataclass
class StoreProgress(Message):
    """First-run ingest progress (``done`` of ``total``)."""

    done: int
    total: int
    label: str


@dataclass
class StoreReady(Message):
    """The store is open; ``paper_count`` papers are indexed."""

    paper_count: int


@dataclass
class StoreWarning(Message):
    """Something the library warns about while the store opens (another ingest is running,
    an interrupted one left papers out)."""

    text: str


@dataclass
class StoreFailed(Message):
    """The store could not be opened or filled; the app stays up and says why."""

    error: str


@dataclass
class AnswerStarted(Message):
    """The answer of ``run_id`` is coming; its question is saved as turn ``turn_id`` of
    ``conversation_id`` (``None`` when the history cannot be written)."""

    run_id: int
    conversation_id: int | None
    turn_id: int | None


@dataclass
class SourcesFound(Message):
    """Retrieval for ``run_id`` is done: the sources the answer will draw on (none when
    the question is declined)."""

    run_id: int
    sources: list[Source]


@dataclass
class AnswerDelta(Message):
    """A piece of the answer text of ``run_id``."""

    run_id: int
    text: str
    restart: bool = False
    """The text shown so far was thinking a chat template opened: start the answer afresh."""


@dataclass
class AnswerDone(Message):
    """The final, citation-checked answer of ``run_id``."""

    run_id: int
    answer: Answer


@dataclass
class AnswerFailed(Message):
    """The answer of ``run_id`` failed with a domain error (one user-facing line)."""

    run_id: int
    error: str


@dataclass
class HistoryNotSaved(Message):
    """An answer was shown but could not be saved: the chat history cannot be written."""

    error: str


@dataclass
class ModelsListed(Message):
    """The endpoint's ``/v1/models``."""

    models: list[str]


@dataclass
class ConversationsListed(Message):
    """Past conversations, most recent first."""

    conversations: list[ConversationSummary]


@dataclass
class ConversationLoaded(Message):
    """A past conversation read back from history."""

    conversation: Conversation


@dataclass
class PaperLoaded(Message):
    """The full record of a source's paper, for the detail screen."""

    source_n: int
    title: str
    abstract: str
    details: str
    passage: str
    cited: bool


@dataclass
class Exported(Message):
    """The conversation was written to ``path``."""

    path: str


@dataclass
class ScreenshotSaved(Message):
    """A picture of the screen was written to ``path``."""

    path: str


@dataclass
class BackgroundFailed(Message):
    """A background task (not an answer) failed; shown as an error notification."""

    error: str


@dataclass
class PastQuestions(Message):
    """Questions of earlier sessions, oldest first (for recall with Up)."""

    questions: list[str]
