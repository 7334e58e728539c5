"""A rebuild that dies while swapping the new collection in: the next process to open the
collection finishes the swap (the rebuilt collection is complete) or undoes it (it is not),
in one line. The crash is real: a child process rebuilding exits at each step of the swap."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_ingest_lock import HOLD_THE_LOCK
from test_library import MORE, PAPERS, HashEmbedder, fresh, write_jsonl

from assistant import chroma_client
from assistant.settings import Settings
from assistant.source_record import load_record
from assistant.store import lexical_path

REPO = Path(__file__).resolve().parents[1]
# Rebuild collection 'mine' from a file, dying (no clean-up, as with a kill) right after
# the n-th rename of a Chroma collection, after the first collection is dropped, or once n
# papers are embedded (before the swap).
CRASHING_REBUILD = """
import os, sys
from pathlib import Path
from chromadb.api.client import Client
from chromadb.api.models.Collection import Collection
from test_library import HashEmbedder
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.source_record import load_record
from assistant.store import lexical_path

home, papers, step, n = Path(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
seen = {"rename": 0, "drop": 0}

def counted(kind, original):
    def call(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        if kind == "drop" or kwargs.get("name"):
            seen[kind] += 1
            if kind == step and seen[kind] == n:
                os._exit(3)
        return result
    return call

def progress(done, total, label):
    if step == "embed" and done >= n:
        os._exit(3)

Collection.modify = counted("rename", Collection.modify)
Client.delete_collection = counted("drop", Client.delete_collection)
Assistant(Settings(home=home, collection="mine"), embedder=HashEmbedder()).ingest(
    [papers], rebuild=True, progress=progress
)
"""


def crash_rebuild(settings: Settings, papers: Path, step: str, n: int) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    child = subprocess.run(
        [sys.executable, "-c", CRASHING_REBUILD, str(settings.home), str(papers), step, str(n)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**env, "PYTHONPATH": f"{REPO}{os.pathsep}{REPO / 'tests'}"},
        timeout=120,
    )
    assert child.returncode == 3, child.stderr[-2000:]


def collection_names(settings: Settings) -> set[str]:
    return {c.name for c in chroma_client.connect(settings).list_collections()}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = Settings(home=tmp_path / "home", collection="mine")
    fresh(settings, HashEmbedder()).ingest([write_jsonl(tmp_path / "old.jsonl", PAPERS)])
    chroma_client.forget(settings)  # the child process changes the files next
    return settings


@pytest.mark.parametrize(
    ("step", "n", "left_behind"),
    [
        ("rename", 1, {"mine-previous", "mine__papers", "mine-rebuild", "mine-rebuild__papers"}),
        ("rename", 2, {"mine-previous", "mine-previous__papers", "mine-rebuild"}),
        ("rename", 3, {"mine", "mine-rebuild__papers", "mine-previous"}),
        ("rename", 4, {"mine", "mine__papers", "mine-previous", "mine-previous__papers"}),
        ("drop", 1, {"mine", "mine__papers", "mine-previous__papers"}),
    ],
)
def test_a_complete_rebuild_interrupted_while_swapping_is_finished_on_opening(
    settings: Settings,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    step: str,
    n: int,
    left_behind: set[str],
) -> None:
    crash_rebuild(settings, write_jsonl(tmp_path / "new.jsonl", PAPERS + MORE), step, n)
    assert left_behind <= collection_names(settings)
    with caplog.at_level(logging.WARNING, logger="assistant"):
        assistant = fresh(settings, HashEmbedder())
        hits = assistant.search("zebrafish larvae optical flow", k=1)
    assert [r.getMessage() for r in caplog.records] == [
        "warning: collection 'mine': an interrupted rebuild was completed (the rebuilt "
        "collection is complete; the previous one was dropped)"
    ]
    assert collection_names(settings) == {"mine", "mine__papers"}
    assert hits[0].title == "Zebrafish Tracking with Optical Flow"
    assert assistant.store.paper_count() == 4


def test_an_incomplete_rebuilt_collection_is_rolled_back_to_the_previous_one(
    settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    crash_rebuild(settings, write_jsonl(tmp_path / "new.jsonl", PAPERS + MORE), "rename", 2)
    rebuilt = chroma_client.connect(settings).get_collection("mine-rebuild")
    rebuilt.delete(ids=[rebuilt.get(limit=1)["ids"][0]])  # a chunk the manifest lists is gone
    with caplog.at_level(logging.WARNING, logger="assistant"):
        assistant = fresh(settings, HashEmbedder())
        titles = [p.title for p in assistant.papers()]
    assert [r.getMessage() for r in caplog.records] == [
        "warning: collection 'mine': an interrupted rebuild was rolled back (the previous "
        "collection was restored); run `assistant ingest --rebuild --collection mine` to "
        "rebuild it again"
    ]
    assert collection_names(settings) == {"mine", "mine__papers"}
    assert sorted(titles) == sorted(p["title"] for p in PAPERS)
    assert load_record(settings).source_paths() == [str(tmp_path / "old.jsonl")]
    assert assistant.search("grasp poses depth images", k=1)[0].title == (
        "Robotic Grasping from Depth Images"
    )


def test_nothing_left_behind_means_nothing_to_say(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="assistant"):
        assert fresh(settings, HashEmbedder()).store.paper_count() == 3
    assert caplog.records == []


def test_a_rebuild_that_died_before_its_swap_is_undone(
    settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    crash_rebuild(settings, write_jsonl(tmp_path / "new.jsonl", PAPERS + MORE), "embed", 4)
    assert "mine-rebuild" in collection_names(settings)
    assert lexical_path(settings, "mine-rebuild").exists()
    assert load_record(settings).expected_papers == 4  # the rebuild's, not the collection's
    with caplog.at_level(logging.WARNING, logger="assistant"):
        assert fresh(settings, HashEmbedder()).store.paper_count() == 3
    assert [r.getMessage() for r in caplog.records] == [
        "warning: collection 'mine': an interrupted rebuild was rolled back (the collection "
        "was never replaced); run `assistant ingest --rebuild --collection mine` to rebuild it"
    ]
    assert collection_names(settings) == {"mine", "mine__papers"}
    assert load_record(settings).expected_papers == 3
    assert load_record(settings).source_paths() == [str(tmp_path / "old.jsonl")]
    assert not lexical_path(settings, "mine-rebuild").exists()


def test_the_next_rebuild_first_reconciles_what_the_last_one_left(
    settings: Settings, tmp_path: Path
) -> None:
    newer = write_jsonl(tmp_path / "new.jsonl", PAPERS + MORE)
    crash_rebuild(settings, newer, "rename", 2)
    report = fresh(settings, HashEmbedder()).ingest([newer], rebuild=True)
    assert report.added == 4
    assert collection_names(settings) == {"mine", "mine__papers"}
    assert fresh(settings, HashEmbedder()).store.paper_count() == 4


def test_what_a_rebuild_left_is_not_touched_while_another_process_writes(
    settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    crash_rebuild(settings, write_jsonl(tmp_path / "new.jsonl", PAPERS + MORE), "rename", 2)
    left = collection_names(settings)
    holder = subprocess.Popen(  # it may be swapping right now: hands off
        [sys.executable, "-c", HOLD_THE_LOCK, str(settings.home), "mine"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with caplog.at_level(logging.WARNING, logger="assistant"):
            assert fresh(settings, HashEmbedder()).store.paper_count() == 0
        assert collection_names(settings) == left and caplog.records == []
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)
    assert fresh(settings, HashEmbedder()).store.paper_count() == 4
    assert collection_names(settings) == {"mine", "mine__papers"}
