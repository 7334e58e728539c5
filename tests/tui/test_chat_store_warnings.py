"""What the chat app says as the store opens: the library's warnings reach its screen (the
command line prints them on stderr, which a full-screen app does not show), and the count of
papers in the status line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from paper_files import write_jsonl
from tui_helpers import until_ready, wait_until

from assistant.embedding import MiniLMEmbedder
from assistant.history import ChatHistory
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.tui.app import make_app

pytestmark = pytest.mark.anyio

REPO = Path(__file__).resolve().parents[2]
HOLD_THE_LOCK = """
import sys
from pathlib import Path
from assistant.ingest_lock import collection_write_lock
from assistant.settings import Settings

with collection_write_lock(Settings(home=Path(sys.argv[1]))):
    print("held", flush=True)
    sys.stdin.read()  # until the test closes it
"""


async def test_the_app_says_it_waits_for_another_ingest(
    tmp_path: Path, history: ChatHistory, embedder: MiniLMEmbedder
) -> None:
    home = tmp_path / "home"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_LOCK, str(home)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assistant = Assistant(Settings.load({"home": home}), embedder=embedder)
        app = make_app(assistant, history=history, export_dir=tmp_path)
        async with app.run_test(size=(100, 30)) as pilot:

            def notes() -> list[str]:
                return [str(n.message) for n in app._notifications]

            await wait_until(
                pilot,
                lambda: any(
                    "waiting for another ingest of collection 'papers'" in n for n in notes()
                ),
                what="the waiting note",
            )
            assert holder.stdin is not None
            holder.stdin.close()
            await until_ready(pilot)
            assert app.status.papers == "290 papers"
    finally:
        holder.kill()
        holder.wait()


async def test_a_collection_of_one_paper_is_counted_in_the_singular(
    tmp_path: Path, embedder: MiniLMEmbedder, history: ChatHistory
) -> None:
    papers = write_jsonl(tmp_path / "one.jsonl", [{"title": "Only", "abstract": "One paper."}])
    assistant = Assistant(Settings(home=tmp_path / "home"), embedder=embedder)
    assistant.ingest([papers])
    app = make_app(assistant, history=history, export_dir=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await until_ready(pilot)
        assert app.status.papers == "1 paper"
