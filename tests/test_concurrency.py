"""Many answers at once from a fresh process: 32 threads calling ``answer()`` and 32
``aanswer()`` tasks under ``asyncio.gather`` — offline and against a model server — give no
errors and the same answers as one-by-one calls. ``ask`` keeps working while ``ingest
--sync`` rewrites the collection."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from paper_files import write_jsonl

from assistant.cli import main

ROOT = Path(__file__).resolve().parent.parent
LOAD_SCRIPT = """
import asyncio, json, sys
from concurrent.futures import ThreadPoolExecutor
from assistant import aanswer, answer

questions = [
    "How does LUKE treat entities in self-attention?",
    "Which mixture-of-denoisers objective unifies pretraining paradigms?",
    "How are talking faces generated from speech?",
    "Were robots tested in real homes?",
] * 8

def key(result):
    if isinstance(result, BaseException):
        return "error: " + type(result).__name__ + ": " + str(result)
    return [result.text, [s.paper_id for s in result.sources], result.citations]

def call(question):
    try:
        return answer(question)
    except Exception as exc:
        return exc

with ThreadPoolExecutor(32) as pool:
    threaded = list(pool.map(call, questions))

async def gathered():
    return await asyncio.gather(*(aanswer(q) for q in questions), return_exceptions=True)

tasks = asyncio.run(gathered())
sequential = {q: key(answer(q)) for q in dict.fromkeys(questions)}
results = [key(r) for r in threaded + list(tasks)]
expected = [sequential[q] for q in questions + questions]
print(json.dumps({
    "errors": [r for r in results if isinstance(r, str)],
    "mismatches": sum(1 for r, e in zip(results, expected) if r != e),
    "answered": sum(1 for r in results if not isinstance(r, str) and r[2]),
}))
"""


def run_load(home: Path, **env: str) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-c", LOAD_SCRIPT],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": str(ROOT),
            "ASSISTANT_HOME": str(home),
            "ASSISTANT_CONFIG": str(home / "none.toml"),
            **env,
        },
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_many_threads_and_tasks_on_a_fresh_home_offline(tmp_path: Path) -> None:
    outcome = run_load(tmp_path / "fresh-home")
    assert outcome["errors"] == [] and outcome["mismatches"] == 0
    assert outcome["answered"] > 0  # the comparison is between real answers


def test_many_threads_and_tasks_against_a_model_server(tmp_path: Path, openai_server: Any) -> None:
    outcome = run_load(
        tmp_path / "fresh-home", ASSISTANT_BASE_URL=openai_server.url, ASSISTANT_MODEL="test-model"
    )
    assert outcome["errors"] == [] and outcome["mismatches"] == 0
    assert outcome["answered"] == 64
    assert len(openai_server.chat_requests) >= 64


def test_ask_while_ingest_sync_rewrites_the_collection(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    first = tmp_path / "first.jsonl"
    second = tmp_path / "second.jsonl"
    rows = [
        {"title": f"Paper {i} on zebra stripes", "abstract": f"Zebra stripes study {i}."}
        for i in range(120)
    ]
    write_jsonl(first, rows)
    second.write_text(
        "".join(json.dumps(dict(r, abstract=r["abstract"] + " Revised.")) + "\n" for r in rows),
        encoding="utf-8",
    )
    args = ["--home", str(home), "--collection", "zebras"]
    assert main(["ingest", str(first), *args]) == 0
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ASSISTANT_CONFIG": str(home / "none.toml")}
    ingest = subprocess.Popen(
        [sys.executable, "-m", "assistant", "ingest", "--sync", str(second), *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    asks = 0
    while ingest.poll() is None or asks == 0:
        assert main(["ask", "what do zebra stripes do?", *args]) == 0
        asks += 1
    _, err = ingest.communicate(timeout=300)
    assert ingest.returncode == 0, err
    assert "120 updated" in err
    out = capsys.readouterr().out
    assert out.count("Zebra stripes") >= asks
