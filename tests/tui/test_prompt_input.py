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


HOSTILE_PASTE = "line one\r\nline two\rthree \x1b]0;pwned\x07 \x1b[2J \u202eevil \x9b\ttab"
CLEANED = "line one\nline two\nthree ]0;pwned [2J evil \ttab"


def _drawn(box: PromptInput) -> str:
    """The characters the box sends to the terminal."""
    return "".join(s.text for y in range(box.size.height) for s in box.render_line(y))


async def test_pasted_control_characters_never_reach_the_terminal() -> None:
    from textual import events

    app = Host()
    async with app.run_test(size=(60, 12)) as pilot:
        box = app.query_one(PromptInput)
        box.focus()
        await pilot.press(*"q: ")
        app.post_message(events.Paste(HOSTILE_PASTE))  # as the driver posts a paste
        await pilot.pause(0.2)
        assert box.text == "q: " + CLEANED  # once, line breaks kept, controls gone
        drawn = _drawn(box)
        assert "\x1b" not in drawn and "\u202e" not in drawn and "\x9b" not in drawn
        await pilot.press("enter")
        await pilot.pause()
        assert app.sent == ["q: " + CLEANED]


async def test_a_recalled_question_holding_escapes_is_drawn_without_them() -> None:
    app = Host()
    async with app.run_test(size=(60, 12)) as pilot:
        box = app.query_one(PromptInput)
        box.focus()
        box.remember_earlier(["asked by `ask` \x1b[2J\u202e"])
        await pilot.press("up")
        assert box.text == "asked by `ask` [2J" and "\x1b" not in _drawn(box)
