"""The app's palette commands that read or write outside the chat: models, k, export,
clipboard, past conversations. Each one asks a worker and shows what comes back.

``ChatActions`` is the base of ``ChatApp``; it only relies on the state listed below.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import App

from ..errors import AssistantError
from ..history import ChatHistory, conversation_markdown
from .messages import (
    BackgroundFailed,
    ConversationLoaded,
    ConversationsListed,
    Exported,
    ModelsListed,
)
from .presenting import unexpected
from .widgets.conversation import Conversation
from .widgets.picker import PickerScreen
from .widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from ..settings import Settings

K_CHOICES = (1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20)


class ChatActions(App[None]):
    """Palette actions of the chat app (the chat itself is in ``app.py``)."""

    settings: Settings
    chat_history: ChatHistory
    export_dir: Path
    k: int
    model: str | None
    conversation_id: int | None
    last_export: Path | None

    @property
    def conversation(self) -> Conversation:
        return self.query_one(Conversation)

    @property
    def status(self) -> StatusBar:
        return self.query_one(StatusBar)

    # -- past conversations -------------------------------------------------------------

    def action_pick_conversation(self) -> None:
        self._list_conversations()

    @work(thread=True, exclusive=True, group="history")
    def _list_conversations(self) -> None:
        try:
            self.post_message(ConversationsListed(self.chat_history.conversations()))
        except AssistantError as exc:
            self.post_message(BackgroundFailed(str(exc)))

    def on_conversations_listed(self, message: ConversationsListed) -> None:
        if not message.conversations:
            self.notify("No saved conversations yet.")
            return
        options = [
            (str(c.id), f"{time.strftime('%m-%d %H:%M', time.localtime(c.updated))}  {c.title}")
            for c in message.conversations
        ]

        def chosen(key: str | None) -> None:
            if key is not None:
                self._load_conversation(int(key))

        current = str(self.conversation_id) if self.conversation_id else None
        self.push_screen(PickerScreen("Open a past conversation", options, current=current), chosen)

    @work(thread=True, exclusive=True, group="history")
    def _load_conversation(self, conversation_id: int) -> None:
        try:
            self.post_message(ConversationLoaded(self.chat_history.load(conversation_id)))
        except AssistantError as exc:
            self.post_message(BackgroundFailed(str(exc)))

    # -- model, k, export, clipboard ---------------------------------------------------

    def action_pick_model(self) -> None:
        if self.settings.endpoint_url is None:
            self.notify(
                "No model endpoint is configured (answers are extractive); "
                "set ASSISTANT_BASE_URL to use a model.",
                severity="warning",
            )
            return
        self._list_models()

    @work(thread=True, exclusive=True, group="models")
    def _list_models(self) -> None:
        from ..llm import client_for

        try:
            models = client_for(self.settings).list_models()
        except Exception as exc:
            self.post_message(
                BackgroundFailed(str(exc) if isinstance(exc, AssistantError) else unexpected(exc))
            )
            return
        self.post_message(ModelsListed(models))

    def on_models_listed(self, message: ModelsListed) -> None:
        if not message.models:
            self.notify("The endpoint lists no models.", severity="warning")
            return

        def chosen(model: str | None) -> None:
            if model is not None:
                self.model = model
                self.status.model = model
                self.notify(f"Answers now come from {model}.")

        options = [(m, m) for m in message.models]
        self.push_screen(PickerScreen("Switch model", options, current=self.model), chosen)

    def action_pick_k(self) -> None:
        def chosen(value: str | None) -> None:
            if value is not None:
                self.k = int(value)
                self.status.k = self.k

        options = [(str(k), f"{k} source{'s' if k > 1 else ''} per answer") for k in K_CHOICES]
        self.push_screen(
            PickerScreen("Sources per answer (k)", options, current=str(self.k)), chosen
        )

    def action_export(self) -> None:
        if self.conversation_id is None:
            self.notify("Nothing to export yet: ask a question first.", severity="warning")
            return
        self._export(self.conversation_id, self.export_dir)

    @work(thread=True, exclusive=True, group="export")
    def _export(self, conversation_id: int, folder: Path) -> None:
        try:
            saved = self.chat_history.load(conversation_id)
            stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(saved.created))
            path = folder / f"chat-{stamp}-{conversation_id}.md"
            folder.mkdir(parents=True, exist_ok=True)
            path.write_text(conversation_markdown(saved), encoding="utf-8")
        except AssistantError as exc:
            self.post_message(BackgroundFailed(str(exc)))
        except OSError as exc:
            self.post_message(BackgroundFailed(f"could not write the export to {folder}: {exc}"))
        else:
            self.post_message(Exported(str(path)))

    def on_exported(self, message: Exported) -> None:
        self.last_export = Path(message.path)
        self.notify(f"Exported to {message.path}", title="Export")

    def action_copy_last_answer(self) -> None:
        for view in reversed(self.conversation.answers()):
            text = view.answer.text if view.answer is not None else view.partial_text
            if text.strip():
                self.copy_to_clipboard(text)
                self.notify("Copied the last answer.")
                return
        self.notify("No answer to copy yet.", severity="warning")

    def on_background_failed(self, message: BackgroundFailed) -> None:
        self.notify(message.error, severity="error", timeout=10)
