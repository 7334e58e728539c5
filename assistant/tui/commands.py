"""The chat's entries in Textual's command palette (Ctrl+P).

Each command only names an ``action_*`` of the app, so this module does not import it; the
work (listing models, reading history, writing the export) happens in the app's workers,
never in the palette.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual.command import DiscoveryHit, Hit, Hits, Provider

# (title, help, action name of the app)
CHAT_COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("New chat", "Start an empty conversation (Ctrl+N)", "new_chat"),
    ("Switch model…", "Pick one of the endpoint's /v1/models", "pick_model"),
    ("Set k (sources per answer)…", "How many papers an answer draws on", "pick_k"),
    ("Toggle sources panel", "Show or hide the sources beside the chat (Ctrl+B)", "toggle_sources"),
    (
        "Export conversation to Markdown",
        "Answers with their reference lists, to a .md file",
        "export",
    ),
    ("Copy last answer", "Put the last answer's text on the clipboard", "copy_last_answer"),
    ("Open a past conversation…", "Reopen a saved chat (Ctrl+R)", "pick_conversation"),
    ("Keys", "Every key of the chat app (F1)", "show_keys"),
)


class ChatCommands(Provider):
    """New chat, model, k, sources panel, export, copy, history."""

    def _runner(self, action: str) -> Callable[[], Awaitable[None]]:
        # Only the action's name is needed: the provider never depends on the app's class.
        async def run() -> None:
            await self.app.run_action(action)

        return run

    async def discover(self) -> Hits:
        for title, help_text, action in CHAT_COMMANDS:
            yield DiscoveryHit(title, self._runner(action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, action in CHAT_COMMANDS:
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), self._runner(action), help=help_text)
