"""Retrieval benchmark: ingest, re-ingest, warm search, a 100k-chunk store, `--help`.

Standard-library timing only (``time.perf_counter``, ``statistics``). Every measurement runs
against a fresh temporary ``ASSISTANT_HOME``; nothing outside it is touched.

    python benchmarks/bench_retrieval.py                 # readable table
    python benchmarks/bench_retrieval.py --json          # one JSON object on stdout
    python benchmarks/bench_retrieval.py --chunks 20000  # smaller synthetic store

The synthetic store holds random unit vectors (dim 384) and passages whose words are drawn
from the bundled abstracts with their natural frequencies, so BM25 sees realistic postings
lists; it is written through ``PaperStore.write_papers``, the path ingest uses. Queries are
the questions of the dev evaluation set, embedded by the real MiniLM model.

Load from other processes skews every figure on a 2-core machine: the load average is
recorded before and after each section; rerun when it is well above 0.5.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DEV_QUESTIONS = REPO / "eval" / "dev_questions.jsonl"
sys.path.insert(0, str(REPO))  # run from a checkout without installing

from assistant.evaluation.metrics import percentile  # noqa: E402

DIM = 384
CHUNKS_PER_SYNTHETIC_PAPER = 4
WORDS_PER_SYNTHETIC_CHUNK = 110  # about what a 160-token chunk of an abstract holds
WRITE_BATCH_PAPERS = 500  # 2,000 chunks a call: below Chroma's max batch size


@dataclass
class Result:
    """One measured figure, with the issue's target where it has one."""

    name: str
    value: float
    unit: str
    target: float | None = None
    detail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.value <= self.target


# -- helpers ---------------------------------------------------------------------------------


def load_avg() -> float:
    return os.getloadavg()[0]


def log(message: str) -> None:
    """Progress goes to stderr so ``--json`` stdout stays one object."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@contextmanager
def isolated_home(prefix: str) -> Iterator[Path]:
    """A fresh ASSISTANT_HOME, with no user config file or endpoint leaking in."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        home = Path(tmp)
        saved = {
            k: os.environ.pop(k)
            for k in list(os.environ)
            if k.startswith(("ASSISTANT_", "OPENAI_"))
        }
        os.environ["ASSISTANT_HOME"] = str(home / "home")
        os.environ["ASSISTANT_CONFIG"] = str(home / "no-config.toml")
        try:
            yield home / "home"
        finally:
            for key in ("ASSISTANT_HOME", "ASSISTANT_CONFIG"):
                os.environ.pop(key, None)
            os.environ.update(saved)


def load_questions() -> list[str]:
    """Every question of the repository's dev set; exits if the file is missing."""
    from assistant.evaluation import load_questions as load_eval_questions

    if not DEV_QUESTIONS.is_file():
        sys.exit(f"bench_retrieval: {DEV_QUESTIONS} is missing; run from a full checkout")
    return [q.question for q in load_eval_questions(DEV_QUESTIONS)]


def time_calls(fn: Callable[[str], object], queries: Sequence[str], rounds: int) -> list[float]:
    """Seconds per call of ``fn(query)``, every query ``rounds`` times, in shuffled order."""
    order = [q for _ in range(rounds) for q in queries]
    random.Random(7).shuffle(order)
    samples = []
    for query in order:
        started = time.perf_counter()
        fn(query)
        samples.append(time.perf_counter() - started)
    return samples


def latency_results(
    prefix: str, samples: Sequence[float], p50_target: float | None, detail: str
) -> list[Result]:
    ms = [s * 1000 for s in samples]
    return [
        Result(f"{prefix} p50", statistics.median(ms), "ms", p50_target, detail, {"n": len(ms)}),
        Result(f"{prefix} p95", percentile(ms, 95) or 0.0, "ms", None, detail),
        Result(f"{prefix} max", max(ms), "ms", None, detail),
    ]


def stage_breakdown(
    store: Any, queries: Sequence[str], rounds: int, limit: int
) -> dict[str, float]:
    """Median ms of each stage of ``retrieve_papers``, timed separately (same calls it makes)."""
    embed_ms, dense_ms, lexical_ms = [], [], []
    for query in [q for _ in range(rounds) for q in queries]:
        t0 = time.perf_counter()
        vector = store.embedder.embed([query])[0]
        t1 = time.perf_counter()
        store.dense_search(vector, limit)
        t2 = time.perf_counter()
        store.lexical.search(query, limit)
        t3 = time.perf_counter()
        embed_ms.append((t1 - t0) * 1000)
        dense_ms.append((t2 - t1) * 1000)
        lexical_ms.append((t3 - t2) * 1000)
    return {
        "embed query p50 ms": statistics.median(embed_ms),
        "dense (Chroma) p50 ms": statistics.median(dense_ms),
        "lexical (FTS5 BM25) p50 ms": statistics.median(lexical_ms),
        "lexical p95 ms": percentile(lexical_ms, 95),
    }


