"""The chat app against a real OpenAI-compatible server we did not write (llama.cpp, Gemma 3
270M), started by ``.ci/run`` as ``ASSISTANT_TEST_LLAMA_URL``. The model is small, so this
checks the path (listed models, streamed text, a final answer with numbered sources, Esc),
not the answer's quality. Skipped without the variable on a workstation; fails under CI."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from tui_helpers import QUESTION, ask, ask_and_wait, until_ready, wait_until

from assistant.history import ChatHistory
from assistant.service import Assistant
from assistant.tui.app import ChatApp
from assistant.tui.screens.picker import PickerScreen

pytestmark = [pytest.mark.llama, pytest.mark.anyio]


@pytest.fixture
def llama_assistant(assistant_factory: Callable[..., Assistant]) -> Assistant:
    url = os.environ.get("ASSISTANT_TEST_LLAMA_URL")
    if not url:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but ASSISTANT_TEST_LLAMA_URL is unset")
        pytest.skip("set ASSISTANT_TEST_LLAMA_URL to a llama-cpp-python server to run this")
    # A short answer keeps the test quick on 2 cores; the server runs with --n_ctx 4096.
    return assistant_factory(
        base_url=url, context_window=4096, max_tokens=48, temperature=0.0, timeout=120
    )


async def test_chat_with_a_real_model_server(
    llama_assistant: Assistant, history: ChatHistory, tmp_path: object
) -> None:
    app = ChatApp(llama_assistant, history=history)
    async with app.run_test(size=(80, 24)) as pilot:
        await until_ready(pilot)
        assert str(app.status.query_one("#status-text").render()).startswith("llm ·")

        await app.run_action("pick_model")  # the server's /v1/models
        await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen), timeout=60)
        assert app.screen.options  # type: ignore[attr-defined]
        await pilot.press("escape")

        await ask_and_wait(pilot, QUESTION, timeout=240)
        view = app.conversation.answers()[0]
        assert view.answer is not None and view.answer.mode == "llm"
        assert view.answer.text.strip() and view.answer.model
        sources = app.sources_panel.sources
        assert [s.n for s in sources] == list(range(1, len(sources) + 1)) and sources

        # Esc during a real stream keeps what arrived and frees the box.
        await ask(pilot, "How does DAE-Talker produce natural head movements?")
        await wait_until(pilot, lambda: len(app.conversation.answers()) == 2)
        second = app.conversation.answers()[1]
        await wait_until(pilot, lambda: second.partial_text or not app.streaming, timeout=120)
        await pilot.press("escape")
        assert not app.streaming
