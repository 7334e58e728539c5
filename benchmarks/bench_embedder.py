"""Embedder throughput: chunks per second of the bundled MiniLM over the bundled papers'
chunks (582 passages of up to 160 tokens), for several batch sizes and session options.

    python benchmarks/bench_embedder.py            # readable table
    python benchmarks/bench_embedder.py --json

Every configuration embeds the same texts; the vectors are compared with the default
configuration's (max abs difference), so a faster setting that changes results shows it.
Load from other processes skews the figures on a small machine: the load average is printed.
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


def chunk_texts() -> list[str]:
    return [
        c.embedding_text
        for p in load_collection(bundled_seed_files())
        for c in chunk_paper(p, 160, 40)
    ]


def measure(texts: list[str], batch: int, repeats: int) -> tuple[float, np.ndarray]:
    embedding._BATCH = batch
    embedder = embedding.MiniLMEmbedder()
    embedder.embed(texts[:16])  # warm-up
    best = float("inf")
    vectors = np.zeros(0)
    for _ in range(repeats):
        started = time.perf_counter()
        vectors = embedder.embed(texts)
        best = min(best, time.perf_counter() - started)
    return len(texts) / best, vectors


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--batches", default="8,16,32")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    texts = chunk_texts()
    results = []
    reference = None
    for batch in [int(b) for b in args.batches.split(",")]:
        rate, vectors = measure(texts, batch, args.repeats)
        reference = vectors if reference is None else reference
        diff = float(np.abs(vectors - reference).max())
        results.append({"batch": batch, "chunks_per_s": round(rate, 1), "max_abs_diff": diff})
    out = {"chunks": len(texts), "cpus": os.cpu_count(), "load": os.getloadavg(), "runs": results}
    if args.json:
        print(json.dumps(out))
        return
    print(f"{len(texts)} chunks, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    for r in results:
        rate, diff = r["chunks_per_s"], r["max_abs_diff"]
        print(f"  batch {r['batch']:>3}: {rate:>7.1f} chunks/s  (max diff {diff:.2e})")


if __name__ == "__main__":
    main()