# -- the sections ----------------------------------------------------------------------------


def bench_ingest_and_search(questions: Sequence[str], rounds: int) -> list[Result]:
    """(1) cold ingest, (2) unchanged re-ingest, (3) warm in-process search."""
    from assistant import Assistant
    from assistant.retrieval import CANDIDATES_PER_PAPER, MIN_CANDIDATES
    from assistant.settings import Settings

    results: list[Result] = []
    with isolated_home("bench-ingest-"):
        load_before = load_avg()
        started = time.perf_counter()
        assistant = Assistant(Settings.load())
        embedder = assistant.embedder  # loading the model is part of a cold start
        model_s = time.perf_counter() - started
        report = assistant.ingest()
        cold_s = time.perf_counter() - started
        log(f"cold ingest {cold_s:.1f} s ({report.summary()})")
        results.append(
            Result(
                "cold ingest, 290 papers",
                cold_s,
                "s",
                20.0,
                f"model load {model_s:.2f} s + ingest {report.seconds:.1f} s; "
                f"{report.chunks} chunks",
                {
                    "model_load_s": model_s,
                    "ingest_s": report.seconds,
                    "chunks": report.chunks,
                    "papers": report.added,
                    "load_before": load_before,
                    "load_after": load_avg(),
                },
            )
        )

        # A new process would reopen the store; a new Assistant over the same home does too.
        reingest = []
        for _ in range(3):
            fresh = Assistant(Settings.load(), embedder=embedder)
            started = time.perf_counter()
            again = fresh.ingest()
            reingest.append(time.perf_counter() - started)
            assert again.added == again.updated == again.removed == 0, again.summary()
        results.append(
            Result(
                "re-ingest, nothing changed",
                statistics.median(reingest),
                "s",
                1.0,
                f"median of 3 (store reopened each time); min {min(reingest):.2f} s",
                {"samples_s": reingest},
            )
        )

        for question in questions[:5]:  # warm up: caches, ONNX arena, SQLite pages
            assistant.search(question)
        load_before = load_avg()
        samples = time_calls(assistant.search, questions, rounds)
        detail = (
            f"{len(questions)} questions x {rounds}, k=10, load {load_before:.1f}->{load_avg():.1f}"
        )
        results += latency_results("warm Assistant.search (290 papers)", samples, 30.0, detail)
        stages = stage_breakdown(
            assistant.store, questions, 1, max(MIN_CANDIDATES, 10 * CANDIDATES_PER_PAPER)
        )
        results.append(
            Result(
                "  stages (290 papers)",
                sum(v for k, v in stages.items() if "p95" not in k),
                "ms",
                None,
                "; ".join(f"{k} {v:.1f}" for k, v in stages.items()),
                stages,
            )
        )
    return results


def synthetic_vocabulary() -> list[str]:
    """Every word of the bundled abstracts, repeats kept: sampling it follows real frequencies."""
    from assistant.resources import bundled_seed_files
    from assistant.sources import load_collection

    words: list[str] = []
    for paper in load_collection(bundled_seed_files()):
        words += re.findall(r"[\w'-]+", paper.abstract)
    return words


