"""SVG snapshots of the chat app at 80x24 (``pytest --snapshot-update`` after a deliberate change).

The loopback server's port is random, so the status line's host is pinned before the shot;
the cursor does not blink; answers come from scripted replies over the seeded store; the
error shot uses a closed port so that its message is the same on every run.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tui_helpers import ANSWER_CHUNKS, QUESTION, ask, ask_and_wait, until_ready, wait_until

from assistant.history import ChatHistory
from assistant.service import Assistant
from assistant.tui.app import ChatApp, make_app
from assistant.tui.screens.source_detail import SourceDetailScreen

SIZE = (80, 24)
STEADY_K = 4
"""Papers the answer shots list: the question's 5th to 7th papers score within 0.003 of each
other, and onnxruntime's int8 kernels round differently by CPU (AVX2 against AVX-512), enough
to reorder them; the first four stand clear of one another and of the rest."""


@pytest.fixture
def steady_app(
    chat_app: Callable[..., ChatApp],
    assistant_factory: Callable[..., Assistant],
    openai_server: Any,
) -> Callable[[], ChatApp]:
    """The chat app as ``chat_app()`` makes it, reading the ``STEADY_K`` best papers."""
    assistant = assistant_factory(
        base_url=openai_server.url, model="test-model", max_retries=0, k=STEADY_K
    )
    return lambda: chat_app(assistant)


async def _steady(pilot: Any) -> ChatApp:
    app = await until_ready(pilot)
    app.status.host = "127.0.0.1:8080"
    return app


def test_empty_chat(snap_compare: Any, chat_app: Callable[..., ChatApp]) -> None:
    async def run_before(pilot: Any) -> None:
        await _steady(pilot)

    assert snap_compare(chat_app(), terminal_size=SIZE, run_before=run_before)


def test_answer_with_sources(
    snap_compare: Any, steady_app: Callable[[], ChatApp], openai_server: Any
) -> None:
    openai_server.enqueue(chunks=ANSWER_CHUNKS)

    async def run_before(pilot: Any) -> None:
        await _steady(pilot)
        await ask_and_wait(pilot, QUESTION)

    assert snap_compare(steady_app(), terminal_size=SIZE, run_before=run_before)


def test_answer_with_sources_light_theme(
    snap_compare: Any, steady_app: Callable[[], ChatApp], openai_server: Any
) -> None:
    openai_server.enqueue(chunks=ANSWER_CHUNKS)

    async def run_before(pilot: Any) -> None:
        app = await _steady(pilot)
        app.theme = "textual-light"
        await ask_and_wait(pilot, QUESTION)

    assert snap_compare(steady_app(), terminal_size=SIZE, run_before=run_before)


def test_source_detail(
    snap_compare: Any, steady_app: Callable[[], ChatApp], openai_server: Any
) -> None:
    openai_server.enqueue(chunks=ANSWER_CHUNKS)

    async def run_before(pilot: Any) -> None:
        app = await _steady(pilot)
        await ask_and_wait(pilot, QUESTION)
        await pilot.press("tab", "1")
        await wait_until(pilot, lambda: isinstance(app.screen, SourceDetailScreen))
        await pilot.pause()

    assert snap_compare(steady_app(), terminal_size=SIZE, run_before=run_before)


def test_endpoint_error_notification(
    snap_compare: Any,
    assistant_factory: Callable[..., Assistant],
    history: ChatHistory,
    tmp_path: Path,
) -> None:
    # Nothing listens on port 9: the error (and its text) is the same on every run.
    unreachable = assistant_factory(base_url="http://127.0.0.1:9/v1", model="m", max_retries=0)
    app = make_app(unreachable, history=history, export_dir=tmp_path)

    async def run_before(pilot: Any) -> None:
        await until_ready(pilot)
        await ask(pilot, QUESTION)
        await wait_until(pilot, lambda: app._notifications and not app.streaming)
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
