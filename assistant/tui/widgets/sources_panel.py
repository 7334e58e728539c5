"""The sources of the selected answer: numbered, cited ones marked, uncited ones dimmed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...results import Source
from ...terminal import printable_line

EMPTY = "Sources of the selected answer appear here."


class SourcesPanel(Vertical):
    """A list of ``[n] title`` lines; Enter, a click or a digit opens one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority: the list's own Enter would shadow this one, and its hint in the footer.
        Binding("enter", "open_highlighted", "Open", priority=True),
        Binding("1", "open_number(1)", "Open [n]", key_display="1–9"),
        *[Binding(str(n), f"open_number({n})", f"Open [{n}]", show=False) for n in range(2, 10)],
        Binding("left", "app.select_answer(-1)", "Prev answer", show=False),
        Binding("right", "app.select_answer(1)", "Next answer", show=False),
        Binding("escape", "app.back_to_question", "Back", show=True),
    ]

    @dataclass
    class SourceChosen(Message):
        """The user asked to read source ``n`` of the shown answer."""

        n: int

    @dataclass
    class TypedAhead(Message):
        """Text was typed while the list had focus: it belongs in the question box."""

        text: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.sources: list[Source] = []

    def compose(self) -> ComposeResult:
        yield Static("Sources", classes="panel-title")
        yield OptionList(id="source-list", markup=False)
        yield Static(EMPTY, classes="panel-hint", markup=False)

    @property
    def option_list(self) -> OptionList:
        return self.query_one(OptionList)

    def show(self, sources: list[Source]) -> None:
        """Replace the list with ``sources`` (already numbered by the answerer)."""
        self.sources = list(sources)
        self._fill(highlight=0)
        cited = sum(s.cited for s in self.sources)
        hint = (
            f"{cited} of {len(self.sources)} cited · Enter or 1–9 opens" if self.sources else EMPTY
        )
        self.query_one(".panel-hint", Static).update(hint)

    def _fill(self, highlight: int | None) -> None:
        options = self.option_list
        width = options.scrollable_content_region.width or self.size.width or 30
        options.clear_options()
        options.add_options([Option(_label(s, width), id=str(s.n)) for s in self.sources])
        if self.sources and highlight is not None:
            options.highlighted = min(highlight, len(self.sources) - 1)

    def on_resize(self) -> None:
        # Titles are cut to fit two lines of the current width.
        if self.sources:
            self._fill(self.option_list.highlighted)

    def on_key(self, event: events.Key) -> None:
        # Letters typed here were meant for the question box (digits open sources).
        if event.is_printable and event.character and not event.character.isdigit():
            event.stop()
            event.prevent_default()
            self.post_message(self.TypedAhead(event.character))

    def action_open_highlighted(self) -> None:
        index = self.option_list.highlighted
        if index is not None and index < len(self.sources):
            self.post_message(self.SourceChosen(self.sources[index].n))

    def action_open_number(self, n: int) -> None:
        if any(s.n == n for s in self.sources):
            self.post_message(self.SourceChosen(n))
        else:
            self.notify(f"This answer has no source [{n}].", severity="warning", markup=False)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        # A click (or Enter inside the list) on a source.
        event.stop()
        if event.option.id is not None:
            self.post_message(self.SourceChosen(int(event.option.id)))


def _label(source: Source, width: int) -> Text:
    """``● [n] title``, dimmed when uncited; at most two lines so that k sources fit at 80x24."""
    marker = "●" if source.cited else "○"
    prefix = f"{marker} [{source.n}] "
    room = max(10, 2 * width - len(prefix) - 2)
    title = printable_line(source.title)
    title = title if len(title) <= room else title[: room - 1].rstrip() + "…"
    label = Text.assemble((prefix, "bold" if source.cited else "dim"))
    label.append(title, style="" if source.cited else "dim")
    return label
