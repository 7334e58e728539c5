"""What the other commands do while an answer is being written: the answer is stopped and
kept, and what the screen then shows agrees with the history."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from tui_helpers import (
    ANSWER_CHUNKS,
    FOLLOW_UP,
    QUESTION,
    ask,
    ask_and_wait,
    until_ready,
    wait_until,
)

from assistant.history import CANCELLED, ChatHistory
from assistant.tui.app import ChatApp
from assistant.tui.presenting import STOPPED_NOTE
from assistant.tui.screens.picker import PickerScreen
from assistant.tui.widgets.answer_view import AnswerView

pytestmark = pytest.mark.anyio


def _note(view: AnswerView) -> str:
    return str(view.query_one(".answer-note").render())


async def test_reopening_the_conversation_being_answered_shows_its_answer_stopped(
    chat_app: Callable[..., ChatApp], openai_server: Any, history: ChatHistory
) -> None:
    openai_server.enqueue(chunks=ANSWER_CHUNKS, chunk_delay=0.4)
    app = chat_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await until_ready(pilot)
        await ask(pilot, QUESTION)
        await wait_until(
            pilot,
            lambda: app.conversation.answers() and app.conversation.answers()[0].partial_text,
            what="the first words",
        )
        streaming_view = app.conversation.answers()[0]
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen), what="the picker")
        await pilot.press("enter")  # the current conversation, highlighted
        await wait_until(
            pilot,
            lambda: app.conversation.answers() not in ([], [streaming_view]),
            what="the reopened conversation",
        )
        (view,) = app.conversation.answers()
        assert _note(view) == STOPPED_NOTE  # not "Interrupted — the app stopped …"
        assert view.partial_text and ANSWER_CHUNKS[0].strip() in view.partial_text
        assert not app.streaming
        (turn,) = history.load(history.conversations()[0].id).turns
        # (The answer's thread may save a last piece that arrived as it was stopped.)
        assert turn.status == CANCELLED and turn.answer.startswith(view.partial_text)


async def test_stopping_before_the_model_is_asked_does_not_ask_it(
    chat_app: Callable[..., ChatApp], openai_server: Any, history: ChatHistory
) -> None:
    openai_server.enqueue(chunks=ANSWER_CHUNKS)
    # The follow-up is first rewritten into a standalone question, slowly; Esc comes then.
    openai_server.enqueue("What model maps speech to DAE-Talker's latents?", delay=1.0)
    openai_server.enqueue("A Conformer [1].")
    app = chat_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await until_ready(pilot)
        await ask_and_wait(pilot, QUESTION)
        await ask(pilot, FOLLOW_UP)
        await wait_until(pilot, lambda: len(openai_server.chat_requests) == 2, what="rewrite")
        await pilot.press("escape")
        assert not app.streaming

        def stop_saved() -> bool:
            turns = history.load(history.conversations()[0].id).turns
            return len(turns) == 2 and turns[1].status == CANCELLED

        # Saved by the answer's thread as it ends: by then it would have asked the model.
        await wait_until(pilot, stop_saved, what="the stopped answer saved")
        assert len(openai_server.chat_requests) == 2


async def test_export_waits_for_the_answer_being_written(
    chat_app: Callable[..., ChatApp], openai_server: Any
) -> None:
    openai_server.enqueue(chunks=ANSWER_CHUNKS, chunk_delay=0.3)
    app = chat_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await until_ready(pilot)
        await ask(pilot, QUESTION)
        await wait_until(pilot, lambda: app.conversation_id is not None, what="the question saved")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app._notifications, what="a notice")
        (notice,) = [(n.severity, str(n.message)) for n in app._notifications]
        assert notice[0] == "warning" and "still being written" in notice[1]
        assert app.last_export is None  # not exported as "interrupted: the app stopped"
        await wait_until(pilot, lambda: not app.streaming, what="the answer")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.last_export is not None, what="the export")
        assert app.last_export is not None
        assert "interrupted" not in app.last_export.read_text(encoding="utf-8")


async def test_escape_in_the_sources_list_stops_the_answer_too(
    chat_app: Callable[..., ChatApp], openai_server: Any
) -> None:
    openai_server.enqueue(chunks=ANSWER_CHUNKS, chunk_delay=0.4)
    app = chat_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await until_ready(pilot)
        await ask(pilot, QUESTION)
        await wait_until(
            pilot,
            lambda: app.conversation.answers() and app.conversation.answers()[0].partial_text,
            what="the first words",
        )
        await pilot.press("tab")
        assert app.focused is app.sources_panel.option_list
        await pilot.press("escape")
        await pilot.pause()
        assert not app.streaming and app.conversation.answers()[0].has_class("-partial")
        assert app.focused is app.prompt_input
