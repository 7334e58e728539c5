"""The sources of the selected answer: numbered, cited ones marked, uncited ones dimmed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...results import Source

EMPTY = "Sources of the selected answer appear here."


class SourcesPanel(Vertical):
    """A list of ``[n] title`` lines; Enter, a click or a digit opens one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_highlighted", "Open", show=True),
        *[Binding(str(n), f"open_number({n})", f"Open [{n}]", show=False) for n in range(1, 10)],
        Binding("left", "app.select_answer(-1)", "Prev answer", show=False),
        Binding("right", "app.select_answer(1)", "Next answer", show=False),
        Binding("escape", "app.focus_input", "Back", show=True),
    ]

    @dataclass
    class SourceChosen(Message):
        """The user asked to read source ``n`` of the shown answer."""

        n: int

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.sources: list[Source] = []

    def compose(self) -> ComposeResult:
        yield Static("Sources", classes="panel-title")
        yield OptionList(id="source-list")
        yield Static(EMPTY, classes="panel-hint", markup=False)

    @property
    def option_list(self) -> OptionList:
        return self.query_one(OptionList)

    def show(self, sources: list[Source], caption: str = "") -> None:
        """Replace the list with ``sources`` (already numbered by the answerer)."""
        self.sources = list(sources)
        options = self.option_list
        options.clear_options()
        options.add_options([Option(_label(s), id=str(s.n)) for s in self.sources])
        if self.sources:
            options.highlighted = 0
        cited = sum(s.cited for s in self.sources)
        hint = (
            f"{cited} cited · Enter or 1–9 opens · {caption}".rstrip(" ·")
            if self.sources
            else EMPTY
        )
        self.query_one(".panel-hint", Static).update(hint)

    def action_open_highlighted(self) -> None:
        index = self.option_list.highlighted
        if index is not None and index < len(self.sources):
            self.post_message(self.SourceChosen(self.sources[index].n))

    def action_open_number(self, n: int) -> None:
        if any(s.n == n for s in self.sources):
            self.post_message(self.SourceChosen(n))
        else:
            self.notify(f"This answer has no source [{n}].", severity="warning")

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        # A click (or Enter inside the list) on a source.
        event.stop()
        if event.option.id is not None:
            self.post_message(self.SourceChosen(int(event.option.id)))


def _label(source: Source) -> Text:
    marker = "●" if source.cited else "○"
    label = Text.assemble((f"{marker} [{source.n}] ", "bold" if source.cited else "dim"))
    label.append(source.title, style="" if source.cited else "dim")
    return label
