"""The chat screen: status line, conversation beside the sources, the question box, footer.

Whenever the screen comes back (a picker, the palette, a source or the keys closed) the
question box gets the focus, so typing goes where the user expects.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer

from ..widgets.conversation import Conversation
from ..widgets.prompt_input import PromptInput
from ..widgets.sources_panel import SourcesPanel
from ..widgets.status_bar import StatusBar

PLACEHOLDER = "Ask about the papers… (Enter sends, F1 lists the keys)"


class ChatScreen(Screen[None]):
    """The app's main (default) screen."""

    # Under 60 columns the sources panel (at least 24 wide) would leave the answer a strip
    # of a few words a line: it starts hidden there (Tab or Ctrl+B shows it). Unannotated:
    # Textual declares the attribute without ClassVar.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (60, "-wide")]  # noqa: RUF012

    class Ready(Message):
        """The screen's widgets are mounted: the app can fill them in."""

    def on_mount(self) -> None:
        self.post_message(self.Ready())

    def compose(self) -> ComposeResult:
        yield StatusBar(id="status")
        with Horizontal(id="main"):
            yield Conversation(id="conversation")
            yield SourcesPanel(id="sources")
        yield PromptInput(id="prompt", placeholder=PLACEHOLDER)
        yield Footer(compact=True)

    def on_screen_resume(self) -> None:
        self.query_one(PromptInput).focus()

    def on_sources_panel_typed_ahead(self, message: SourcesPanel.TypedAhead) -> None:
        self.query_one(PromptInput).insert_typed(message.text)
