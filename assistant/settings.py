"""One typed, frozen settings object, validated when it is built.

Sources, highest first: explicit overrides (CLI flags, keyword arguments), environment
(``ASSISTANT_<FIELD>``; ``OPENAI_BASE_URL`` / ``OPENAI_API_KEY`` as fall-backs), a TOML file
(``ASSISTANT_CONFIG`` or ``config.toml`` in the user config dir; flat keys, an
``[assistant]`` table, or the group tables ``[retrieval]``, ``[answer]``, ``[endpoint]``,
``[chat]``, ``[store]``), then the defaults below.

Fields are grouped by who reads them (``RetrievalSettings``, ``AnswerSettings``,
``EndpointSettings``, ``ChatSettings``, ``StoreSettings``) so a collaborator can be typed to
take only its group; ``Settings`` inherits them all, so access stays flat (``settings.k``).
pydantic validates types and ranges; ``load`` remembers where each value came from, so a bad
one is reported as a one-line ``ConfigError`` naming the flag, the variable or ``file:line``.
Settings are passed in, never read from globals deep in the code.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from .errors import ConfigError
from .redaction import mask_credentials
from .settings_sources import (
    ENV_PREFIX,
    Origins,
    Secret,
    check_collection_name,
    check_url,
    config_file_exists,
    default_config_file,
    describe_error,
    read_env,
    read_toml,
    to_secret,
    to_user_path,
)

APP_NAME = "paper-assistant"
OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1"

__all__ = [
    "ABSTENTION_SIGNALS",
    "APP_NAME",
    "ENV_PREFIX",
    "AnswerSettings",
    "ChatSettings",
    "EndpointSettings",
    "RetrievalSettings",
    "Secret",
    "Settings",
    "StoreSettings",
    "Weights",
    "default_config_file",
]


# The origins of the values being validated, for the error message (see ``from_mapping``).
_ORIGINS: ContextVar[Mapping[str, str]] = ContextVar(
    "settings_origins", default=MappingProxyType({})
)

SecretText = Annotated[Secret, BeforeValidator(to_secret)]
UserPath = Annotated[Path, BeforeValidator(to_user_path)]
_GROUP = ConfigDict(frozen=True, use_attribute_docstrings=True, arbitrary_types_allowed=True)


ABSTENTION_SIGNALS = (
    "best_cosine",
    "bm25_top",
    "bm25_margin",
    "coverage",
    "top_coverage",
    "rare_term_found",
    "unknown_share",
    "sentence_coverage",
    "top_missing_rarity",
    "name_missing",
    "focus_missing",
    "quantity_unmet",
    "answer_name_missing",
    "detail_unmet",
    "reader_logit",
    "best_cosine_squared",
    "top_coverage_squared",
    "cosine_by_coverage",
)
"""The retrieval signals the abstention model can weigh (``answering.abstention.Signals``)."""


class Weights(Mapping[str, float]):
    """Named weights (and a ``bias``) of the abstention model: read-only and hashable, so
    settings stay frozen; shown as ``name=weight, ...`` (the form the environment takes)."""

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, float]) -> None:
        self._values = {name: float(value) for name, value in values.items()}

    def __getitem__(self, name: str) -> float:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._values.items())))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self._values) == dict(other)

    def __repr__(self) -> str:
        return ", ".join(f"{name}={value:.4g}" for name, value in self._values.items())

    __str__ = __repr__


def _to_weights(value: Any) -> Any:
    """``"name=weight, ..., bias=b"`` (environment, TOML string) or a table/mapping."""
    if isinstance(value, Weights):
        return value
    if isinstance(value, str):
        pairs = [item.partition("=") for item in value.replace(";", ",").split(",")]
        if any(not sep for item, sep, _ in pairs if item.strip()):
            raise ValueError("write name=number pairs separated by commas")
        value = {name.strip(): number.strip() for name, _, number in pairs if name.strip()}
    if not isinstance(value, Mapping):
        raise ValueError("expected name=number pairs or a table of numbers")
    if not value:
        # Nothing would weigh anything: every question would score one half.
        raise ValueError("it names no signal; write name=number pairs, or leave it out")
    known = (*ABSTENTION_SIGNALS, "bias")
    weights: dict[str, float] = {}
    for name, number in value.items():
        if name not in known:
            raise ValueError(f"{name!r} is no signal; names: {', '.join(known)}")
        try:
            weights[name] = float(number)
        except (TypeError, ValueError):
            raise ValueError(f"{name} has a bad number {number!r}") from None
        if weights[name] != weights[name] or abs(weights[name]) == float("inf"):
            raise ValueError(f"{name} must be a finite number")
    return Weights(weights)


AbstentionWeights = Annotated[Weights, BeforeValidator(_to_weights)]
DEFAULT_ABSTENTION_WEIGHTS = Weights(
    {
        "best_cosine": -6.564,
        "top_coverage": 11.83,
        "unknown_share": -4.138,
        "name_missing": -2.108,
        "detail_unmet": -3.123,
        "reader_logit": 1.609,
        "best_cosine_squared": 15.38,
        "top_coverage_squared": -3.443,
        "cosine_by_coverage": -11.29,
        "bias": 1.963,
    }
)
"""Fitted on the development questions (``benchmarks/fit_abstention.py`` prints new ones)."""
DEFAULT_ABSTENTION_MODEL_WEIGHTS = Weights(
    {
        "best_cosine": -4.704,
        "top_coverage": 12.13,
        "unknown_share": -4.521,
        "name_missing": -2.128,
        "detail_unmet": -3.024,
        "best_cosine_squared": 15.22,
        "top_coverage_squared": -3.919,
        "cosine_by_coverage": -10.76,
        "bias": -0.2151,
    }
)
"""The same, without the answer reader (``benchmarks/fit_abstention.py`` prints both)."""


def _default_home() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


class StoreSettings(BaseModel):
    """Where the papers are kept and how they are cut and embedded."""

    model_config = _GROUP

    home: UserPath = Field(default_factory=_default_home)
    """Data directory: the Chroma store, the lexical index, chat history."""
    chroma_url: str | None = None
    """A Chroma server (``http://127.0.0.1:8000``) instead of the embedded store in ``home``."""
    collection: str = "papers"
    """Name of the Chroma collection (several collections can live in one store)."""
    embedder: Literal["minilm", "openai"] = "minilm"
    """``minilm`` (bundled, offline) or ``openai`` (an OpenAI-compatible /v1/embeddings)."""
    embedding_base_url: str | None = None
    """Base URL of the embeddings endpoint when ``embedder = "openai"`` (e.g. Ollama's)."""
    embedding_model: str | None = None
    """Embedding model name when ``embedder = "openai"`` (e.g. ``nomic-embed-text``)."""
    embedding_api_key: SecretText | None = None
    """Key for the embeddings endpoint; falls back to ``api_key``."""
    chunk_tokens: int = Field(160, ge=16)
    """Chunk size in tiktoken tokens (MiniLM reads at most 256 word pieces)."""
    chunk_overlap: int = Field(40, ge=0)
    """Tokens shared by neighbouring chunks of one abstract (below half of ``chunk_tokens``)."""


class RetrievalSettings(BaseModel):
    """How papers are found and ranked."""

    model_config = _GROUP

    fusion: Literal["convex", "rrf"] = "convex"
    """How dense and BM25 rankings combine: ``convex`` (normalised scores) or ``rrf``."""
    dense_weight: float = Field(0.4, ge=0.0, le=1.0, allow_inf_nan=False)
    """Share of the dense score in convex fusion (BM25 gets the rest); MiniLM is small, so
    lexical evidence gets slightly more say. Flat between 0.3 and 0.5 on the dev set."""
    k: int = Field(5, ge=1, le=100)
    """How many papers an answer draws on."""
    several_papers_k: int = Field(20, ge=1, le=100)
    """Papers read (when ``--k`` is not given) for a question that asks for several ("which
    papers ..."): its answers are spread over more ranks than one paper's are."""
    exact_search_max_chunks: int = Field(20_000, ge=0)
    """Up to this many chunks, dense search compares the question with every chunk (exact,
    the same in every run; the vectors are held in memory, 1.5 KB a chunk with MiniLM); a larger
    collection is searched with Chroma's HNSW index (approximate, faster when large)."""


class AnswerSettings(BaseModel):
    """When to answer, how the offline answerer picks its quotes, how claims are checked."""

    model_config = _GROUP

    min_relevance: float = Field(0.0, ge=-1.0, le=1.0, allow_inf_nan=False)
    """Below this best-passage cosine similarity the question is always declined, whatever
    the abstention model says (a hard floor; the model decides above it)."""
    abstention_weights: AbstentionWeights = DEFAULT_ABSTENTION_WEIGHTS
    """The abstention model: ``signal=weight`` pairs and ``bias=b`` of a logistic model over
    the retrieval signals (``assistant/answering/abstention.py``), fitted on the development
    questions by ``benchmarks/fit_abstention.py``. Text (``"best_cosine=6.3, bias=-3"``) or a
    TOML table; signals not named weigh 0."""
    abstention_model_weights: AbstentionWeights = DEFAULT_ABSTENTION_MODEL_WEIGHTS
    """The abstention model with a model, in the same form: fitted without the answer
    reader's signal (a model reads the sources itself, so the reader is not asked and the
    request goes out sooner), and read as if an on-topic paper gave the detail asked for."""
    abstention_threshold: float = Field(0.5468, ge=0.0, le=1.0, allow_inf_nan=False)
    """Offline (extractive) answers are attempted when the abstention score reaches this:
    strict, since nothing else reads the quotes before the user does."""
    abstention_model_threshold: float = Field(0.1588, ge=0.0, le=1.0, allow_inf_nan=False)
    """With a model, answers are attempted when the abstention score reaches this: lenient,
    since the model reads the sources and can decline itself."""
    extractive_max_sentences: int = Field(5, ge=1, le=50)
    """Sentences in an offline answer: enough for a multi-paper question, short to read."""
    extractive_max_per_paper: int = Field(5, ge=1, le=50)
    """Sentences one paper may give to an answer about one subject: the paper retrieval ranks
    first usually holds the whole answer (lists and comparisons have their own caps)."""
    extractive_relative_floor: float = Field(0.6, ge=0.0, le=1.0, allow_inf_nan=False)
    """A sentence scoring below this share of the best one adds noise, not facts."""
    extractive_mmr_lambda: float = Field(0.7, ge=0.0, le=1.0, allow_inf_nan=False)
    """Relevance against redundancy in the selection (1.0 would ignore redundancy)."""
    extractive_term_weight: float = Field(0.3, ge=0.0, allow_inf_nan=False)
    """Weight of the question's words found in a sentence, next to its cosine similarity."""
    extractive_paper_weight: float = Field(3.0, ge=0.0, allow_inf_nan=False)
    """Penalty per unit of similarity a sentence's paper lies below the best retrieved one."""
    extractive_quotes_per_compared_paper: int = Field(3, ge=1, le=10)
    """Quotes from each paper a comparison names ("How does X differ from Y?")."""
    extractive_named_paper_quotes: int = Field(2, ge=1, le=10)
    """Quotes guaranteed from the one paper a question names when other papers may answer
    too (it does not rank first, or a second subject is joined: "What do DeCLUTR and
    contrastive methods learn?")."""
    extractive_only_paper_quotes: int = Field(4, ge=1, le=10)
    """Quotes guaranteed from the one paper a question names when the question is about it
    alone (it ranks first and nothing else is joined: "What is LUKE?")."""
    extractive_extra_for_several: int = Field(6, ge=0, le=20)
    """Sentences beyond one per paper in the answer to a "which papers" question."""
    extractive_follow_share: float = Field(0.5, ge=0.0, le=1.0, allow_inf_nan=False)
    """Share of a sentence's lead in matching the question passed on to the next sentence of
    its source (an abstract often names the problem in one sentence, the answer in the next)."""
    extractive_second_follow_share: float = Field(0.3, ge=0.0, le=1.0, allow_inf_nan=False)
    """The same share passed on to the sentence after that one."""
    extractive_solution_bonus: float = Field(0.15, ge=0.0, allow_inf_nan=False)
    """Extra for a sentence that opens as a solution ("To address this, ...") right after a
    sentence that matches the question better."""
    extractive_kind_bonus: float = Field(0.08, ge=0.0, allow_inf_nan=False)
    """Bonus for a sentence of the kind the question asks for (a number, a method)."""
    extractive_echo_penalty: float = Field(0.3, ge=0.0, allow_inf_nan=False)
    """Penalty for a sentence with (almost) no word beyond the question's and the title's."""
    extractive_min_new_words: int = Field(2, ge=0, le=20)
    """Fewer content words than this beyond the question and the title make an echo."""
    claim_support_threshold: float = Field(0.58, ge=0.0, le=1.0, allow_inf_nan=False)
    """A sentence of an answer whose support (its best match with a passage of a source it
    cites) reaches this is ``supported``; below it, the answer marks the sentence unsupported.
    Tuned with the bundled MiniLM embedder on ``eval/claims.jsonl``'s dev split."""
    claim_cosine_weight: float = Field(0.6, ge=0.0, le=1.0, allow_inf_nan=False)
    """Weight of the embedder's cosine in a claim's support; the rest goes to the share of the
    claim's content words found in the passage."""
    claim_window_sentences: int = Field(2, ge=1, le=10)
    """Longest run of consecutive source sentences a claim is compared with (a model's
    sentence often merges two of the abstract's)."""
    full_abstract_max_tokens: int = Field(600, ge=16)
    """Longer texts (full papers rather than abstracts) are represented by their best
    passages instead of in full."""
    prompts_dir: UserPath | None = None
    """A folder of your own prompt files (``system.md``, ``answer.md``, ``condense.md``);
    each replaces the shipped one of that name, placeholders checked the same way."""


class EndpointSettings(BaseModel):
    """The OpenAI-compatible model endpoint."""

    model_config = _GROUP

    base_url: str | None = None
    """OpenAI-compatible endpoint. Unset (and no key): offline extractive answers."""
    api_key: SecretText | None = None
    """API key for the endpoint; local servers need none."""
    model: str | None = None
    """Model name; unset means the endpoint's first listed model."""
    temperature: float = Field(0.1, ge=0.0, le=2.0, allow_inf_nan=False)
    """Sampling temperature (0–2; low keeps answers close to the sources)."""
    max_tokens: int = Field(600, ge=1)
    """Longest answer, in tokens."""
    condense_max_tokens: int = Field(1024, ge=8)
    """Longest reply to the request to rewrite a follow-up as a standalone question, in tokens:
    the rewrite is one line, but a reasoning model thinks first (a reply cut at this limit
    is not used; the follow-up is asked as typed)."""
    context_window: int = Field(8192, ge=256)
    """Tokens the model accepts; the prompt's sources are fitted into it."""
    timeout: float = Field(60.0, gt=0.0, le=86400.0, allow_inf_nan=False)
    """Seconds to wait for the endpoint before giving up (at most a day)."""
    max_retries: int = Field(3, ge=0)
    """Retries on 429/5xx, honouring Retry-After."""


class ChatSettings(BaseModel):
    """The chat app."""

    model_config = _GROUP

    theme: str | None = None
    """The chat app's Textual theme (e.g. ``textual-dark``); unset means Textual's default."""


# pydantic lists inherited fields from the last base to the first: this order shows them as
# store, retrieval, answer, endpoint, chat (``assistant doctor`` prints them so).
class Settings(
    ChatSettings,
    EndpointSettings,
    AnswerSettings,
    RetrievalSettings,
    StoreSettings,
    BaseSettings,
):
    """Everything the assistant can be told. Field names are the TOML keys and env suffixes."""

    # Sources are layered by ``load`` (not by pydantic-settings) so that every value keeps
    # its origin for error messages; constructing ``Settings(...)`` reads nothing else.
    model_config = SettingsConfigDict(
        frozen=True,
        use_attribute_docstrings=True,
        arbitrary_types_allowed=True,
        extra="forbid",
        env_prefix=ENV_PREFIX,
    )

    config_file: UserPath | None = None
    """The TOML file these settings were read from, if any (informational)."""

    URL_FIELDS: ClassVar[tuple[str, ...]] = ("base_url", "chroma_url", "embedding_base_url")

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as exc:
            raise describe_error(exc, values, _ORIGINS.get(), type(self).model_fields) from None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)

    @field_validator("*", mode="before")
    @classmethod
    def _no_true_or_false(cls, value: Any) -> Any:
        # No setting is a switch: TOML's ``k = true`` would otherwise pass as the number 1.
        if isinstance(value, bool):
            raise ValueError("no setting takes true or false; give a number or a text")
        return value

    @field_validator("embedder", "fusion", mode="before")
    @classmethod
    def _choice_in_any_case(cls, value: Any) -> Any:
        # "MiniLM", " RRF": the name as papers and docs write it is the same choice.
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator(*URL_FIELDS)
    @classmethod
    def _url_parses(cls, value: str | None) -> str | None:
        # Spaces pasted around a URL would reach the HTTP client and read as "unreachable".
        return None if value is None else check_url(value.strip())

    @field_validator("collection")
    @classmethod
    def _collection_name_usable(cls, value: str) -> str:
        return check_collection_name(value)

    @model_validator(mode="after")
    def _chunks_overlap_less_than_half(self) -> Settings:
        if self.chunk_overlap >= self.chunk_tokens // 2:
            raise ValueError(
                f"chunk_tokens={self.chunk_tokens}, chunk_overlap={self.chunk_overlap}: "
                "use chunk_tokens >= 16 and an overlap below half of it"
            )
        return self

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
        from_flags: bool = False,
    ) -> Settings:
        """Build settings from overrides > environment > TOML file > defaults (``None``
        overrides nothing). Errors name an override as ``overrides['k']``, or as the flag
        ``--k`` when ``from_flags`` (the command line)."""
        if overrides is not None and not isinstance(overrides, Mapping):
            raise ConfigError(
                "Settings.load takes a mapping of setting names to values, e.g. "
                f"Settings.load({{'k': 3}}), not a {type(overrides).__name__}"
            )
        env = os.environ if env is None else env
        config_file = config_file or default_config_file(env)
        values: dict[str, Any] = {}
        origins: Origins = {}
        # A folder (or anything else) there is reported by ``read_toml``, not skipped.
        if config_file_exists(config_file):
            file_values, file_origins = read_toml(config_file)
            values.update(file_values)
            origins.update(file_origins)
            values["config_file"] = config_file
        env_values, env_origins = read_env(env, cls.model_fields)
        values.update(env_values)
        origins.update(env_origins)
        for name, value in (overrides or {}).items():
            if value is not None:
                values[name] = value
                origins[name] = (
                    "--" + name.replace("_", "-") if from_flags else f"overrides[{name!r}]"
                )
        return cls.from_mapping(values, origins=origins)

    @classmethod
    def from_mapping(
        cls, values: Mapping[str, Any], *, origin: str = "settings", origins: Origins | None = None
    ) -> Settings:
        """Settings from plain values; errors name ``origins[field]`` (else ``origin``)."""
        labels = {name: origin for name in values} | dict(origins or {})
        token = _ORIGINS.set(labels)
        try:
            return cls(**values)
        finally:
            _ORIGINS.reset(token)

    def replace(self, **changes: Any) -> Settings:
        """A copy with some fields changed (values are checked like any other source)."""
        current = {name: getattr(self, name) for name in type(self).model_fields}
        return type(self).from_mapping({**current, **changes}, origin="settings")

    def redacted(self) -> dict[str, str]:
        """Every setting as display text, secrets and URL credentials masked."""
        out = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, Secret):
                out[name] = "*** (set)" if value else "(empty)"
            else:
                out[name] = "(unset)" if value is None else mask_credentials(str(value))
        return out

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v}" for k, v in self.redacted().items())
        return f"Settings({shown})"

    __str__ = __repr__
