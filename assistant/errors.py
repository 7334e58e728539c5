"""Domain errors. Each message is one line a user can act on; the CLI prints it as is."""

from __future__ import annotations


class AssistantError(Exception):
    """Base of every error the assistant raises on purpose."""


class ConfigError(AssistantError):
    """A setting is missing, malformed or contradicts another."""


class CollectionError(AssistantError):
    """A paper collection file cannot be read; names the file and line."""

    def __init__(self, path: object, line: int | None, problem: str) -> None:
        where = f"{path}:{line}" if line is not None else f"{path}"
        super().__init__(f"{where}: {problem}")
        self.path = path
        self.line = line
        self.problem = problem


class StoreError(AssistantError):
    """The paper store (Chroma or the lexical index) cannot be opened or used."""


class StoreDamaged(StoreError):
    """The store's files are damaged; the message names them and the recovery command."""


class DiskFull(StoreError):
    """No space is left on the disk holding the data directory; nothing was half-written."""

    def __init__(self, directory: object) -> None:
        super().__init__(
            f"no space left on the disk holding {directory}; free some space and run the "
            "command again"
        )
        self.directory = directory


class DataDirectoryNotWritable(StoreError):
    """The data directory, a folder or a file in it cannot be written: a read-only disk, or
    not the user's."""

    def __init__(self, directory: object, reason: str) -> None:
        super().__init__(
            f"cannot write to {directory} ({reason}); make it writable, or set "
            "ASSISTANT_HOME (or --home) to a data directory you can write"
        )
        self.directory = directory
        self.reason = reason


class FilterError(AssistantError):
    """A metadata filter cannot select anything: no paper in the collection has that field."""


class EmbedderMismatch(StoreError):
    """The store was built with another embedder than the one configured."""


class EmbeddingError(AssistantError):
    """The embedder failed (model file, or the embeddings endpoint)."""


class ModelFileError(EmbeddingError):
    """A bundled model file (the embedder's or the answer reader's) is missing, altered or
    cannot be loaded; reinstalling the package brings it back."""


class EndpointError(AssistantError):
    """The model endpoint failed; subclasses say how."""


class EndpointUnreachable(EndpointError):
    """Nothing answered at the configured base URL."""


class AuthenticationFailed(EndpointError):
    """The endpoint rejected the API key (401/403)."""


class ModelNotFound(EndpointError):
    """The endpoint does not serve the configured model (404)."""


class RateLimited(EndpointError):
    """The endpoint kept answering 429 after the retries."""


class EndpointServerError(EndpointError):
    """The endpoint answered 5xx after the retries."""


class EndpointTimeout(EndpointError):
    """The endpoint did not answer within the timeout."""


class EndpointProtocolError(EndpointError):
    """The endpoint answered, but not in the OpenAI protocol (an HTML page, broken JSON)."""


class StreamCutOff(EndpointError):
    """The answer stream ended before the model said it was finished."""


class EvalError(AssistantError):
    """An evaluation question file is malformed."""
