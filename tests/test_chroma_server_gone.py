"""A Chroma server that goes away in the middle of an ingest: one line saying so and what to
do, and the next ingest, once the server is back, finishes the job."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import _free_port, _wait_for_chroma
from paper_files import write_jsonl

from assistant.embedding import MiniLMEmbedder
from assistant.errors import StoreError
from assistant.service import Assistant
from assistant.settings import Settings

PAPERS = [{"title": f"Paper {n}", "abstract": f"Abstract {n} about cats."} for n in range(12)]


def _chroma_run(path: Path, port: int) -> subprocess.Popen[bytes]:
    chroma = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    return subprocess.Popen(
        [chroma, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.chroma_server
def test_server_gone_mid_ingest_is_one_line_then_resumed(
    tmp_path: Path, embedder: MiniLMEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("assistant.ingest.BATCH_PAPERS", 4)
    port, data = _free_port(), tmp_path / "server"
    url = f"http://127.0.0.1:{port}"
    server = _chroma_run(data, port)
    try:
        _wait_for_chroma(url, server, 60)
        settings = Settings.load(
            {"home": tmp_path / "home", "chroma_url": url, "collection": "mine"}
        )
        path = write_jsonl(tmp_path / "mine.jsonl", PAPERS)

        def stop_server(done: int, total: int, label: str) -> None:
            if done == 4:
                server.terminate()
                server.wait(timeout=20)

        with pytest.raises(StoreError) as raised:
            Assistant(settings, embedder=embedder).ingest([path], progress=stop_server)
        assert str(raised.value).startswith(f"the Chroma server at {url} stopped answering (")
        assert "start it again and repeat the command" in str(raised.value)

        server = _chroma_run(data, port)
        _wait_for_chroma(url, server, 60)
        report = Assistant(settings, embedder=embedder).ingest()
        assert (report.added, report.unchanged) == (8, 4)
    finally:
        server.terminate()
        server.wait(timeout=20)
