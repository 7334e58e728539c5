"""How long `assistant eval` takes on the development set with a warm store.

    python benchmarks/bench_eval.py [--home DIR] [--repeat N] [--mode retrieval|answer]
                                    [--split dev|test]

Runs the real command in a subprocess (so start-up, model load and store open count, as
they do for a user), after one warm-up run that also ingests the bundled papers into
``--home`` if it is empty. Standard-library timing only; prints wall-clock p50/max.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
QUESTIONS = REPO / "eval" / "questions.jsonl"


def run_once(home: Path, mode: str, split: str | None) -> tuple[float, dict]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "OPENAI_"))}
    env["ASSISTANT_HOME"] = str(home)
    env["ASSISTANT_CONFIG"] = str(home / "no-config.toml")
    command = [sys.executable, "-m", "assistant", "eval", str(QUESTIONS), "--mode", mode, "--json"]
    if split:
        command += ["--split", split]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"assistant eval failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return seconds, json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="data directory to use (default: a temp dir)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--mode", choices=("retrieval", "answer"), default="answer")
    parser.add_argument("--split", choices=("dev", "test"), help="default: every question")
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="bench-eval-"))

    warmup, _ = run_once(home, args.mode, args.split)
    print(f"warm-up (ingests if the store is empty): {warmup:.1f} s")
    walls: list[float] = []
    for _ in range(max(1, args.repeat)):
        wall, summary = run_once(home, args.mode, args.split)
        walls.append(wall)
    print(
        f"assistant eval --mode {args.mode}, {summary['count']} questions, warm store: "
        f"wall p50 {statistics.median(walls):.2f} s, max {max(walls):.2f} s "
        f"(questions alone {summary['seconds']:.2f} s)"
    )


if __name__ == "__main__":
    main()
