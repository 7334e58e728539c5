"""Opening a Chroma server that is there but does not answer."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant import chroma_client
from assistant.errors import StoreError
from assistant.settings import Settings


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port whose listener takes connections (the kernel completes them) but never
    reads or answers, like a stuck server or another program."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


def test_a_server_that_never_answers_is_one_error_not_a_hang(
    silent_port: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chroma_client, "HEARTBEAT_SECONDS", 0.5)
    url = f"http://user:s3cret@127.0.0.1:{silent_port}"
    settings = Settings(home=tmp_path, chroma_url=url)

    with pytest.raises(StoreError) as caught:
        chroma_client.connect(settings)

    message = str(caught.value)
    assert "did not answer within 0.5 s" in message
    assert "s3cret" not in message
