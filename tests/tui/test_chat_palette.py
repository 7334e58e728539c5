"""Command palette actions, export and reopening saved conversations."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandPalette
from textual.widgets import OptionList
from tui_helpers import ANSWER_CHUNKS, ANSWER_TEXT, FOLLOW_UP, QUESTION, ask_and_wait, until_ready
from tui_helpers import wait_until as wait

from assistant.history import ChatHistory
from assistant.results import Answer, Claim, Source
from assistant.tui.app import ChatApp
from assistant.tui.screens.picker import PickerScreen

pytestmark = pytest.mark.anyio


async def run_command(pilot: Any, words: str) -> None:
    """Open Ctrl+P, type ``words`` and run the best match."""
    app = pilot.app
    await pilot.press("ctrl+p")
    await wait(pilot, lambda: isinstance(app.screen, CommandPalette), what="the palette")
    await pilot.press(*words)
    await wait(pilot, lambda: app.screen.query_one("CommandList", OptionList).option_count > 0)
    await pilot.pause(0.1)
    await pilot.press("enter")
    await wait(pilot, lambda: not isinstance(app.screen, CommandPalette), what="palette closed")


async def pick(pilot: Any, label_start: str) -> None:
    """Choose the option of the open picker whose label starts with ``label_start``."""
    app = pilot.app
    await wait(pilot, lambda: isinstance(app.screen, PickerScreen), what="the picker")
    options = app.screen.query_one(OptionList)
    labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
    index = next(i for i, label in enumerate(labels) if label.startswith(label_start))
    options.highlighted = index
    await pilot.press("enter")
    await wait(pilot, lambda: not isinstance(app.screen, PickerScreen), what="picker closed")


async def test_set_k_switch_model_and_toggle_sources(
    chat_app: Callable[..., ChatApp], openai_server: Any
) -> None:
    openai_server.models = ["test-model", "other-model"]
    app = chat_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await until_ready(pilot)
        await run_command(pilot, "set k")
        await pick(pilot, "3 sources")
        assert app.k == 3 and "k=3" in str(app.status.query_one("#status-text").render())

        await run_command(pilot, "switch model")
        await pick(pilot, "other-model")
        assert app.model == "other-model"
        assert "other-model" in str(app.status.query_one("#status-text").render())

        await ask_and_wait(pilot, QUESTION)
        request = openai_server.chat_requests[-1]
        assert request.body["model"] == "other-model"
        assert len(app.sources_panel.sources) == 3  # k=3 reached retrieval

        assert app.sources_panel.display
        await run_command(pilot, "toggle sources")
        assert not app.sources_panel.display
        await pilot.press("ctrl+b")
        assert app.sources_panel.display


async def test_switch_model_reports_an_endpoint_error(
    chat_app: Callable[..., ChatApp], openai_server: Any
) -> None:
    from openai_server import Reply

    openai_server.models_reply = Reply(status=401)
    app = chat_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await until_ready(pilot)
        await run_command(pilot, "switch model")
        await wait(pilot, lambda: any(n.severity == "error" for n in app._notifications))
        assert not isinstance(app.screen, PickerScreen) and app.is_running


async def test_copy_last_answer_and_new_chat(
    chat_app: Callable[..., ChatApp], openai_server: Any
) -> None:
    openai_server.enqueue(chunks=ANSWER_CHUNKS)
    app = chat_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await until_ready(pilot)
        await ask_and_wait(pilot, QUESTION)
        await run_command(pilot, "copy last")
        assert app.clipboard == ANSWER_TEXT

        first_chat = app.conversation_id
        await run_command(pilot, "new chat")
        assert app.conversation.answers() == [] and app.turns == []
        assert app.sources_panel.sources == []
        await ask_and_wait(
            pilot, "Which papers use language-model representations for recommenders?"
        )
        assert app.conversation_id not in (None, first_chat)
        assert openai_server.chat_requests[-1].message("user").count(QUESTION) == 0


async def test_export_writes_markdown_with_references(
    chat_app: Callable[..., ChatApp], openai_server: Any, tmp_path: Path
) -> None:
    openai_server.enqueue(chunks=ANSWER_CHUNKS)
    app = chat_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await until_ready(pilot)
        await run_command(pilot, "export")
        assert any("Nothing to export" in str(n.message) for n in app._notifications)

        await ask_and_wait(pilot, QUESTION)
        cited = app.sources_panel.sources[0]
        await run_command(pilot, "export")
        await wait(pilot, lambda: app.last_export is not None, what="the export")

    assert app.last_export is not None and app.last_export.parent == tmp_path / "exports"
    text = app.last_export.read_text(encoding="utf-8")
    assert f"## 1. {QUESTION}" in text
    assert ANSWER_TEXT in text
    assert f"- [1] {cited.title} ({cited.paper_id})" in text


async def test_screenshot_is_saved_beside_the_exports_or_says_why_not(
    llm_assistant: Any, history: ChatHistory, tmp_path: Path
) -> None:
    app = ChatApp(llm_assistant, history=history, export_dir=tmp_path / "shots")
    async with app.run_test(size=(80, 24)) as pilot:
        await until_ready(pilot)
        await run_command(pilot, "screenshot")
        await wait(pilot, lambda: app._notifications, what="a notice")
        (saved,) = list((tmp_path / "shots").glob("screen-*.svg"))
        (notice,) = [str(n.message) for n in app._notifications]
        assert notice == f"Saved to {saved}"  # not Textual's "[$text-success]…" markup
        assert saved.read_text(encoding="utf-8").startswith("<svg")

    blocker = tmp_path / "a-file"  # nothing can be made under a file, even by root
    blocker.write_text("")
    app = ChatApp(llm_assistant, history=history, export_dir=blocker / "shots")
    async with app.run_test(size=(80, 24)) as pilot:
        await until_ready(pilot)
        await run_command(pilot, "screenshot")
        await wait(pilot, lambda: app._notifications, what="a notice")
        (notice,) = [(n.severity, str(n.message)) for n in app._notifications]
        assert notice == (
            "error",
            f"could not write the screenshot to {blocker / 'shots'} (not a directory); "
            "start the app with --export-dir set to a folder you can write",
        )


async def test_reopen_a_past_conversation_and_follow_up(
    chat_app: Callable[..., ChatApp], openai_server: Any, history: ChatHistory
) -> None:
    openai_server.enqueue(chunks=ANSWER_CHUNKS)
    first = chat_app()
    async with first.run_test(size=(80, 24)) as pilot:
        await until_ready(pilot)
        await ask_and_wait(pilot, QUESTION)
        sources = first.sources_panel.sources

    openai_server.enqueue("What model maps speech to DAE-Talker's latents?")
    openai_server.enqueue("A Conformer-based speech2latent model [1].")
    second = chat_app()
    async with second.run_test(size=(80, 24)) as pilot:
        await until_ready(pilot)
        assert second.conversation.answers() == []
        await pilot.press("ctrl+r")
        await pick(pilot, "")  # the only saved conversation
        await wait(pilot, lambda: second.conversation.answers(), what="the reopened chat")

        view = second.conversation.answers()[0]
        assert view.question == QUESTION and view.partial_text == ANSWER_TEXT
        assert second.sources_panel.sources == sources
        assert second.turns[0].answer == ANSWER_TEXT
        await ask_and_wait(pilot, FOLLOW_UP)  # continues the same conversation, with context
        assert QUESTION in str(openai_server.chat_requests[-2].messages)

    saved = history.conversations()
    assert len(saved) == 1 and saved[0].turn_count == 2


async def test_reopened_interrupted_answer_is_marked(
    chat_app: Callable[..., ChatApp], history: ChatHistory
) -> None:
    # A chat killed mid-answer left its question and half an answer behind.
    chat = history.start_conversation(QUESTION)
    history.finish_turn(
        history.add_question(chat, "an earlier question"),
        Answer(
            "an earlier question", "Done [1].", True, "llm", [Source(1, "p", "T", "x", True)], [1]
        ),
    )
    turn = history.add_question(chat, QUESTION)
    history.save_partial(turn, "DAE-Talker uses")

    app = chat_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await until_ready(pilot)
        await run_command(pilot, "open a past")
        await pick(pilot, "")
        await wait(pilot, lambda: len(app.conversation.answers()) == 2)
        last = app.conversation.answers()[1]
        assert last.has_class("-partial")
        assert "Interrupted" in str(last.query_one(".answer-note").render())
        assert "DAE-Talker uses" in last.markdown.source
        assert [t.question for t in app.turns] == ["an earlier question"]


async def test_a_reopened_answer_keeps_its_unsupported_marks_and_reasoning(
    chat_app: Callable[..., ChatApp], history: ChatHistory
) -> None:
    chat = history.start_conversation(QUESTION)
    text = "Diffusion latents [1]. It runs on phones [1]."
    claims = [
        Claim("Diffusion latents [1].", [1], True, 0.9),
        Claim("It runs on phones [1].", [1], False, 0.1),
    ]
    sources = [Source(1, "p", "T", "x", True)]
    answer = Answer(QUESTION, text, True, "llm", sources, [1], claims=claims, reasoning="Hmm.")
    history.finish_turn(history.add_question(chat, QUESTION), answer)

    app = chat_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await until_ready(pilot)
        await run_command(pilot, "open a past")
        await pick(pilot, "")
        await wait(pilot, lambda: len(app.conversation.answers()) == 1)
        view = app.conversation.answers()[0]
        assert view.has_class("-unsupported")
        assert view.markdown.source.endswith("phones \\[[1](cite:1)\\]. ⚠")
        assert "not supported by [1]" in str(view.query_one(".answer-claims").render())
        assert view.query_one(".answer-reasoning") is not None


async def test_a_first_time_user_flow_by_keys_alone_at_80x24(
    chat_app: Callable[..., ChatApp], openai_server: Any
) -> None:
    """Ask, read, open the abstract behind [1], follow up, export: every key is on screen."""
    from assistant.tui.screens.source_detail import SourceDetailScreen

    openai_server.enqueue(chunks=ANSWER_CHUNKS)
    openai_server.enqueue("What model maps speech to DAE-Talker's latents?")
    openai_server.enqueue("A Conformer-based speech2latent model [1].")
    app = chat_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await until_ready(pilot)
        # What the footer shows while the question box has the focus (F1 lists the rest).
        hints = {b.binding.description for b in app.active_bindings.values() if b.binding.show}
        assert {"Send", "Sources", "Keys", "History", "New chat", "Export", "Quit"} <= hints

        await pilot.press(*QUESTION, "enter")
        await wait(pilot, lambda: app.turns, what="the answer")
        await pilot.press("tab", "1")
        await wait(pilot, lambda: isinstance(app.screen, SourceDetailScreen), what="[1]")
        assert "DAE-Talker" in app.screen.paper_title  # type: ignore[attr-defined]
        await pilot.press("escape", "escape")  # close the abstract, back to the question box
        assert app.focused is app.prompt_input
        await pilot.press(*FOLLOW_UP, "enter")
        await wait(pilot, lambda: len(app.turns) == 2, what="the follow-up answer")
        await pilot.press("ctrl+s")
        await wait(pilot, lambda: app.last_export is not None, what="the export")
    assert app.last_export is not None
    exported = app.last_export.read_text(encoding="utf-8")
    assert QUESTION in exported and FOLLOW_UP in exported and "Conformer" in exported
