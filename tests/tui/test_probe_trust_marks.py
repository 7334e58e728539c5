"""Where the chat app's trust marks land, live and reopened from history: the ``⚠`` after
the unsupported one of two identical sentences, after a claim written across lines or in a
block quote; a cut-off answer with no citation noted as cut; what an export of an unsaved
conversation says about trust."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openai_server import Reply
from textual.widgets import Markdown, Static
from tui_helpers import QUESTION, ask_and_wait, first_answer, until_ready, wait_until

from assistant.history import ChatHistory
from assistant.service import Assistant
from assistant.text import split_sentences
from assistant.tui.app import ChatApp
from assistant.tui.widgets.answer_view import AnswerView

pytestmark = pytest.mark.anyio

MARK = "⚠"


def _sentences_of_source(assistant: Assistant, n: int) -> list[str]:
    hit = assistant.search(QUESTION, assistant.settings.k)[n - 1]
    return [s.rstrip(".") for s in split_sentences(assistant.paper(hit.paper_id).abstract)]


async def _reopened(pilot: Any, app: ChatApp) -> AnswerView:
    """The conversation just answered, read back from history into a fresh screen."""
    conversation_id = app.conversation_id
    assert conversation_id is not None
    await app.run_action("new_chat")
    app._load_conversation(conversation_id)

    def shown() -> bool:
        views = app.conversation.answers()
        return (
            app.conversation_id == conversation_id and bool(views) and views[0].has_class("-done")
        )

    await wait_until(pilot, shown, what="the reopened conversation")
    await pilot.pause()
    return app.conversation.answers()[0]


async def _export_unsaved(pilot: Any, app: ChatApp) -> str:
    """What Ctrl+S exports of a conversation the history could not save."""
    assert app.history_unsaved
    await pilot.press("ctrl+s")
    await wait_until(pilot, lambda: app.last_export is not None, what="the export")
    assert app.last_export is not None
    return app.last_export.read_text(encoding="utf-8")


def _source(view: AnswerView) -> str:
    return view.query_one(Markdown).source


def _note(view: AnswerView) -> str:
    return str(view.query_one(".answer-note", Static).render())


async def test_the_mark_lands_on_the_unsupported_one_of_a_sentence_written_twice(
    chat_app: Callable[..., ChatApp], openai_server: Any, llm_assistant: Assistant
) -> None:
    # The same first sentence opens two paragraphs; each takes the citation that closes its
    # paragraph: source 1 supports it, source 2 does not.
    first, second = _sentences_of_source(llm_assistant, 1)[:2]
    openai_server.enqueue(f"{first}. {second} [1].\n\n{first}. {second} [2].")
    app = chat_app()
    async with app.run_test(size=(100, 30)) as pilot:
        live = await first_answer(pilot, QUESTION)
        assert live.answer is not None
        assert [c.supported for c in live.answer.claims] == [True, True, False, False]
        for shown in (_source(live), _source(await _reopened(pilot, app))):
            supported, unsupported = shown.split("\n\n")
            assert MARK not in supported
            assert unsupported.count(MARK) == 2
            assert unsupported.startswith(f"{first}. {MARK} {second}")


@pytest.mark.parametrize("prefix", ["", "> "], ids=["paragraph", "block-quote"])
async def test_a_claim_written_across_two_lines_is_marked(
    chat_app: Callable[..., ChatApp],
    openai_server: Any,
    llm_assistant: Assistant,
    prefix: str,
) -> None:
    words = _sentences_of_source(llm_assistant, 1)[0].split()
    half = len(words) // 2
    wrapped = f"{prefix}{' '.join(words[:half])}\n{prefix}{' '.join(words[half:])} [2]."
    openai_server.enqueue(wrapped)  # source 1's words, cited to source 2
    app = chat_app()
    async with app.run_test(size=(100, 30)) as pilot:
        live = await first_answer(pilot, QUESTION)
        assert live.answer is not None and not live.answer.claims[0].supported
        for shown in (_source(live), _source(await _reopened(pilot, app))):
            assert shown.rstrip().endswith(f"(cite:2)\\]. {MARK}")


async def test_a_table_row_is_marked_inside_its_last_cell(
    chat_app: Callable[..., ChatApp], openai_server: Any, llm_assistant: Assistant
) -> None:
    # After the row's closing bar the mark would be a cell the header has not: dropped.
    copied = _sentences_of_source(llm_assistant, 1)[0]
    openai_server.enqueue(f"| Paper | Finding |\n|---|---|\n| DAE-Talker | {copied} [2] |")
    app = chat_app()
    async with app.run_test(size=(100, 30)) as pilot:
        view = await first_answer(pilot, QUESTION)
        assert view.answer is not None and not view.answer.claims[0].supported
        assert _source(view).rstrip().endswith(f"(cite:2)\\] {MARK} |")
        cells = [str(cell.render()) for cell in view.query_one(Markdown).query(".cell")]
        assert cells[-1].endswith(f"[2] {MARK}")


async def test_an_answer_cut_before_its_first_citation_is_noted_as_cut(
    chat_app: Callable[..., ChatApp], openai_server: Any
) -> None:
    # Cut at the token limit before any marker: no grounded answer, and the limit is why.
    openai_server.enqueue(
        Reply(
            chunks=["DAE-Talker uses data-driven ", "latent representations of"],
            finish_reason="length",
        )
    )
    app = chat_app()
    async with app.run_test(size=(100, 30)) as pilot:
        live = await first_answer(pilot, QUESTION)
        assert live.answer is not None and live.answer.truncated and not live.answer.answered
        note = _note(live)
        assert note.startswith("No grounded answer")
        assert "cut off at the token limit: raise max_tokens" in note
        assert "cut off at the token limit" in _note(await _reopened(pilot, app))


async def test_an_export_of_an_unsaved_conversation_keeps_what_to_trust(
    llm_assistant: Assistant, openai_server: Any, llm_assistant_sentences: list[str], tmp_path: Path
) -> None:
    # A data directory that is a file: nothing can be saved, Ctrl+S exports the screen.
    (tmp_path / "home").write_text("not a folder")
    history = ChatHistory(tmp_path / "home" / "chat_history.sqlite3")
    openai_server.enqueue(f"{llm_assistant_sentences[0]} [2].")  # misattributed
    openai_server.enqueue("What does DAE-Talker train on its latents?")  # the follow-up, condensed
    openai_server.enqueue(
        Reply(chunks=["DAE-Talker uses ", "latents [1]. It"], finish_reason="length")
    )
    app = ChatApp(llm_assistant, history=history, export_dir=tmp_path / "exports")
    async with app.run_test(size=(100, 30)) as pilot:
        await until_ready(pilot)
        await ask_and_wait(pilot, QUESTION)
        await ask_and_wait(pilot, "And what does it train on those latents?")
        exported = await _export_unsaved(pilot, app)
        assert f"- {MARK} not supported by [2]: {llm_assistant_sentences[0][:40]}" in exported
        assert "*(cut off at the model's token limit; incomplete)*" in exported


@pytest.fixture
def llm_assistant_sentences(llm_assistant: Assistant) -> list[str]:
    """The sentences of the abstract the question's best source has."""
    return _sentences_of_source(llm_assistant, 1)


