"""The chat app end to end: the real app, the seeded store, the loopback OpenAI server."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Markdown, OptionList
from tui_helpers import (
    ANSWER_CHUNKS,
    ANSWER_TEXT,
    FOLLOW_UP,
    QUESTION,
    ask,
    ask_and_wait,
    until_ready,
    wait_until,
)

from assistant.history import CANCELLED, COMPLETE, ChatHistory
from assistant.service import Assistant
from assistant.tui.app import ChatApp
from assistant.tui.screens.source_detail import SourceDetailScreen

pytestmark = pytest.mark.anyio


def _errors(app: ChatApp) -> list[str]:
    return [str(n.message) for n in app._notifications if n.severity == "error"]


async def test_ask_streams_the_answer_and_lists_its_sources(
    chat_app: Callable[..., ChatApp], openai_server: Any, history: ChatHistory
) -> None:
    openai_server.enqueue(chunks=ANSWER_CHUNKS, chunk_delay=0.2)
    app = chat_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await until_ready(pilot)
        assert app.status.papers == "290 papers"
        await ask(pilot, QUESTION)
        await wait_until(pilot, lambda: app.conversation.answers(), what="the answer view")
        view = app.conversation.answers()[0]
        # The answer grows piece by piece while it streams.
        seen: set[str] = set()

        def finished() -> bool:
            if app.streaming and view.partial_text:
                seen.add(view.partial_text)
            return view.answer is not None

        await wait_until(pilot, finished, what="the final answer")
        assert len(seen) >= 2 and all(ANSWER_TEXT.startswith(text) for text in seen)
        # The panel lists the sources once retrieval is done and marks the cited ones once
        # the answer is: wait for the marks, not just for the list.
        await wait_until(
            pilot, lambda: any(s.cited for s in app.sources_panel.sources), what="the citations"
        )

        assert view.answer is not None and view.answer.text == ANSWER_TEXT
        assert "diffusion autoencoder" in view.query_one(Markdown).source
        assert app.prompt_input.text == ""
        panel = app.sources_panel
        assert [s.n for s in panel.sources] == list(range(1, len(panel.sources) + 1))
        assert len(panel.sources) == app.k == 5
        assert [s.n for s in panel.sources if s.cited] == [1]
        labels = [str(panel.option_list.get_option_at_index(i).prompt) for i in range(5)]
        assert labels[0].startswith("● [1]") and all(label.startswith("○") for label in labels[1:])
        assert "DAE-Talker" in panel.sources[0].title
        request = openai_server.chat_requests[-1]
        assert QUESTION in request.message("user")

    saved = history.load(history.conversations()[0].id).turns
    assert [(t.question, t.answer, t.status) for t in saved] == [(QUESTION, ANSWER_TEXT, COMPLETE)]


async def test_open_a_source_from_the_panel_a_digit_or_a_citation(
    chat_app: Callable[..., ChatApp], openai_server: Any, llm_assistant: Assistant
) -> None:
    openai_server.enqueue(chunks=ANSWER_CHUNKS)
    app = chat_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await until_ready(pilot)
        await ask_and_wait(pilot, QUESTION)
        first = app.sources_panel.sources[0]

        await pilot.press("tab")  # to the sources
        assert isinstance(app.focused, OptionList)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, SourceDetailScreen), what="detail")
        detail = app.screen
        assert isinstance(detail, SourceDetailScreen)
        paper = llm_assistant.paper(first.paper_id)
        assert (detail.n, detail.paper_title, detail.abstract) == (1, paper.title, paper.abstract)
        assert detail.cited
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, SourceDetailScreen))
        assert app.focused is app.prompt_input  # closing a dialog returns to the question box

        await pilot.press("tab", "3")  # in the sources, a digit opens that source
        await wait_until(pilot, lambda: isinstance(app.screen, SourceDetailScreen), what="[3]")
        assert app.screen.n == 3 and not app.screen.cited  # type: ignore[attr-defined]
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, SourceDetailScreen))

        # Clicking the [1] in the answer text (a cite: link) opens source 1.
        view = app.conversation.answers()[0]
        assert "(cite:1)" in view.query_one(Markdown).source
        markdown = view.query_one(Markdown)
        markdown.post_message(Markdown.LinkClicked(markdown, "cite:1"))
        await wait_until(pilot, lambda: isinstance(app.screen, SourceDetailScreen), what="cite")
        assert app.screen.n == 1  # type: ignore[attr-defined]


async def test_follow_up_sends_the_conversation_as_context(
    chat_app: Callable[..., ChatApp], openai_server: Any
) -> None:
    openai_server.enqueue(chunks=ANSWER_CHUNKS)
    openai_server.enqueue("What model maps speech to DAE-Talker's diffusion autoencoder latents?")
    openai_server.enqueue("A Conformer-based speech2latent model [1].")
    app = chat_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await until_ready(pilot)
        await ask_and_wait(pilot, QUESTION)
        await ask_and_wait(pilot, FOLLOW_UP)

        assert [t.question for t in app.turns] == [QUESTION, FOLLOW_UP]
        condense = openai_server.chat_requests[-2]
        # The earlier exchange reached the model as context for the follow-up.
        assert QUESTION in str(condense.messages) and FOLLOW_UP in str(condense.messages)
        assert "Conformer" in app.turns[1].answer
        views = app.conversation.answers()
        assert len(views) == 2 and views[1].has_class("-selected")
        assert not views[0].has_class("-selected")
        await pilot.press("tab", "left")  # the previous answer's sources
        assert views[0].has_class("-selected")
        assert app.sources_panel.sources == views[0].sources


async def test_escape_stops_the_answer_and_keeps_the_partial_text(
    chat_app: Callable[..., ChatApp], openai_server: Any, history: ChatHistory
) -> None:
    openai_server.enqueue(chunks=[f"word{i} " for i in range(200)], chunk_delay=0.05)
    app = chat_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await until_ready(pilot)
        await ask(pilot, QUESTION)
        await wait_until(pilot, lambda: app.conversation.answers())
        view = app.conversation.answers()[0]
        await wait_until(pilot, lambda: "word3" in view.partial_text, what="some streamed text")
        await pilot.press("escape")

        assert not app.streaming
        assert view.has_class("-partial")
        assert "Stopped" in str(view.query_one(".answer-note").render())
        kept = view.partial_text
        assert kept.startswith("word0 word1 word2 word3")
        await pilot.pause(0.3)
        assert view.partial_text == kept  # nothing more arrives after Esc
        assert app.turns == []  # a stopped answer is no context for follow-ups

        # The worker closes the stream and saves the turn as cancelled.
        def saved_turn() -> Any:
            chats = history.conversations()
            return chats and history.load(chats[0].id).turns[0]

        await wait_until(pilot, lambda: saved_turn() and saved_turn().status == CANCELLED)
        assert saved_turn().answer.startswith("word0 word1 word2 word3")
        # The app takes the next question.
        await ask_and_wait(pilot, QUESTION)
        assert app.turns[0].answer == "The collection answers this [1]."


async def test_endpoint_error_is_notified_and_the_question_returns_for_a_retry(
    chat_app: Callable[..., ChatApp], openai_server: Any
) -> None:
    openai_server.enqueue(status=503)
    app = chat_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await until_ready(pilot)
        await ask(pilot, QUESTION)
        await wait_until(pilot, lambda: _errors(app), what="an error notification")

        assert "503" in _errors(app)[0]
        assert app.prompt_input.text == QUESTION
        assert app.conversation.answers() == [] and not app.streaming
        assert app.is_running

        await pilot.press("enter")  # retry: the server answers this time
        await wait_until(pilot, lambda: app.turns, what="the retried answer")
        assert app.turns[0].question == QUESTION
        assert len(app.conversation.answers()) == 1


async def test_unreachable_endpoint_keeps_the_app_running(
    assistant_factory: Callable[..., Assistant], history: ChatHistory, tmp_path: Path
) -> None:
    unreachable = assistant_factory(base_url="http://127.0.0.1:9/v1", max_retries=0, timeout=2)
    app = ChatApp(unreachable, history=history, export_dir=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await until_ready(pilot)
        await ask(pilot, QUESTION)
        await wait_until(pilot, lambda: _errors(app), what="an error notification")
        assert "127.0.0.1:9" in _errors(app)[0]
        assert app.prompt_input.text == QUESTION and app.is_running


async def test_offline_app_answers_extractively(
    seeded_assistant: Assistant, history: ChatHistory, tmp_path: Path
) -> None:
    app = ChatApp(seeded_assistant, history=history, export_dir=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await until_ready(pilot)
        text = str(app.status.query_one("#status-text").render())
        assert text.startswith("extractive") and "offline" in text and "290 papers" in text
        await ask_and_wait(pilot, QUESTION)
        view = app.conversation.answers()[0]
        assert view.answer is not None and view.answer.mode == "extractive"
        assert view.answer.answered and view.answer.citations
        assert any(s.cited for s in app.sources_panel.sources)


async def test_first_run_ingest_shows_a_progress_bar(
    chat_app: Callable[..., ChatApp],
) -> None:
    from textual.widgets import ProgressBar

    from assistant.tui.messages import StoreProgress, StoreReady

    app = chat_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await until_ready(pilot)
        app.post_message(StoreProgress(40, 290, "Embedding"))
        await pilot.pause()
        bar = app.status.query_one(ProgressBar)
        assert bar.display and bar.progress == 40 and bar.total == 290
        assert app.status.papers == "Embedding 40/290"
        app.post_message(StoreReady(290))
        await pilot.pause()
        assert not bar.display and app.status.papers == "290 papers"


async def test_questions_wait_for_the_store(chat_app: Callable[..., ChatApp]) -> None:
    app = chat_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await until_ready(pilot)
        app.store_state = "opening"  # as during a first-run ingest
        await ask(pilot, QUESTION)
        await pilot.pause()
        assert app.prompt_input.text == QUESTION and app.conversation.answers() == []
        assert any("not ready" in str(n.message) for n in app._notifications)


async def test_quitting_mid_answer_keeps_question_and_partial_answer(
    chat_app: Callable[..., ChatApp], openai_server: Any, history: ChatHistory
) -> None:
    import time

    openai_server.enqueue(chunks=[f"word{i} " for i in range(400)], chunk_delay=0.05)
    app = chat_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await until_ready(pilot)
        await ask(pilot, QUESTION)
        await wait_until(pilot, lambda: app.conversation.answers())
        view = app.conversation.answers()[0]
        await wait_until(pilot, lambda: "word2" in view.partial_text, what="some streamed text")
    # The app has quit; its worker stops at the next piece and saves what it had.
    deadline = time.monotonic() + 10
    while True:
        turn = history.load(history.conversations()[0].id).turns[0]
        if turn.status == CANCELLED or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert turn.question == QUESTION and turn.status == CANCELLED
    assert turn.answer.startswith("word0 word1 word2")


async def test_scroll_follows_the_stream_until_the_user_scrolls_up(
    chat_app: Callable[..., ChatApp], openai_server: Any
) -> None:
    # Long and slow enough (~6 s) to still be streaming after the scroll, even on a busy CI.
    lines = [f"Line {i} of a long answer [1].\n\n" for i in range(150)]
    openai_server.enqueue(chunks=lines, chunk_delay=0.04)
    app = chat_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await until_ready(pilot)
        await ask(pilot, QUESTION)
        conversation = app.conversation
        await wait_until(pilot, lambda: conversation.max_scroll_y > 10, what="a tall answer")
        await pilot.pause(0.1)
        assert conversation.scroll_y >= conversation.max_scroll_y - 1  # following the end

        conversation.scroll_up(animate=False)  # the user reads something further up
        await pilot.pause(0.1)
        held = conversation.scroll_y
        await wait_until(pilot, lambda: conversation.max_scroll_y > held + 10, what="more text")
        assert conversation.scroll_y == held  # not dragged back down while reading
        await wait_until(pilot, lambda: not app.streaming, what="the end of the answer")


async def test_sources_are_listed_before_the_model_writes_anything(
    chat_app: Callable[..., ChatApp], openai_server: Any
) -> None:
    # The server holds its reply: retrieval is long done, the model has said nothing yet.
    openai_server.enqueue(chunks=ANSWER_CHUNKS, delay=3.0)
    app = chat_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await until_ready(pilot)
        await ask(pilot, QUESTION)
        await wait_until(pilot, lambda: app.sources_panel.sources, what="the sources")
        view = app.conversation.answers()[0]
        assert view.partial_text == "" and view.answer is None
        assert len(app.sources_panel.sources) == app.k
        assert "DAE-Talker" in app.sources_panel.sources[0].title
        await wait_until(pilot, lambda: "Asking the model" in _note(view), what="the note")
        await wait_until(pilot, lambda: not app.streaming, what="the final answer")
        assert view.answer is not None


def _note(view: Any) -> str:
    return str(view.query_one(".answer-note").render())


def test_range_and_list_citations_become_links() -> None:
    from assistant.tui.widgets.answer_view import link_citations

    linked = link_citations("Both [1-3] and [2, 4]; not [x].")
    for n in (1, 2, 3, 4):
        assert f"(cite:{n})" in linked
    assert "[x]" in linked
