"""Two processes writing one collection take turns: a lock file in the data directory.
Every test here runs real processes (the CLI, or a child holding the lock)."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
HOLD_THE_LOCK = """
import sys
from pathlib import Path
from assistant.ingest_lock import collection_write_lock
from assistant.settings import Settings

with collection_write_lock(Settings(home=Path(sys.argv[1]), collection=sys.argv[2])):
    print("held", flush=True)
    sys.stdin.read()  # until the test closes it
"""
PAPERS = [
    {"title": "Graph Neural Networks for Molecules", "abstract": "Message passing on QM9."},
    {"title": "Speech Recognition with Transformers", "abstract": "Speech on LibriSpeech."},
]


def environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "OPENAI_"))}
    return {
        **env,
        "PYTHONPATH": str(REPO),
        "ASSISTANT_HOME": str(home),
        "ASSISTANT_CONFIG": str(home.parent / "none.toml"),
    }


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def papers_file(tmp_path: Path) -> Path:
    path = tmp_path / "mine.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in PAPERS), encoding="utf-8")
    return path


@pytest.fixture
def lock_holder(home: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding collection 'mine''s lock until its stdin is closed."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_LOCK, str(home), "mine"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env=environment(home),
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    try:
        yield holder
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(timeout=30)


def assistant(home: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args, "--collection", "mine"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=environment(home),
        timeout=timeout,
    )


def test_a_second_ingest_with_a_timeout_fails_in_one_line_and_writes_nothing(
    home: Path, papers_file: Path, lock_holder: subprocess.Popen[str]
) -> None:
    second = assistant(home, "ingest", str(papers_file), "--lock-timeout", "0.5")
    assert second.returncode == 1
    lines = second.stderr.strip().splitlines()
    assert lines[-1].startswith("error: another ingest of collection 'mine' is still running")
    assert "after waiting 0.5 s" in lines[-1] and "Traceback" not in second.stderr
    assert not (home / "library" / "local-mine.json").exists()  # nothing was started


def test_a_second_ingest_waits_for_the_first_and_then_runs(
    home: Path, papers_file: Path, lock_holder: subprocess.Popen[str]
) -> None:
    second = subprocess.Popen(
        [sys.executable, "-m", "assistant", "ingest", str(papers_file), "--collection", "mine"],
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env=environment(home),
    )
    lines = stderr_lines(second)
    assert lines.get(timeout=60) == "waiting for another ingest of collection 'mine' to finish…"
    with pytest.raises(queue.Empty):
        lines.get(timeout=1.0)  # still waiting: it says nothing more, writes nothing
    assert second.poll() is None
    assert not (home / "library" / "local-mine.json").exists()
    assert lock_holder.stdin is not None
    lock_holder.stdin.close()  # the first writer finishes
    assert second.wait(timeout=120) == 0
    rest = []
    while (line := lines.get(timeout=5)) is not None:
        rest.append(line)
    assert rest[-1].startswith("2 added, 0 updated, 0 removed")
    assert not list((home / "library").glob(".ingest-*"))  # its scratch plan went with it


def test_readers_never_take_the_lock(
    home: Path, papers_file: Path, request: pytest.FixtureRequest
) -> None:
    assert assistant(home, "ingest", str(papers_file)).returncode == 0
    request.getfixturevalue("lock_holder")  # a writer holds the lock from now on
    search = assistant(home, "search", "speech recognition", timeout=60)
    assert search.returncode == 0, search.stderr
    assert "Speech Recognition with Transformers" in search.stdout
    assert "waiting" not in search.stderr


def stderr_lines(process: subprocess.Popen[str]) -> queue.Queue[str | None]:
    """The process's stderr lines as they come (None once it closes)."""
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return lines
