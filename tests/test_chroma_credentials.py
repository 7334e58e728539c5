"""A Chroma server URL that carries a user and password: they authenticate, and they never
name a file."""

from __future__ import annotations

import base64
import http.server
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from assistant import chroma_client
from assistant.errors import StoreError
from assistant.settings import Settings
from assistant.store import lexical_path, rename_files_named_with_credentials, store_key


class _FakeChroma(http.server.BaseHTTPRequestHandler):
    """Answers the calls a Chroma client makes when it connects, and notes their headers."""

    seen: ClassVar[list[str | None]] = []

    def do_GET(self) -> None:
        type(self).seen.append(self.headers.get("Authorization"))
        body: dict[str, object] = {"nanosecond heartbeat": 1}
        if self.path.endswith("/auth/identity"):
            body = {"user_id": "", "tenant": "default_tenant", "databases": ["default_database"]}
        elif "/databases/" in self.path:
            body = {"id": "0" * 32, "name": "default_database", "tenant": "default_tenant"}
        elif "/tenants/" in self.path:
            body = {"name": "default_tenant"}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def fake_chroma() -> Iterator[int]:
    _FakeChroma.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FakeChroma)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def _settings(home: Path, url: str) -> Settings:
    return Settings.load({"home": home, "chroma_url": url})


def test_the_user_and_password_of_the_url_go_to_the_server_as_basic_auth(
    tmp_path: Path, fake_chroma: int
) -> None:
    settings = _settings(tmp_path, f"http://reader:p%40ss@127.0.0.1:{fake_chroma}")
    try:
        chroma_client.connect(settings)
    finally:
        chroma_client.forget(settings)
    expected = "Basic " + base64.b64encode(b"reader:p@ss").decode()
    assert _FakeChroma.seen and set(_FakeChroma.seen) == {expected}


def test_a_url_without_a_user_sends_no_credentials(tmp_path: Path, fake_chroma: int) -> None:
    settings = _settings(tmp_path, f"http://127.0.0.1:{fake_chroma}")
    try:
        chroma_client.connect(settings)
    finally:
        chroma_client.forget(settings)
    assert _FakeChroma.seen and set(_FakeChroma.seen) == {None}


def test_files_beside_the_store_are_named_without_the_password(tmp_path: Path) -> None:
    with_password = _settings(tmp_path, "http://reader:hunter2@chroma.example:8000")
    without = _settings(tmp_path, "http://chroma.example:8000")
    assert store_key(with_password) == store_key(without)
    assert "hunter2" not in str(lexical_path(with_password))
    assert "reader" not in store_key(with_password, "mine")


def test_files_named_with_the_password_before_take_the_new_names(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "http://reader:hunter2@chroma.example:8000")
    old = "http___reader_hunter2_chroma_example_8000"
    files = {
        f"lexical/{old}-papers.sqlite3": "index",
        f"lexical/{old}-papers.sqlite3-wal": "log",
        f"library/{old}-papers.json": "record",
        f"library/.ingest-{old}-papers.sqlite3": "plan",
        f"locks/{old}-papers.lock": "",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    (tmp_path / "library" / "local-papers.json").write_text("embedded store's record")

    rename_files_named_with_credentials(settings)

    new = store_key(settings, "papers")
    for name, text in files.items():
        renamed = tmp_path / name.replace(f"{old}-papers", new)
        assert renamed.read_text() == text
        assert not (tmp_path / name).exists()
    assert (tmp_path / "library" / "local-papers.json").read_text() == "embedded store's record"
    assert not any("hunter2" in p.name for p in tmp_path.rglob("*"))


def test_a_file_already_under_the_new_name_is_kept(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "http://reader:hunter2@chroma.example:8000")
    old = tmp_path / "library" / "http___reader_hunter2_chroma_example_8000-papers.json"
    old.parent.mkdir()
    old.write_text("old record")
    current = tmp_path / "library" / f"{store_key(settings, 'papers')}.json"
    current.write_text("current record")

    rename_files_named_with_credentials(settings)

    assert current.read_text() == "current record"
    assert old.read_text() == "old record"


def test_the_error_for_a_server_that_does_not_answer_hides_the_password(tmp_path: Path) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings = _settings(tmp_path, f"http://reader:hunter2@127.0.0.1:{port}")
    with pytest.raises(StoreError) as raised:
        chroma_client.connect(settings)
    assert "reader:***@127.0.0.1" in str(raised.value)
    assert "hunter2" not in str(raised.value)
