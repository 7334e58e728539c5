"""F1: every key of the chat app in one table (the footer has room for the common ones)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

KEYS: tuple[tuple[str, str], ...] = (
    ("Enter", "send the question (in the question box)"),
    ("Ctrl+J / Shift+Enter", "new line in the question"),
    ("Up / Down", "earlier questions, this session's and past sessions'"),
    ("PgUp / PgDn", "scroll the conversation"),
    ("Tab", "move to the sources of the selected answer"),
    ("Enter / 1–9", "open a source (in the sources list)"),
    ("Left / Right", "sources of the previous / next answer (in the sources list)"),
    ("Esc", "stop the answer being written; back to the question box"),
    ("Ctrl+N", "new chat"),
    ("Ctrl+R", "open a past conversation (the chat app's and `assistant ask`'s)"),
    ("Ctrl+B", "show or hide the sources panel"),
    ("Ctrl+S", "export the conversation to Markdown"),
    ("Ctrl+P", "command palette: model, k, theme, copy, export …"),
    ("F1", "this list of keys"),
    ("Ctrl+Q", "quit (an answer being written is saved as partial)"),
    ("Ctrl+C", "copy the selected text; else stop the answer being written; else quit"),
)


class HelpScreen(ModalScreen[None]):
    """The keys table; Esc, F1 or q closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q", "close", "Close"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="help"):
            yield Static("Keys", id="help-title")
            table: DataTable[str] = DataTable(show_cursor=False, zebra_stripes=True)
            table.add_columns("Key", "Does")
            table.add_rows(KEYS)
            yield table

    def action_close(self) -> None:
        self.dismiss(None)
