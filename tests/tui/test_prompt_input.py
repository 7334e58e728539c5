"""The question box on its own, in a tiny host app: Enter sends, Ctrl+J breaks, Up/Down recall."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult

from assistant.tui.widgets.prompt_input import PromptInput

pytestmark = pytest.mark.anyio


class Host(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.sent: list[str] = []

    def compose(self) -> ComposeResult:
        yield PromptInput()

    def on_prompt_input_submitted(self, event: PromptInput.Submitted) -> None:
        self.sent.append(event.text)
        event.prompt_input.remember(event.text)
        event.prompt_input.clear()


async def test_enter_sends_and_ctrl_j_breaks_the_line() -> None:
    app = Host()
    async with app.run_test() as pilot:
        box = app.query_one(PromptInput)
        box.focus()
        await pilot.press(*"two", "ctrl+j", *"lines")
        assert box.text == "two\nlines"
        await pilot.press("enter")
        await pilot.pause()
        assert app.sent == ["two\nlines"] and box.text == ""


async def test_up_and_down_recall_sent_questions_and_keep_the_draft() -> None:
    app = Host()
    async with app.run_test() as pilot:
        box = app.query_one(PromptInput)
        box.focus()
        for question in ("first", "second"):
            await pilot.press(*question, "enter")
        await pilot.press(*"dra")
        await pilot.press("up")
        assert box.text == "second"
        await pilot.press("up")
        assert box.text == "first"
        await pilot.press("up")  # nothing older: stays
        assert box.text == "first"
        await pilot.press("down", "down")
        assert box.text == "dra"  # back to the unsent draft


async def test_up_inside_a_multi_line_question_moves_the_cursor() -> None:
    app = Host()
    async with app.run_test() as pilot:
        box = app.query_one(PromptInput)
        box.focus()
        await pilot.press(*"old", "enter")
        await pilot.press(*"line one", "ctrl+j", *"line two")
        await pilot.press("up")
        assert box.text == "line one\nline two" and box.cursor_location[0] == 0


async def test_enter_straight_after_a_burst_of_keys_sends_all_of_them() -> None:
    # As from a terminal when text is pasted without bracketed paste: the driver posts
    # every key at once, and Enter must not overtake the characters before it.
    from textual import events

    app = Host()
    async with app.run_test() as pilot:
        app.query_one(PromptInput).focus()
        await pilot.pause()
        for character in "a burst of keys":
            app.post_message(events.Key(character, character))
        app.post_message(events.Key("enter", "\r"))
        await pilot.pause(0.2)
        assert app.sent == ["a burst of keys"]
