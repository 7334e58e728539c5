"""Helpers of the chat app tests (driving the app through a Pilot)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot

from assistant.tui.app import ChatApp
from assistant.tui.widgets.answer_view import AnswerView

# A question the bundled papers answer (dev002 of the eval set).
QUESTION = "What does DAE-Talker use in place of handcrafted facial landmarks?"
FOLLOW_UP = "What model maps speech to it?"
ANSWER_CHUNKS = [
    "DAE-Talker ",
    "uses ",
    "latent ",
    "features ",
    "of a ",
    "diffusion ",
    "autoencoder ",
    "[1].",
]
ANSWER_TEXT = "".join(ANSWER_CHUNKS)


async def wait_until(
    pilot: Pilot[Any], predicate: Callable[[], object], timeout: float = 20.0, what: str = ""
) -> None:
    """Let the app run until ``predicate()`` holds (instead of sleeping a fixed time)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        await pilot.pause(0.02)


async def until_ready(pilot: Pilot[Any]) -> ChatApp:
    app = pilot.app
    assert isinstance(app, ChatApp)
    await wait_until(pilot, lambda: app.store_state == "ready", what="the store to open")
    app.prompt_input.cursor_blink = False
    return app


async def ask(pilot: Pilot[Any], question: str) -> None:
    """Type the question into the focused box and press Enter."""
    app = pilot.app
    assert isinstance(app, ChatApp)
    app.prompt_input.focus()
    app.prompt_input.set_text(question)
    await pilot.press("enter")


async def ask_and_wait(pilot: Pilot[Any], question: str, timeout: float = 20.0) -> None:
    """Ask and wait for the answer; an error notification fails at once, with its text."""
    app = pilot.app
    assert isinstance(app, ChatApp)
    before = len(app.turns)
    await ask(pilot, question)

    def answered() -> bool:
        errors = [str(n.message) for n in app._notifications if n.severity == "error"]
        assert not errors, f"the app reported an error: {errors}"
        return len(app.turns) > before and not app.streaming

    await wait_until(pilot, answered, timeout=timeout, what="the answer")
    await pilot.pause()


async def first_answer(pilot: Pilot[Any], question: str) -> AnswerView:
    """Wait for the store, ask ``question``, wait for its answer, and return its view."""
    app = await until_ready(pilot)
    await ask_and_wait(pilot, question)
    return app.conversation.answers()[0]
