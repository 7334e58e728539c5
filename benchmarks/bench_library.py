"""Library benchmarks: ingesting a large arXiv-format file (papers/s, peak memory) and the
first ``ask`` on a fresh install against a warm one.

    python benchmarks/bench_library.py ingest --papers 10000 [--embedder hash|minilm] [--server]
    python benchmarks/bench_library.py first-ask
    python benchmarks/bench_library.py chunk-huge

``ingest`` writes a synthetic arXiv metadata snapshot (JSON lines; abstracts drawn from the
bundled papers' sentences) and ingests it in a child process into a fresh home, reporting
papers/s, the child's peak RSS and its RSS when 0/25/50/75/100% of the papers are embedded
and once the ingest is finished. ``--embedder hash`` replaces MiniLM by a cheap
deterministic embedder, isolating reading, chunking and storing from the model's cost
(``bench_embedder.py`` measures that).

Embedded, the child's memory holds Chroma's vector index (every vector, and the graph over
them) besides this project's own bookkeeping. ``--server`` ingests into a fresh ``chroma
run`` server instead: the child's RSS is then this project's part alone (it should stay flat
as papers are added), and the server's peak RSS is reported beside it.

``first-ask`` times ``assistant ask`` in a child process on a fresh home (the bundled papers
are indexed from the shipped vectors) and then again on the now-warm home.

``chunk-huge`` times chunking one 5 MB abstract without a sentence stop the splitter
recognises (1.05 million words, the shape of a pasted table or an extraction gone wrong).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CHILD_INGEST = """
import json, resource, sys, time
import numpy as np
from pathlib import Path
from assistant.service import Assistant
from assistant.settings import Settings

def rss_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return None

samples = {}
def progress(done, total, label):
    quarter = done * 4 // total if total else 4
    if label.startswith("Embedding") and f"{quarter * 25}%" not in samples:
        samples[f"{quarter * 25}%"] = rss_mb()

class HashEmbedder:
    embedder_id = "bench-hash"
    def embed(self, texts):
        out = np.zeros((len(texts), 64), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.split():
                out[row, hash(word) % 64] += 1.0
        return out / np.clip(np.linalg.norm(out, axis=1, keepdims=True), 1e-9, None)

path, home, kind, url = sys.argv[1], Path(sys.argv[2]), sys.argv[3], sys.argv[4] or None
settings = Settings(home=home, collection="bench", chroma_url=url)
embedder = HashEmbedder() if kind == "hash" else None
started = time.perf_counter()
report = Assistant(settings, embedder=embedder).ingest([path], progress=progress)
seconds = time.perf_counter() - started
samples["finished"] = rss_mb()
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"papers": report.added, "chunks": report.chunks, "seconds": seconds,
                  "peak_rss_mb": round(peak_kb / 1024, 1), "rss_mb": samples}))
