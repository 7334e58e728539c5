"""Overhead of ``answer()`` before the request leaves (target: p50 <= 50 ms).

Measured in process, warm (embedder, store, tokenizer and HTTP client loaded): from the call
of ``Assistant.answer`` until the loopback OpenAI server (tests/openai_server.py, a real
HTTP server on 127.0.0.1) has the request in hand. That span holds retrieval (question
embedding, dense + BM25 search), the relevance check, the prompt with its token budget,
and the HTTP send. Standard-library timing only (``time.perf_counter``, ``statistics``);
the server records ``perf_counter()`` on the same clock when the request line arrives.

It also measures the decision (``decide_ms``: offline it includes the answer reader's passes)
and the claim check that runs after every answer (``claims_ms``): in model
mode on replies of three sentences of the two best sources, reworded as a grounded model
writes them, and offline on the extractive answers. Three passes over the questions: the first
meets their abstracts for the first time with nothing shipped (``own``, as a user's own
papers are met), the second for the first time with the sentence vectors the package ships
for the bundled papers (``cold``), the third finds their vectors cached (``warm``).
The share is of the whole ``answer()`` with the loopback server answering at once, so with a
real model (seconds per answer) it is far smaller still.

    python benchmarks/bench_answer.py                 # ingests into a temporary home first
    python benchmarks/bench_answer.py --home DIR      # an already ingested home
    python benchmarks/bench_answer.py --json

Questions are the answerable ones of the dev evaluation set. Load from other processes skews
the figures on a 2-core machine; the load average is printed with them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))  # the loopback server lives with the tests
sys.path.insert(0, str(REPO))  # run from a checkout without installing

from assistant.evaluation.metrics import percentile  # noqa: E402

TARGET_P50_MS = 50.0


DEV_QUESTIONS = REPO / "eval" / "dev_questions.jsonl"


def load_questions() -> list[str]:
    """The answerable questions of the repository's dev set; exits if the file is missing."""
    from assistant.evaluation import load_questions as load_eval_questions

    if not DEV_QUESTIONS.is_file():
        sys.exit(f"bench_answer: {DEV_QUESTIONS} is missing; run from a full checkout")
    return [q.question for q in load_eval_questions(DEV_QUESTIONS) if q.answerable]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--home", type=Path, help="an ingested ASSISTANT_HOME (default: ingest into a temp dir)"
    )
    parser.add_argument("--rounds", type=int, default=2, help="passes over the questions")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from openai_server import OpenAIServer

    from assistant.service import Assistant
    from assistant.settings import Settings

    server = OpenAIServer().start()
    server.default_reply.text = "Benchmark answer [1]."
    with tempfile.TemporaryDirectory(prefix="bench-answer-") as tmp:
        home = args.home or Path(tmp) / "home"
        settings = Settings.load(
            {"home": home, "base_url": server.url, "model": "bench-model", "min_relevance": 0.0},
            env={},
            config_file=Path(tmp) / "none.toml",
        )
        assistant = Assistant(settings)
        started = time.perf_counter()
        assistant.ensure_ingested()
        ingest_s = time.perf_counter() - started
        questions = load_questions()
        for question in questions[:5]:  # warm: model, store, tokenizer, prompts, HTTP pool
            assistant.answer(question)

        overhead_ms: list[float] = []
        prepare_ms: list[float] = []
        for _ in range(args.rounds):
            for question in questions:
                before = len(server.chat_requests)
                call = time.perf_counter()
                answer = assistant.answer(question)
                if len(server.chat_requests) == before:  # declined: no request left
                    continue
                request = server.chat_requests[before]
                overhead_ms.append((request.received_at - call) * 1000)
                prepare_ms.append(answer.timings["prepare_ms"])
        result_claims = measure_claim_check(assistant, server, questions)
        offline = Assistant(settings.replace(base_url=None), embedder=assistant.embedder)
        offline_claims = measure_claim_check(offline, None, questions)
    server.stop()

    result = {
        "samples": len(overhead_ms),
        "overhead_p50_ms": round(statistics.median(overhead_ms), 2),
        "overhead_p95_ms": round(percentile(overhead_ms, 95) or 0.0, 2),
        "prepare_p50_ms": round(statistics.median(prepare_ms), 2),
        "target_p50_ms": TARGET_P50_MS,
        "met": statistics.median(overhead_ms) <= TARGET_P50_MS,
        "ingest_s": round(ingest_s, 1),
        "load_avg_1min": round(os.getloadavg()[0], 2),
        "claim_check_llm": result_claims,
        "claim_check_offline": offline_claims,
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(
            "answer() overhead until the request reaches the server "
            f"({result['samples']} calls, warm):"
        )
        print(
            f"  p50 {result['overhead_p50_ms']} ms   p95 {result['overhead_p95_ms']} ms   "
            f"(target p50 <= {TARGET_P50_MS:g} ms: {'met' if result['met'] else 'NOT met'})"
        )
        print(
            "  of which before the SDK call (retrieval, relevance, prompt): "
            f"p50 {result['prepare_p50_ms']} ms"
        )
        for mode in ("llm", "offline"):
            print(f"claim check after each answer ({mode}):")
            for name, row in result[f"claim_check_{mode}"].items():
                print(
                    f"  {name:5} p50 {row['claims_p50_ms']} ms   p95 {row['claims_p95_ms']} ms   "
                    f"share of answer() p50 {row['share_p50']:.1%}   "
                    f"({row['claims_per_answer']:.1f} claims/answer, {row['samples']} answers)"
                )
                print(
                    f"        decision p50 {row['decide_p50_ms']} ms"
                    f"   p95 {row['decide_p95_ms']} ms   whole answer() p50"
                    f" {row['answer_p50_ms']} ms   p95 {row['answer_p95_ms']} ms"
                )
        print(f"  load average {result['load_avg_1min']}")
    return 0


PASSES = ("own", "cold", "warm")
"""The passes over the questions: first met with nothing shipped (as a user's own papers
are), first met (the bundled papers' sentence vectors ship with the package), seen before."""


def measure_claim_check(assistant, server, questions: list[str]) -> dict[str, dict[str, float]]:
    """``claims_ms`` and its share of ``total_ms`` for each of ``PASSES``. With a
    ``server``, each reply rewords sentences of the two best sources, with citations."""
    from assistant.answering.vectors import SHARED_VECTORS, shipped_sentences
    from assistant.reader import shared_reader

    rows = {}
    for name in PASSES:
        if name != "warm":  # first met: no sentence seen before, no question read with a paper
            SHARED_VECTORS.clear()
            shared_reader().forget()
        SHARED_VECTORS.shipped = None if name == "own" else shipped_sentences
        claims_ms: list[float] = []
        shares: list[float] = []
        counts: list[int] = []
        decide_ms: list[float] = []
        total_ms: list[float] = []
        for question in questions:
            if server is not None:
                server.enqueue(grounded_reply(assistant, question))
            answer = assistant.answer(question)
            decide_ms.append(answer.timings["decide_ms"])
            total_ms.append(answer.timings["total_ms"])
            if not answer.answered:
                continue
            claims_ms.append(answer.timings["claims_ms"])
            shares.append(answer.timings["claims_ms"] / answer.timings["total_ms"])
            counts.append(len(answer.claims))
        rows[name] = {
            "samples": len(claims_ms),
            "claims_p50_ms": round(statistics.median(claims_ms), 2),
            "claims_p95_ms": round(percentile(claims_ms, 95) or 0.0, 2),
            "share_p50": round(statistics.median(shares), 4),
            "claims_per_answer": round(statistics.mean(counts), 2),
            "decide_p50_ms": round(statistics.median(decide_ms), 2),
            "decide_p95_ms": round(percentile(decide_ms, 95) or 0.0, 2),
            "answer_p50_ms": round(statistics.median(total_ms), 2),
            "answer_p95_ms": round(percentile(total_ms, 95) or 0.0, 2),
        }
    return rows


def grounded_reply(assistant, question: str) -> str:
    """Three sentences of the two best sources, each citing the one it came from, reworded
    as a model words them ("Reportedly, …"): a sentence copied word for word is supported
    without an embedding, so copies would not measure what checking a model's answer costs."""
    from assistant.text import split_sentences

    hits = assistant.search(question, assistant.settings.k)
    first, second = (split_sentences(assistant.paper(h.paper_id).abstract) for h in hits[:2])
    picked = [(first[0], 1), (second[0], 2), (first[min(1, len(first) - 1)], 1)]
    return " ".join(f"Reportedly, {sentence.rstrip('.')} [{n}]." for sentence, n in picked)


if __name__ == "__main__":
    sys.exit(main())
