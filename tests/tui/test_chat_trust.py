"""What the chat app says about trust: unsupported sentences dimmed and marked, reasoning
folded away, a cut-off answer noted, and the offline hint once per session."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openai_server import Reply
from textual.widgets import Collapsible, Markdown, Static
from tui_helpers import QUESTION, ask, ask_and_wait, first_answer, until_ready, wait_until

from assistant.answer_notes import OFFLINE_HINT
from assistant.history import ChatHistory
from assistant.service import Assistant
from assistant.text import split_sentences
from assistant.tui.app import ChatApp

pytestmark = pytest.mark.anyio


def _first_sentence_of_source(assistant: Assistant, n: int) -> str:
    hit = assistant.search(QUESTION, assistant.settings.k)[n - 1]
    return split_sentences(assistant.paper(hit.paper_id).abstract)[0].rstrip(".")


async def test_a_misattributed_sentence_is_dimmed_and_marked(
    chat_app: Callable[..., ChatApp], openai_server: Any, llm_assistant: Assistant
) -> None:
    copied = _first_sentence_of_source(llm_assistant, 1)
    openai_server.enqueue(f"{copied} [2].")  # source 1's words, cited to source 2
    app = chat_app()
    async with app.run_test(size=(100, 30)) as pilot:
        view = await first_answer(pilot, QUESTION)
        assert view.answer is not None and not view.answer.claims[0].supported
        assert view.has_class("-unsupported")
        warning = str(view.query_one(".answer-claims", Static).render())
        assert warning.startswith("⚠ not supported by [2]")
        assert "⚠" in view.query_one(Markdown).source


async def test_reasoning_is_folded_and_a_cut_answer_is_noted(
    chat_app: Callable[..., ChatApp], openai_server: Any
) -> None:
    openai_server.enqueue(
        Reply(
            chunks=["<think>Source [3] looks", " relevant.</think>", "Latents [1] and"],
            finish_reason="length",
        )
    )
    app = chat_app()
    async with app.run_test(size=(100, 30)) as pilot:
        view = await first_answer(pilot, QUESTION)
        assert view.answer is not None and view.answer.truncated
        assert "relevant" not in view.query_one(Markdown).source
        folded = view.query_one(Collapsible)
        body = folded.query_one(".answer-reasoning", Static)
        assert folded.collapsed and "relevant" in str(body.render())
        note = str(view.query_one(".answer-note", Static).render())
        assert "cut off at the token limit" in note and "max_tokens" in note


async def test_the_offline_hint_is_shown_once_per_session(
    seeded_assistant: Assistant, history: ChatHistory, tmp_path: Path
) -> None:
    app = ChatApp(seeded_assistant, history=history, export_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await until_ready(pilot)
        await ask_and_wait(pilot, QUESTION)
        await ask_and_wait(pilot, "What does ALBERT do to reduce the number of parameters?")
        hints = [n for n in app._notifications if str(n.message) == OFFLINE_HINT]
        assert len(hints) == 1
        for view in app.conversation.answers():
            assert view.answer is not None and OFFLINE_HINT not in view.answer.text


async def test_a_reply_that_cites_nothing_is_noted_as_no_grounded_answer(
    chat_app: Callable[..., ChatApp], openai_server: Any
) -> None:
    # Not a decline: the papers may hold the answer, the model just cited none of them.
    openai_server.enqueue("Transformers are neural networks.")
    app = chat_app()
    async with app.run_test(size=(100, 30)) as pilot:
        view = await first_answer(pilot, QUESTION)
        assert view.answer is not None and not view.answer.answered
        note = str(view.query_one(".answer-note", Static).render())
        assert note.startswith("No grounded answer") and "covered" not in note


async def test_thinking_a_chat_template_opened_leaves_the_screen_when_it_closes(
    chat_app: Callable[..., ChatApp], openai_server: Any
) -> None:
    # The template wrote <think>, so the reply starts inside it: until </think> comes, the
    # thinking looks like answer text and streams in as such.
    thinking = ["Let me ", "think.", "</think>"]
    answer = ["DAE-Talker ", "uses ", "diffusion ", "latents ", "[1]."]
    openai_server.enqueue(Reply(chunks=thinking + answer, chunk_delay=0.3))
    app = chat_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await until_ready(pilot)
        await ask(pilot, QUESTION)
        view = app.conversation.answers()[0]
        await wait_until(pilot, lambda: "think" in view.partial_text, what="the thinking")
        await wait_until(pilot, lambda: "DAE-Talker" in view.partial_text, what="the answer")
        # still streaming, and the thinking is gone from the text and from the screen
        assert view.answer is None
        assert "think" not in view.partial_text
        assert "think" not in view.query_one(Markdown).source
        await wait_until(pilot, lambda: not app.streaming, what="the final answer")
        await pilot.pause()
        assert view.answer is not None and view.answer.reasoning == "Let me think."


async def test_an_answer_despite_a_name_no_paper_writes_says_so_under_it(
    seeded_assistant: Assistant, history: ChatHistory, tmp_path: Path
) -> None:
    app = ChatApp(seeded_assistant, history=history, export_dir=tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await until_ready(pilot)
        await ask_and_wait(pilot, "How does XLM-E pretrain cross-lingual encoders?")
        (view,) = app.conversation.answers()
        assert view.answer is not None and view.answer.answered
        note = str(view.query_one(".answer-note", Static).render())
        assert "no paper found mentions XLM-E" in note
    (saved,) = history.conversations()
    (turn,) = history.load(saved.id).turns
    assert turn.caveats == ["no paper found mentions XLM-E"]
