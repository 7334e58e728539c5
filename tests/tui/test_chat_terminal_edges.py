"""The chat app at the edges of the terminal: a pane shrunk to a few columns, Ctrl+C over
selected text, the palette's entries, and a bug ending the app (one line, not a traceback)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandPalette
from textual.selection import Selection
from textual.widgets import Markdown
from tui_helpers import (
    ANSWER_CHUNKS,
    QUESTION,
    ask,
    ask_and_wait,
    until_ready,
    wait_until,
)

from assistant.cli.chat import exit_status
from assistant.tui.app import ChatApp
from assistant.tui.widgets.answer_view import AnswerView

pytestmark = pytest.mark.anyio

# Down to one column, and a one-line terminal on the way: Textual crashed laying out
# text at width 0 (the question box below 7 columns, a picker below 15, the palette below 8).
SHRINKING = [(w, h) for w in (20, 14, 10, 7, 6, 4, 1) for h in (24, 1)]


async def _open(app: ChatApp, pilot: Any, what: str) -> None:
    if what == "picker":
        await app.run_action("pick_k")
    elif what == "palette":
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette), what="palette")


@pytest.mark.parametrize("what", ["chat", "picker", "palette"])
async def test_a_pane_shrunk_to_a_few_columns_does_not_crash_the_app(
    chat_app: Callable[..., ChatApp], openai_server: Any, what: str
) -> None:
    openai_server.enqueue(chunks=ANSWER_CHUNKS)
    app = chat_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await until_ready(pilot)
        await ask_and_wait(pilot, QUESTION)
        await _open(app, pilot, what)
        for width, height in SHRINKING:
            await pilot.resize_terminal(width, height)
            await pilot.pause(0.05)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert app.is_running and app.crash is None


async def test_ctrl_c_copies_selected_text_and_quits_when_nothing_is_selected(
    chat_app: Callable[..., ChatApp], openai_server: Any
) -> None:
    openai_server.enqueue(chunks=ANSWER_CHUNKS)
    app = chat_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await until_ready(pilot)
        await ask_and_wait(pilot, QUESTION)

        # Text selected with the mouse in an answer.
        paragraph = app.conversation.query_one(AnswerView).query_one(Markdown).children[0]
        app.screen.selections = {paragraph: Selection(None, None)}
        await pilot.press("ctrl+c")
        assert app.is_running
        assert app.clipboard.startswith("DAE-Talker uses latent features")

        # Text selected in the question box.
        app.prompt_input.set_text("diffusion autoencoder")
        app.prompt_input.select_all()
        app.screen.selections = {}
        await pilot.press("ctrl+c")
        assert app.is_running and app.clipboard == "diffusion autoencoder"

        app.prompt_input.set_text("")
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert not app.is_running


async def test_ctrl_c_stops_an_answer_being_written_and_quits_after(
    chat_app: Callable[..., ChatApp], openai_server: Any
) -> None:
    openai_server.enqueue(chunks=ANSWER_CHUNKS, chunk_delay=0.5)
    app = chat_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await until_ready(pilot)
        await ask(pilot, QUESTION)
        await wait_until(
            pilot,
            lambda: app.conversation.answers() and app.conversation.answers()[0].partial_text,
            what="the first words",
        )
        await pilot.press("ctrl+c")  # as in `ollama run` or aichat: the reply stops
        await pilot.pause()
        view = app.conversation.answers()[0]
        assert app.is_running and not app.streaming and view.has_class("-partial")
        assert app.focused is app.prompt_input
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert not app.is_running


async def test_the_palette_lists_one_keys_entry(chat_app: Callable[..., ChatApp]) -> None:
    app = chat_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await until_ready(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Keys" not in titles and "Theme" in titles and "Quit" in titles


async def test_a_bug_ends_the_app_with_one_line_naming_a_crash_log(
    chat_app: Callable[..., ChatApp],
    openai_server: Any,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    async def broken_append(self: AnswerView, text: str) -> None:
        raise RuntimeError("a bug while showing the answer")

    monkeypatch.setattr(AnswerView, "append", broken_append)
    openai_server.enqueue(chunks=ANSWER_CHUNKS)
    app = chat_app()
    with pytest.raises(RuntimeError):  # run_test re-raises what ended the app
        async with app.run_test(size=(80, 24)) as pilot:
            await until_ready(pilot)
            await ask(pilot, QUESTION)
            await wait_until(pilot, lambda: app.crash is not None, what="the crash")
    assert "Traceback" not in capfd.readouterr().err  # Textual printed it, locals and all

    assert exit_status(app) == 1
    (line,) = capfd.readouterr().err.splitlines()
    assert line.startswith("error: unexpected RuntimeError: a bug while showing the answer")
    log = Path(line.rsplit("details are in ", 1)[1].rstrip(")"))
    assert "Traceback" in log.read_text(encoding="utf-8")
