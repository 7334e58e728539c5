"""Secrets in the chat app: a password in a URL never shows, whichever error quotes it."""

from __future__ import annotations

from pathlib import Path

import pytest
from tui_helpers import wait_until

from assistant.embedding import MiniLMEmbedder
from assistant.history import ChatHistory
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.tui.app import make_app

pytestmark = pytest.mark.anyio


async def test_a_chroma_password_in_a_store_error_is_masked(
    tmp_path: Path, history: ChatHistory, embedder: MiniLMEmbedder
) -> None:
    # Port 1 on loopback: nothing listens, so opening the store fails with a StoreError
    # whose message quotes the configured URL.
    settings = Settings(home=tmp_path / "home", chroma_url="http://admin:s3cret@127.0.0.1:1")
    app = make_app(Assistant(settings, embedder=embedder), history=history, export_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: app.store_state == "failed", what="the store to fail")
        (message,) = [str(n.message) for n in app._notifications]
        assert "admin:***@127.0.0.1:1" in message
        assert "s3cret" not in message
