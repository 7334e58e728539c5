"""The chat app shows an answer's lines as written: a single newline is a line break, while
it streams and once it is done, offline and from a model; Markdown stays Markdown."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.geometry import Region
from textual.widgets import Static
from textual.widgets.markdown import MarkdownBlock, MarkdownFence
from tui_helpers import QUESTION, ask, ask_and_wait, first_answer, until_ready, wait_until

from assistant.answer_notes import OFFLINE_HINT
from assistant.service import Assistant
from assistant.tui.app import ChatApp
from assistant.tui.widgets.answer_view import AnswerView

pytestmark = pytest.mark.anyio

SEVERAL_PAPERS = "How do language models handle long contexts?"  # three papers, offline


def shown_rows(view: AnswerView) -> list[str]:
    """The rows the answer's Markdown shows on screen, as text."""
    rows: list[str] = []
    for block in view.markdown.query(MarkdownBlock):
        width, height = block.size
        rows += [strip.text.strip() for strip in block.render_lines(Region(0, 0, width, height))]
    return rows


def starts_a_row(view: AnswerView, text: str) -> bool:
    return any(row.startswith(text) for row in shown_rows(view))


async def test_model_lines_are_shown_as_lines_while_streaming_and_after(
    chat_app: Callable[..., ChatApp], openai_server: Any
) -> None:
    first, second = "DAE-Talker uses diffusion latents [1].", "A Conformer maps speech [1]."
    # Slow enough (~6 s) to be looked at while it streams, even on a busy machine.
    tail = [f" word{i}" for i in range(30)]
    openai_server.enqueue(chunks=[first + "\n", second, *tail], chunk_delay=0.2)
    app = chat_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await until_ready(pilot)
        await ask(pilot, QUESTION)
        await wait_until(pilot, lambda: app.conversation.answers(), what="the answer view")
        view = app.conversation.answers()[0]
        await wait_until(pilot, lambda: starts_a_row(view, "A Conformer"), what="a line break")
        assert view.answer is None  # seen while streaming
        await wait_until(pilot, lambda: not app.streaming, what="the final answer")
        await pilot.pause()
        assert starts_a_row(view, "DAE-Talker uses") and starts_a_row(view, "A Conformer")


async def test_offline_answer_shows_one_line_per_paper(
    chat_app: Callable[..., ChatApp], seeded_assistant: Assistant
) -> None:
    app = chat_app(seeded_assistant)
    async with app.run_test(size=(100, 40)) as pilot:
        await until_ready(pilot)
        await ask_and_wait(pilot, SEVERAL_PAPERS)
        view = app.conversation.answers()[0]
        assert view.answer is not None
        lines = view.answer.text.split(OFFLINE_HINT)[0].strip().splitlines()
        assert len(lines) >= 3
        for line in lines:
            assert starts_a_row(view, line[:20].rstrip()), (line, shown_rows(view))


async def test_markdown_blocks_and_markup_in_an_answer(
    chat_app: Callable[..., ChatApp], openai_server: Any
) -> None:
    openai_server.enqueue(
        "## Findings\n"
        "- first point [1]\n- second point [1]\n\n"
        "| model | input |\n|---|---|\n| DAE-Talker | speech |\n\n"
        "```\nlatents = encode(video)\nframes = decode(latents)\n```\n\n"
        "Line one [1].\n[bold red]not markup[/] [1]."
    )
    app = chat_app()
    async with app.run_test(size=(100, 40)) as pilot:
        view = await first_answer(pilot, QUESTION)
        rows = shown_rows(view)
        assert "Line one [1]. ⚠" in rows  # (⚠: the loopback model's claims are unchecked)
        assert "[bold red]not markup[/] [1]. ⚠" in rows  # data, never markup
        markdown = view.markdown
        assert len(markdown.query("MarkdownH2")) == 1 and "Findings" in rows
        assert len(markdown.query("MarkdownBulletList MarkdownBullet")) == 2
        assert "first point [1] ⚠" in rows and "second point [1] ⚠" in rows
        cells = markdown.query("MarkdownTable MarkdownTableCellContents").results(Static)
        # The row cites nothing: its mark stands in its last cell.
        shown_cells = [str(cell.content) for cell in cells]
        assert shown_cells == ["model", "input", "DAE-Talker", "speech ⚠"]
        code = markdown.query_one(MarkdownFence).code
        assert code == "latents = encode(video)\nframes = decode(latents)"


async def test_html_like_text_in_an_answer_is_shown_as_written(
    chat_app: Callable[..., ChatApp], openai_server: Any
) -> None:
    # Papers about masked language models write "<mask>"; as HTML it would vanish.
    openai_server.enqueue("DAE-Talker predicts <mask> tokens where a<b and c>d [1].")
    app = chat_app()
    async with app.run_test(size=(100, 30)) as pilot:
        view = await first_answer(pilot, QUESTION)
        assert any("<mask> tokens where a<b and c>d" in row for row in shown_rows(view))
