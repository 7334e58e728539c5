"""Shared fixtures: an isolated user environment, one ingested store of the bundled papers
for the whole session, and a real Chroma server.

Embedding the 290 bundled papers costs tens of seconds, so it happens once per session;
tests that change a store build their own small one.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.embedding import MiniLMEmbedder
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.store import PaperStore

pytest_plugins = ["openai_server"]


@pytest.fixture(scope="session", autouse=True)
def isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The user cache (where the embedding model's verified check is remembered) in tmp, set
    before the session's embedder is loaded."""
    cache = tmp_path_factory.mktemp("user-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(cache))
        yield cache


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No user settings leak in: no ASSISTANT_*/OPENAI_* variables, home and config in tmp."""
    for name in list(os.environ):
        if name.startswith(("ASSISTANT_", "OPENAI_")) and not name.startswith("ASSISTANT_TEST_"):
            monkeypatch.delenv(name)
    monkeypatch.delenv("FORCE_COLOR", raising=False)  # a CI's would colour every pipe
    home = tmp_path / "home"
    monkeypatch.setenv("ASSISTANT_HOME", str(home))
    monkeypatch.setenv("ASSISTANT_CONFIG", str(tmp_path / "config.toml"))
    return home


@pytest.fixture(scope="session")
def embedder() -> MiniLMEmbedder:
    """The real bundled embedder, loaded once."""
    return MiniLMEmbedder()


@pytest.fixture(scope="session")
def seeded_home(tmp_path_factory: pytest.TempPathFactory, embedder: MiniLMEmbedder) -> Path:
    """A data directory holding the bundled papers, ingested once. Treat it as read-only."""
    home = tmp_path_factory.mktemp("seeded-home")
    assistant = Assistant(Settings(home=home), embedder=embedder)
    report = assistant.ingest()
    assert report.added == 290
    return home


@pytest.fixture(scope="session")
def seeded_store(seeded_home: Path, embedder: MiniLMEmbedder) -> PaperStore:
    return PaperStore.open(Settings(home=seeded_home), embedder)


@pytest.fixture
def assistant_factory(
    seeded_home: Path, seeded_store: PaperStore, embedder: MiniLMEmbedder
) -> Callable[..., Assistant]:
    """``assistant_factory(base_url=..., k=...)``: an Assistant over the seeded store with
    settings changed as asked (the store and embedder are shared, so it opens instantly)."""

    def make(**changes: Any) -> Assistant:
        settings = Settings.load({"home": seeded_home, **changes})
        return Assistant(settings, embedder=embedder, store=seeded_store)

    return make


@pytest.fixture
def seeded_assistant(assistant_factory: Callable[..., Assistant]) -> Assistant:
    """Offline (extractive) assistant over the bundled papers."""
    return assistant_factory()


@pytest.fixture
def llm(assistant_factory: Callable[..., Assistant], openai_server: Any) -> Assistant:
    """An assistant over the bundled papers answering through the loopback OpenAI server."""
    return assistant_factory(base_url=openai_server.url, max_retries=1)


@pytest.fixture
def model_home(
    seeded_home: Path, tmp_path: Path, openai_server: Any, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """The seeded store with a history of its own, answering through the loopback server
    (for the CLI, which reads its settings from the environment)."""
    home = tmp_path / "home"
    shutil.copytree(seeded_home, home, ignore=shutil.ignore_patterns("chat_history.sqlite3"))
    monkeypatch.setenv("ASSISTANT_HOME", str(home))
    monkeypatch.setenv("ASSISTANT_BASE_URL", openai_server.url)
    monkeypatch.setenv("ASSISTANT_MODEL", "test-model")
    return home


# -- a real Chroma server ------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_chroma(url: str, process: subprocess.Popen[bytes] | None, seconds: float) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"chroma run exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"no Chroma server at {url} after {seconds:.0f} s")


@pytest.fixture(scope="session")
def chroma_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``ASSISTANT_TEST_CHROMA_URL`` (started by .ci/run), or a ``chroma run`` of our own."""
    url = os.environ.get("ASSISTANT_TEST_CHROMA_URL")
    if url:
        _wait_for_chroma(url, None, 30)
        yield url
        return
    chroma = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    port = _free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    process = subprocess.Popen(
        [chroma, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_chroma(url, process, 60)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(params=["embedded", "server"])
def store_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings for a fresh, empty store, once embedded and once on the Chroma server
    (a collection of its own, so tests do not see each other's papers)."""
    if request.param == "embedded":
        return Settings.load({"home": tmp_path / "store-home"})
    url = request.getfixturevalue("chroma_server_url")
    return Settings.load(
        {
            "home": tmp_path / "store-home",
            "chroma_url": url,
            "collection": f"t{uuid.uuid4().hex[:12]}",
        }
    )
