"""A small modal list to pick one item (a model, a past conversation, a value of k)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...terminal import printable_line


class PickerScreen(ModalScreen[str | None]):
    """Dismisses with the chosen option's id, or None on Esc."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, options: list[tuple[str, str]], *, current: str | None = None):
        super().__init__()
        self.picker_title = title
        self.options = options
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Static(Content(printable_line(self.picker_title)), id="picker-title")
            # Labels are data (titles of past questions, model names): plain text only.
            yield OptionList(
                *[
                    Option(
                        Content(
                            printable_line(label) + ("  (current)" if key == self.current else "")
                        ),
                        id=key,
                    )
                    for key, label in self.options
                ],
                id="picker-list",
                markup=False,
            )

    def _label(self, key: str, label: str) -> Content:
        return Content(printable_line(label) + ("  (current)" if key == self.current else ""))

    def on_mount(self) -> None:
        keys = [key for key, _ in self.options]
        options = self.query_one(OptionList)
        options.highlighted = keys.index(self.current) if self.current in keys else 0
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
