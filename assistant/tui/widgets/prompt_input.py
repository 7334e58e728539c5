"""The question box: Enter sends, Ctrl+J (or Shift+Enter) breaks the line, Up/Down recall."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import TextArea

from ...terminal import BIDI_CONTROLS

# What a text box must not hold: the box draws its text as it is, so an ESC pasted (or
# recalled from a question saved by `assistant ask`) would reach the terminal and act there.
# Newline and tab stay; a carriage return is a line break.
_CONTROLS = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI_CONTROLS}\ud800-\udfff]")


def typeable(text: str) -> str:
    """``text`` with its line breaks made ``\\n`` and its other control characters removed."""
    return _CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


class PromptInput(TextArea):
    """A multi-line input that sends on Enter and remembers what was sent."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # Not a priority binding: those run as soon as the app sees the key, before the box
        # has inserted the characters typed (or pasted without bracketing) just before it.
        # ``_on_key`` handles Enter in order; this binding is its footer hint.
        Binding("enter", "submit", "Send"),
        Binding("ctrl+j,shift+enter", "newline", "Newline", show=False),
        Binding("tab", "app.focus_sources", "Sources"),
    ]

    @dataclass
    class Submitted(Message):
        """The user pressed Enter on some text."""

        prompt_input: PromptInput
        text: str

        @property
        def control(self) -> PromptInput:
            return self.prompt_input

    def __init__(self, *, id: str | None = None, placeholder: str = "") -> None:
        super().__init__(
            id=id,
            soft_wrap=True,
            show_line_numbers=False,
            tab_behavior="focus",
            compact=True,
            placeholder=placeholder,
        )
        self._sent: list[str] = []
        # Position in ``_sent`` while browsing; len(_sent) means "the draft being typed".
        self._recall_index = 0
        self._draft = ""

    def action_submit(self) -> None:
        """Post the text (the app decides whether it can be sent now)."""
        self.post_message(self.Submitted(self, self.text))

    def action_newline(self) -> None:
        start, end = self.selection
        self.replace("\n", start, end, maintain_selection_offset=False)

    def remember(self, text: str) -> None:
        """Add sent text to the recall list (consecutive repeats are kept once)."""
        if text and (not self._sent or self._sent[-1] != text):
            self._sent.append(text)
        self._recall_index = len(self._sent)
        self._draft = ""

    def remember_earlier(self, questions: list[str]) -> None:
        """Questions of past sessions (oldest first), recalled with Up before this session's."""
        session = [q for q in self._sent if q not in questions]
        self._sent = [*questions, *session]
        self._recall_index = len(self._sent)

    def insert_typed(self, text: str) -> None:
        """Text typed elsewhere (in the sources list) that belongs here."""
        self.focus()
        start, end = self.selection
        self.replace(typeable(text), start, end, maintain_selection_offset=False)

    def set_text(self, text: str) -> None:
        """Replace the content and put the cursor at its end."""
        self.load_text(typeable(text))
        self.move_cursor(self.document.end)

    async def _on_paste(self, event: events.Paste) -> None:
        # Instead of the text area's own paste, which inserts the text as it came.
        event.prevent_default()
        if self.read_only:
            return
        start, end = self.selection
        self.replace(typeable(event.text), start, end, maintain_selection_offset=False)
        self.focus()

    async def _on_key(self, event: events.Key) -> None:
        # Up on the first line and Down on the last browse the sent questions, as in a shell;
        # elsewhere they move the cursor inside a multi-line question.
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.action_submit()
            return
        row, _ = self.cursor_location
        if event.key == "up" and row == 0 and self._recall(-1):
            event.stop()
            event.prevent_default()
            return
        if event.key == "down" and row == self.document.line_count - 1 and self._recall(+1):
            event.stop()
            event.prevent_default()
            return
        await super()._on_key(event)

    def _recall(self, step: int) -> bool:
        target = self._recall_index + step
        if not 0 <= target <= len(self._sent) or target == self._recall_index:
            return False
        if self._recall_index == len(self._sent):
            self._draft = self.text
        self._recall_index = target
        self.set_text(self._sent[target] if target < len(self._sent) else self._draft)
        return True