"""


def write_arxiv_file(path: Path, papers: int) -> None:
    sys.path.insert(0, str(REPO))
    from assistant.resources import bundled_seed_files
    from assistant.sources import load_collection
    from assistant.text import split_sentences

    sentences = [
        s for p in load_collection(bundled_seed_files()) for s in split_sentences(p.abstract)
    ]
    rng = random.Random(7)
    with path.open("w", encoding="utf-8") as out:
        for i in range(papers):
            record = {
                "id": f"{2000 + i // 10000:04d}.{i % 10000:05d}",
                "authors": "A. Author, B. Writer and C. Scholar",
                "title": f"Synthetic paper {i}: "
                + " ".join(rng.sample(sentences, 1)[0].split()[:8]),
                "abstract": " ".join(rng.sample(sentences, rng.randint(4, 9))),
                "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}],
                "update_date": "2008-11-13",
            }
            out.write(json.dumps(record) + "\n")


def bench_ingest(papers: int, embedder: str, server: bool) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "arxiv-metadata-oai-snapshot.json"
        write_arxiv_file(source, papers)
        chroma = start_chroma_server(Path(tmp) / "server") if server else None
        try:
            url = f"http://127.0.0.1:{chroma[1]}" if chroma else ""
            child = subprocess.run(
                [sys.executable, "-c", CHILD_INGEST, source, Path(tmp) / "home", embedder, url],
                capture_output=True,
                text=True,
                cwd=REPO,
                env={**os.environ, "PYTHONPATH": str(REPO)},
            )
            server_peak = peak_rss_mb(chroma[0].pid) if chroma else None
        finally:
            if chroma:
                chroma[0].terminate()
                chroma[0].wait(timeout=30)
        if child.returncode:
            raise SystemExit(child.stderr[-3000:])
        result = json.loads(child.stdout.strip().splitlines()[-1])
        result["file_mb"] = round(source.stat().st_size / 1e6, 1)
    result["papers_per_s"] = round(result["papers"] / result["seconds"], 1)
    result["embedder"] = embedder
    result["store"] = "server" if server else "embedded"
    if server_peak is not None:
        result["server_peak_rss_mb"] = server_peak
    result["load"] = os.getloadavg()[0]
    return result


def start_chroma_server(path: Path) -> tuple[subprocess.Popen[bytes], int]:
    """A fresh ``chroma run`` on a free loopback port, once it answers."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    chroma = Path(sys.executable).with_name("chroma")
    command = [str(chroma), "run", "--path", str(path), "--host", "127.0.0.1"]
    process = subprocess.Popen(
        [*command, "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as attempt:
            if attempt.connect_ex(("127.0.0.1", port)) == 0:
                return process, port
        time.sleep(0.2)
    process.terminate()
    raise SystemExit("the Chroma server did not start within 60 s")


def peak_rss_mb(pid: int) -> float | None:
    """The peak resident memory of a running process (Linux)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def bench_first_ask() -> dict[str, object]:
    question = "How does LUKE treat entities in self-attention?"
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "PYTHONPATH": str(REPO),
            "ASSISTANT_HOME": str(Path(tmp) / "home"),
            "ASSISTANT_CONFIG": str(Path(tmp) / "none.toml"),
        }
        env = {k: v for k, v in env.items() if not k.startswith("OPENAI_")}
        env.pop("ASSISTANT_BASE_URL", None)
        times = []
        for _ in range(3):  # fresh, then warm twice
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "assistant", "ask", question],
                cwd=REPO,
                env=env,
                capture_output=True,
                check=True,
            )
            times.append(time.perf_counter() - started)
    warm = min(times[1:])
    return {
        "fresh_s": round(times[0], 2),
        "warm_s": round(warm, 2),
        "ratio": round(times[0] / warm, 2),
        "load": os.getloadavg()[0],
    }


def bench_chunk_huge() -> dict[str, object]:
    sys.path.insert(0, str(REPO))
    from assistant.chunking import chunk_paper
    from assistant.collection import Paper
    from assistant.settings import Settings

    settings = Settings()
    chunk_paper(Paper("warm", "T", "Warm up."), settings.chunk_tokens, settings.chunk_overlap)
    words = [f"w{i % 997}" for i in range(1_050_000)]
    text = " ".join(" ".join(words[i : i + 12]) + "." for i in range(0, len(words), 12))
    started = time.perf_counter()
    chunks = chunk_paper(Paper("huge", "T", text), settings.chunk_tokens, settings.chunk_overlap)
    return {
        "megabytes": round(len(text) / 1e6, 2),
        "chunks": len(chunks),
        "seconds": round(time.perf_counter() - started, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="what", required=True)
    ingest = sub.add_parser("ingest")
    ingest.add_argument("--papers", type=int, default=10_000)
    ingest.add_argument("--embedder", choices=["hash", "minilm"], default="hash")
    ingest.add_argument(
        "--server", action="store_true", help="ingest into a fresh `chroma run` server"
    )
    sub.add_parser("first-ask")
    sub.add_parser("chunk-huge")
    args = parser.parse_args()
    if args.what == "ingest":
        result = bench_ingest(args.papers, args.embedder, args.server)
    else:
        result = bench_first_ask() if args.what == "first-ask" else bench_chunk_huge()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
