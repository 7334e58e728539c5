"""One typed, frozen settings object.

Sources, highest first: explicit overrides (CLI flags, keyword arguments), environment
(``ASSISTANT_<FIELD>``; ``OPENAI_BASE_URL`` / ``OPENAI_API_KEY`` as fall-backs), a TOML file
(``ASSISTANT_CONFIG`` or ``config.toml`` in the user config dir), then the defaults below.
Settings are passed in, never read from globals deep in the code.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, get_type_hints

from .errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

APP_NAME = "paper-assistant"
ENV_PREFIX = "ASSISTANT_"
OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1"


class Secret:
    """A string that never shows itself in repr, str, logs or tracebacks."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)


def _default_home() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_config_file() -> Path:
    """Where the TOML config file is read from unless ``ASSISTANT_CONFIG`` says otherwise."""
    env = os.environ.get(ENV_PREFIX + "CONFIG")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


@dataclass(frozen=True)
class Settings:
    """Everything the assistant can be told. Field names are the TOML keys and env suffixes."""

    home: Path = field(default_factory=_default_home)
    """Data directory: the Chroma store, the lexical index, chat history."""

    chroma_url: str | None = None
    """A Chroma server (``http://127.0.0.1:8000``) instead of the embedded store in ``home``."""

    collection: str = "papers"
    """Name of the Chroma collection (several collections can live in one store)."""

    embedder: str = "minilm"
    """``minilm`` (bundled, offline) or ``openai`` (an OpenAI-compatible /v1/embeddings)."""

    embedding_base_url: str | None = None
    """Base URL of the embeddings endpoint when ``embedder = "openai"`` (e.g. Ollama's)."""

    embedding_model: str | None = None
    """Embedding model name when ``embedder = "openai"`` (e.g. ``nomic-embed-text``)."""

    embedding_api_key: Secret | None = None
    """Key for the embeddings endpoint; falls back to ``api_key``."""

    chunk_tokens: int = 160
    """Chunk size in tiktoken tokens (MiniLM reads at most 256 word pieces)."""

    chunk_overlap: int = 40
    """Tokens shared by neighbouring chunks of one abstract."""

    fusion: str = "convex"
    """How dense and BM25 rankings combine: ``convex`` (normalised scores) or ``rrf``."""

    k: int = 5
    """How many papers an answer draws on."""

    min_relevance: float = 0.25
    """Below this best-passage cosine similarity the question is declined as not covered
    (offline extractive answers ask for more: see ``extractive.MIN_SIMILARITY``)."""

    base_url: str | None = None
    """OpenAI-compatible endpoint. Unset (and no key): offline extractive answers."""

    api_key: Secret | None = None
    """API key for the endpoint; local servers need none."""

    model: str | None = None
    """Model name; unset means the endpoint's first listed model."""

    temperature: float = 0.1
    max_tokens: int = 600
    """Longest answer, in tokens."""

    context_window: int = 8192
    """Tokens the model accepts; the prompt's sources are fitted into it."""

    timeout: float = 60.0
    """Seconds to wait for the endpoint before giving up."""

    max_retries: int = 3
    """Retries on 429/5xx, honouring Retry-After."""

    prompts_dir: Path | None = None
    """A folder of your own prompt files (same names and placeholders as the shipped ones)."""

    theme: str | None = None
    """The chat app's colour theme (saved when you pick one)."""

    config_file: Path | None = None
    """The TOML file these settings were read from, if any (informational)."""

    def __post_init__(self) -> None:
        if self.k < 1:
            raise ConfigError(f"k must be at least 1, got {self.k}")
        if self.chunk_tokens < 16 or not 0 <= self.chunk_overlap < self.chunk_tokens // 2:
            raise ConfigError(
                f"chunk_tokens={self.chunk_tokens}, chunk_overlap={self.chunk_overlap}: "
                "use chunk_tokens >= 16 and an overlap below half of it"
            )
        if self.fusion not in ("convex", "rrf"):
            raise ConfigError(f"fusion must be 'convex' or 'rrf', got {self.fusion!r}")
        if self.embedder not in ("minilm", "openai"):
            raise ConfigError(f"embedder must be 'minilm' or 'openai', got {self.embedder!r}")

    @property
    def mode(self) -> str:
        """``llm`` when an endpoint is configured, else ``extractive``."""
        return "llm" if self.endpoint_url else "extractive"

    @property
    def endpoint_url(self) -> str | None:
        if self.base_url:
            return self.base_url.rstrip("/")
        if self.api_key:
            return OPENAI_DEFAULT_BASE_URL
        return None

    @classmethod
    def load(
        cls,
        overrides: Mapping[str, Any] | None = None,
        *,
        env: Mapping[str, str] | None = None,
        config_file: Path | None = None,
    ) -> Settings:
        """Build settings from overrides > environment > TOML file > defaults."""
        env = os.environ if env is None else env
        config_file = config_file or default_config_file()
        values: dict[str, Any] = {}
        if config_file.is_file():
            values.update(_read_toml(config_file))
            values["config_file"] = config_file
        values.update(_read_env(env))
        values.update({k: v for k, v in (overrides or {}).items() if v is not None})
        return cls.from_mapping(values, origin="settings")

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], *, origin: str) -> Settings:
        hints = get_type_hints(cls)
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ConfigError(
                f"{origin}: unknown setting {unknown[0]!r}; known: {', '.join(sorted(known))}"
            )
        return cls(
            **{name: _coerce(name, hints[name], value, origin) for name, value in values.items()}
        )

    def replace(self, **changes: Any) -> Settings:
        """A copy with some fields changed (values are checked like any other source)."""
        hints = get_type_hints(type(self))
        return dataclasses.replace(
            self, **{k: _coerce(k, hints[k], v, "settings") for k, v in changes.items()}
        )

    def redacted(self) -> dict[str, str]:
        """Every setting as display text, secrets masked."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Secret):
                out[f.name] = "*** (set)" if value else "(empty)"
            else:
                out[f.name] = "(unset)" if value is None else str(value)
        return out


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: not a readable TOML file ({exc}); fix or remove it") from None
    # Allow an [assistant] table or top-level keys.
    return dict(data.get("assistant", data))


def _read_env(env: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for f in fields(Settings):
        if f.name == "config_file":
            continue
        raw = env.get(ENV_PREFIX + f.name.upper())
        if raw not in (None, ""):
            values[f.name] = raw
    for name, fallback in (("base_url", "OPENAI_BASE_URL"), ("api_key", "OPENAI_API_KEY")):
        if name not in values and env.get(fallback):
            values[name] = env[fallback]
    return values


def _coerce(name: str, hint: Any, value: Any, origin: str) -> Any:
    """Turn text from env/TOML/flags into the field's type, or say which setting is wrong."""
    if value is None:
        return None
    text = str(hint)
    try:
        if "Secret" in text:
            return value if isinstance(value, Secret) else Secret(str(value))
        if "Path" in text:
            return Path(value).expanduser()
        if "int" in text and not isinstance(value, bool):
            return int(value)
        if "float" in text:
            return float(value)
        if not isinstance(value, str):
            raise TypeError(f"expected text, got {type(value).__name__}")
        return value
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{origin}: setting {name!r} has a bad value {value!r} ({exc})") from None
