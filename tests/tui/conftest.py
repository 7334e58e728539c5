"""Fixtures of the chat app tests: the real app over the seeded store, talking to the
loopback OpenAI-protocol server (or offline), with history and exports in tmp."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assistant.history import ChatHistory
from assistant.service import Assistant
from assistant.tui.app import ChatApp, make_app


@pytest.fixture
def history(tmp_path: Path) -> ChatHistory:
    return ChatHistory(tmp_path / "history" / "chat_history.sqlite3")


@pytest.fixture
def llm_assistant(assistant_factory: Callable[..., Assistant], openai_server: Any) -> Assistant:
    """Over the seeded store, answering with the loopback server (no retries: errors show fast)."""
    return assistant_factory(base_url=openai_server.url, model="test-model", max_retries=0)


@pytest.fixture
def chat_app(
    llm_assistant: Assistant, history: ChatHistory, tmp_path: Path
) -> Callable[..., ChatApp]:
    """``chat_app()``: a fresh app over the LLM assistant; ``chat_app(other_assistant)`` too."""

    def make(assistant: Assistant | None = None) -> ChatApp:
        return make_app(
            assistant or llm_assistant, history=history, export_dir=tmp_path / "exports"
        )

    return make


@pytest.fixture
def anyio_backend() -> str:
    """The app tests are coroutines run by anyio's pytest plugin, on asyncio (Textual's loop)."""
    return "asyncio"