def build_synthetic_store(store: Any, n_chunks: int, seed: int = 42) -> float:
    """Write ``n_chunks`` synthetic chunks through ``PaperStore.write_papers``; seconds taken."""
    from assistant.chunking import Chunk
    from assistant.collection import Paper

    rng = random.Random(seed)
    nprng = np.random.default_rng(seed)
    vocabulary = synthetic_vocabulary()
    n_papers = -(-n_chunks // CHUNKS_PER_SYNTHETIC_PAPER)
    started = time.perf_counter()
    written = 0
    for first in range(0, n_papers, WRITE_BATCH_PAPERS):
        papers: list[Paper] = []
        chunks: list[Chunk] = []
        for i in range(first, min(first + WRITE_BATCH_PAPERS, n_papers)):
            pid = f"synthetic{i:07d}"
            title = " ".join(rng.choices(vocabulary, k=9)).capitalize()
            count = min(CHUNKS_PER_SYNTHETIC_PAPER, n_chunks - written - len(chunks))
            texts = [
                " ".join(rng.choices(vocabulary, k=WORDS_PER_SYNTHETIC_CHUNK)) + "."
                for _ in range(count)
            ]
            papers.append(Paper(pid, title, " ".join(texts), year=2015 + i % 10))
            chunks += [Chunk(f"{pid}:{j}", pid, title, j, text) for j, text in enumerate(texts)]
        vectors = nprng.standard_normal((len(chunks), DIM), dtype=np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        store.write_papers(papers, [f"synthetic:{p.paper_id}" for p in papers], chunks, vectors)
        written += len(chunks)
        if (first // WRITE_BATCH_PAPERS) % 10 == 0:
            elapsed = time.perf_counter() - started
            log(f"  synthetic store: {written:,}/{n_chunks:,} chunks, {elapsed:.0f} s")
    return time.perf_counter() - started


def bench_large_store(questions: Sequence[str], n_chunks: int, rounds: int) -> list[Result]:
    """(4) search latency with ``n_chunks`` chunks in the store."""
    from assistant.embedding import MiniLMEmbedder
    from assistant.retrieval import CANDIDATES_PER_PAPER, MIN_CANDIDATES, retrieve_papers
    from assistant.settings import Settings
    from assistant.store import PaperStore

    with isolated_home("bench-large-"):
        store = PaperStore.open(Settings.load(), MiniLMEmbedder())
        load_before = load_avg()
        build_s = build_synthetic_store(store, n_chunks)
        log(f"built {n_chunks:,}-chunk store in {build_s:.0f} s")
        results = [
            Result(
                f"build {n_chunks:,}-chunk synthetic store",
                build_s,
                "s",
                None,
                f"write_papers in batches of {WRITE_BATCH_PAPERS * CHUNKS_PER_SYNTHETIC_PAPER} "
                f"chunks; load {load_before:.1f}->{load_avg():.1f}",
                {"chunks_per_s": n_chunks / build_s},
            )
        ]

        started = time.perf_counter()
        retrieve_papers(store, questions[0], k=10)  # first query loads the paper manifest
        first_ms = (time.perf_counter() - started) * 1000
        for question in questions[1:5]:
            retrieve_papers(store, question, k=10)
        load_before = load_avg()
        samples = time_calls(lambda q: retrieve_papers(store, q, k=10), questions, rounds)
        detail = (
            f"{len(questions)} questions x {rounds}, k=10, "
            f"load {load_before:.1f}->{load_avg():.1f}; first query {first_ms:.0f} ms"
        )
        results += latency_results(f"search, {n_chunks:,} chunks", samples, 100.0, detail)
        stages = stage_breakdown(
            store, questions, 1, max(MIN_CANDIDATES, 10 * CANDIDATES_PER_PAPER)
        )
        results.append(
            Result(
                f"  stages ({n_chunks:,} chunks)",
                sum(v for k, v in stages.items() if "p95" not in k),
                "ms",
                None,
                "; ".join(f"{k} {v:.1f}" for k, v in stages.items()),
                stages,
            )
        )
        store.lexical.close()
    return results


def bench_help(runs: int = 7) -> list[Result]:
    """(5) wall time of ``assistant --help`` in a new process."""
    script = Path(sys.executable).with_name("assistant")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "assistant"]
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([*command, "--help"], check=True, stdout=subprocess.DEVNULL)
        samples.append(time.perf_counter() - started)
    return [
        Result(
            "`assistant --help` wall time",
            statistics.median(samples),
            "s",
            0.5,
            f"median of {runs}, min {min(samples):.3f} s ({Path(command[0]).name})",
            {"samples_s": samples},
        )
    ]


# -- report ----------------------------------------------------------------------------------


def environment() -> dict[str, Any]:
    import chromadb
    import onnxruntime

    return {
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "chromadb": chromadb.__version__,
        "onnxruntime": onnxruntime.__version__,
        "numpy": np.__version__,
        "sqlite": __import__("sqlite3").sqlite_version,
        "load_avg_1m_at_start": round(load_avg(), 2),
    }


def print_table(env: dict[str, Any], results: Sequence[Result]) -> None:
    print("Environment: " + ", ".join(f"{k}={v}" for k, v in env.items()))
    print()
    width = max(len(r.name) for r in results)
    print(f"{'measurement':<{width}}  {'value':>10}  {'target':>9}  {'ok':<4}  detail")
    print("-" * (width + 40))
    for r in results:
        target = f"<= {r.target:g}" if r.target is not None else ""
        ok = {True: "yes", False: "NO", None: ""}[r.met]
        print(f"{r.name:<{width}}  {r.value:>7.3g} {r.unit:<2}  {target:>9}  {ok:<4}  {r.detail}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--chunks", type=int, default=100_000, help="chunks in the synthetic store (0 skips it)"
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="times each question is asked per latency figure"
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object instead of the table"
    )
    parser.add_argument(
        "--skip-ingest", action="store_true", help="skip cold/re-ingest and warm search"
    )
    args = parser.parse_args(argv)

    sys.path.insert(0, str(REPO))  # run from a checkout without installing
    env = environment()
    log("environment: " + json.dumps(env))
    questions = load_questions()
    results: list[Result] = []
    results += bench_help()
    if not args.skip_ingest:
        results += bench_ingest_and_search(questions, args.rounds)
    if args.chunks > 0:
        results += bench_large_store(questions, args.chunks, args.rounds)
    env["load_avg_1m_at_end"] = round(load_avg(), 2)

    if args.json:
        payload = {"environment": env, "results": [{**asdict(r), "met": r.met} for r in results]}
        print(json.dumps(payload, indent=2))
    else:
        print_table(env, results)
    return 0 if all(r.met is not False for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