async def test_an_unsaved_export_keeps_the_marks_of_a_reopened_answer(
    llm_assistant: Assistant,
    openai_server: Any,
    history: ChatHistory,
    llm_assistant_sentences: list[str],
    tmp_path: Path,
) -> None:
    openai_server.enqueue(f"{llm_assistant_sentences[0]} [2].")  # misattributed
    app = ChatApp(llm_assistant, history=history, export_dir=tmp_path / "exports")
    async with app.run_test(size=(100, 30)) as pilot:
        await until_ready(pilot)
        await ask_and_wait(pilot, QUESTION)
        await _reopened(pilot, app)
        # The disk stops taking writes (its data directory is now a file): the follow-up
        # is not saved, and Ctrl+S exports the screen, the reopened answer included.
        (tmp_path / "gone").write_text("not a folder")
        app.chat_history = ChatHistory(tmp_path / "gone" / "chat_history.sqlite3")
        openai_server.enqueue("What does DAE-Talker train on its latents?")
        openai_server.enqueue("A Conformer-based speech2latent model [1].")
        await ask_and_wait(pilot, "And what does it train on those latents?")
        exported = await _export_unsaved(pilot, app)
        assert f"- {MARK} not supported by [2]: {llm_assistant_sentences[0][:40]}" in exported
