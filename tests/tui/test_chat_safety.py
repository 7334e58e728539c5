"""Hostile text in the chat app: markup-like and escape-laden questions, titles and
endpoint errors show as typed, never as markup, never as control characters."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from paper_files import write_jsonl
from textual.widgets import OptionList
from tui_helpers import ask, ask_and_wait, until_ready, wait_until

from assistant.embedding import MiniLMEmbedder
from assistant.history import ChatHistory
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.tui.app import ChatApp
from assistant.tui.screens.picker import PickerScreen
from assistant.tui.screens.source_detail import SourceDetailScreen
from assistant.tui.widgets.question_view import QuestionView

pytestmark = pytest.mark.anyio

HOSTILE = "[/] [bold]x[/bold] \x1b]0;pwned\x07 \x1b[2J \x1b[5m \x9b"
CONTROLS = set(map(chr, [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)]))


def _no_controls(text: str) -> bool:
    return not (set(text) & CONTROLS)


def _notifications(app: ChatApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_a_hostile_question_shows_as_typed_and_reopens_from_history(
    chat_app: Callable[..., ChatApp], openai_server: Any, history: ChatHistory
) -> None:
    question = f"What does DAE-Talker use {HOSTILE}?"
    openai_server.enqueue("It uses latents [1].")
    app = chat_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await until_ready(pilot)
        await ask_and_wait(pilot, question)  # the box drops the controls; markup stays text
        shown = str(app.query_one(QuestionView).render())
        assert "[/] [bold]x[/bold]" in shown and "]0;pwned" in shown
        assert _no_controls(shown)

    # As `assistant ask` saves a question given on the command line: controls and all.
    saved = history.start_conversation(question)
    history.add_question(saved, question, origin="cli")
    reopened = chat_app()
    async with reopened.run_test(size=(80, 24)) as pilot:
        await until_ready(pilot)
        await pilot.press("ctrl+r")  # used to crash with MarkupError on every launch
        await wait_until(pilot, lambda: isinstance(reopened.screen, PickerScreen), what="picker")
        options = reopened.screen.query_one(OptionList)
        label = str(options.get_option_at_index(0).prompt)
        assert "[/] [bold]x[/bold]" in label and _no_controls(label)
        await pilot.press("enter")
        await wait_until(pilot, lambda: reopened.conversation.answers(), what="the reopened chat")
        shown = str(reopened.query_one(QuestionView).render())
        assert "[/] [bold]x[/bold]" in shown and "\\x1b]0;pwned\\x07" in shown
        assert _no_controls(shown)
        assert reopened.is_running


async def test_an_endpoint_error_with_markup_and_escapes_is_shown_verbatim(
    chat_app: Callable[..., ChatApp], openai_server: Any
) -> None:
    openai_server.enqueue(status=400, body={"error": {"message": f"bad request {HOSTILE}"}})
    app = chat_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await until_ready(pilot)
        await ask(pilot, "What does DAE-Talker use?")
        await wait_until(pilot, lambda: _notifications(app), what="the error notification")
        (message,) = _notifications(app)
        assert "bad request [/] [bold]x[/bold]" in message and _no_controls(message)
        await pilot.pause(0.2)  # the toast is rendered without a MarkupError
        assert app.is_running


@pytest.fixture
def hostile_store_assistant(tmp_path: Path, embedder: MiniLMEmbedder) -> Assistant:
    """An offline assistant over a tiny collection whose first title is hostile."""
    papers = tmp_path / "papers.jsonl"
    records = [
        {
            "title": f"{HOSTILE} Diffusion autoencoders for talking heads",
            "abstract": "DAE-Talker uses latent features of a diffusion autoencoder "
            f"instead of handcrafted facial landmarks {HOSTILE}.",
        },
        {"title": "Speech to latents", "abstract": "A Conformer maps speech to latents."},
    ]
    write_jsonl(papers, records)
    assistant = Assistant(Settings(home=tmp_path / "home"), embedder=embedder)
    assistant.ingest([papers])
    return assistant


async def test_hostile_titles_and_abstracts_are_plain_text_everywhere(
    hostile_store_assistant: Assistant, history: ChatHistory, tmp_path: Path
) -> None:
    app = ChatApp(hostile_store_assistant, history=history, export_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await until_ready(pilot)
        await ask_and_wait(pilot, "What does DAE-Talker use instead of facial landmarks?")
        panel = app.sources_panel
        labels = [
            str(panel.option_list.get_option_at_index(i).prompt)
            for i in range(panel.option_list.option_count)
        ]
        assert any("\\x1b]0;pwned\\x07" in label for label in labels), labels
        assert all(_no_controls(label) for label in labels)
        view = app.conversation.answers()[0]
        assert _no_controls(view.markdown.source)

        hostile = next(s.n for s in panel.sources if "pwned" in s.title)
        app.open_source(hostile)
        await wait_until(pilot, lambda: isinstance(app.screen, SourceDetailScreen))
        detail = app.screen
        assert isinstance(detail, SourceDetailScreen)
        for text in (detail.paper_title, detail.abstract):
            assert "[/] [bold]x[/bold]" in text and _no_controls(text)
        await pilot.press("escape")

        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.last_export is not None, what="the export")
        assert app.last_export is not None
        exported = app.last_export.read_text(encoding="utf-8")
        assert "\\x1b" in exported and _no_controls(exported.replace("\n", "").replace("\t", ""))
