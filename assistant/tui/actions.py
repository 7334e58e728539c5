"""The app's palette commands that read or write outside the chat: models, k, export,
clipboard, past conversations. Each one asks a worker and shows what comes back.

``ChatActions`` is the base of ``ChatApp``; it only relies on the state listed below.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from textual import work
from textual.app import App, SystemCommand
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import TextArea

from ..errors import AssistantError
from ..history import ChatHistory, conversation_markdown
from ..history import Conversation as SavedConversation
from ..redaction import mask_credentials
from ..terminal import printable, printable_line
from .answer_worker import AnswerRun, save_cancelled
from .background import start_daemon
from .messages import (
    BackgroundFailed,
    ConversationLoaded,
    ConversationsListed,
    Exported,
    ModelsListed,
    PastQuestions,
    ScreenshotSaved,
)
from .presenting import unexpected
from .screens.help import HelpScreen
from .screens.picker import PickerScreen
from .widgets.conversation import Conversation
from .widgets.prompt_input import PromptInput
from .widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from textual.theme import Theme

    from ..settings import Settings

AnyWidget = TypeVar("AnyWidget", bound=Widget)

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
    history_unsaved: bool
    """An answer of this session could not be saved (the history cannot be written)."""
    _saved_theme: str

    def get_screen_widget(self, kind: type[AnyWidget]) -> AnyWidget:
        """The widget of type ``kind`` on the chat screen, even while a dialog covers it."""
        return self.screen_stack[0].query_one(kind)

    @property
    def conversation(self) -> Conversation:
        return self.get_screen_widget(Conversation)

    @property
    def status(self) -> StatusBar:
        return self.get_screen_widget(StatusBar)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every notification as plain, sanitised text: messages quote endpoints and data,
        and ``[/]`` in them must show as typed, not be parsed (or crash) as markup; a URL's
        password shows as ``***`` whichever error quoted it."""
        super().notify(
            printable(mask_credentials(message)),
            title=printable_line(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def action_show_keys(self) -> None:
        """F1: the table of keys."""
        self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if command.title == "Keys":
                continue  # F1's table of keys stands in for Textual's key panel
            if command.title == "Screenshot":
                # Textual's saves to ~/Downloads (failing, unexplained, where there is none)
                # and words its notice in markup this app shows as typed.
                command = SystemCommand(
                    "Screenshot",
                    "Save an SVG picture of the screen beside the exports",
                    self.action_save_screenshot,
                )
            yield command

    async def action_copy_or_quit(self) -> None:
        """Ctrl+C: copy the selected text, as a terminal does; with nothing selected, stop the
        answer being written (as Ctrl+C stops a reply in `ollama run` or aichat); else quit."""
        focused = self.focused
        if isinstance(focused, TextArea) and focused.selected_text:
            selected: str | None = focused.selected_text
        else:
            selected = self.screen.get_selected_text()
        if selected:
            self.copy_to_clipboard(selected)
            self.notify("Copied the selection (Ctrl+Q quits).")
            return
        if await self.stop_answer() is not None:
            self.get_screen_widget(PromptInput).focus()
            self.notify("Stopped the answer (Ctrl+C again quits).")
            return
        await self.action_quit()

    # -- remembered between sessions: questions and theme --------------------------------

    @work(thread=True, exclusive=True, group="recall")
    def load_past_questions(self) -> None:
        """Let Up recall the questions of earlier sessions (the chat app's and ask's)."""
        # Recall is a convenience; a broken history file is reported when a question is saved.
        with contextlib.suppress(AssistantError):
            self.post_message(PastQuestions(self.chat_history.recent_questions()))

    def on_past_questions(self, message: PastQuestions) -> None:
        self.get_screen_widget(PromptInput).remember_earlier(message.questions)

    def restore_theme(self) -> None:
        """Use the theme saved in the config file, and save the one the user picks."""
        saved = self.settings.theme
        if saved and saved in self.available_themes:
            self.theme = saved
        self._saved_theme = self.theme
        self.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, theme: Theme) -> None:
        if theme.name != self._saved_theme:
            self._saved_theme = theme.name
            self._save_theme(theme.name)

    @work(thread=True, exclusive=True, group="config")
    def _save_theme(self, name: str) -> None:
        from ..config_file import set_config_value
        from ..settings import default_config_file

        path = self.settings.config_file or default_config_file()
        try:
            set_config_value(path, "theme", name)
        except AssistantError as exc:
            self.post_message(BackgroundFailed(str(exc)))

    # -- past conversations -------------------------------------------------------------

    async def stop_answer(self) -> AnswerRun | None:
        """Stop the answer being written, if one is; its run (``None`` if none was)."""
        raise NotImplementedError  # the chat app's

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

        async def chosen(key: str | None) -> None:
            if key is not None:
                # Stopped first, and its stop saved before the history is read: reopening
                # the conversation being answered must show that answer as stopped.
                stopped = await self.stop_answer()
                self._load_conversation(int(key), stopped)

        current = str(self.conversation_id) if self.conversation_id else None
        self.push_screen(PickerScreen("Open a past conversation", options, current=current), chosen)

    @work(thread=True, exclusive=True, group="history")
    def _load_conversation(self, conversation_id: int, stopped: AnswerRun | None = None) -> None:
        if stopped is not None:
            save_cancelled(stopped, self.chat_history)
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
        start_daemon("list-models", self._list_models)  # the endpoint may never answer

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
        if self.history_unsaved and self.conversation.answers():
            # The history misses answers of this session: export what the screen shows.
            unsaved = self.conversation.transcript()
            name = f"chat-{time.strftime('%Y%m%d-%H%M%S')}-unsaved.md"
            self._write_export(self.export_dir / name, unsaved)
            return
        if self.conversation_id is None:
            self.notify("Nothing to export yet: ask a question first.", severity="warning")
            return
        self._export(self.conversation_id, self.export_dir)

    @work(thread=True, exclusive=True, group="export")
    def _write_export(self, path: Path, conversation: SavedConversation) -> None:
        self._write_file(path, conversation_markdown(conversation), "the export", Exported)

    @work(thread=True, exclusive=True, group="export")
    def _export(self, conversation_id: int, folder: Path) -> None:
        try:
            saved = self.chat_history.load(conversation_id)
        except AssistantError as exc:
            self.post_message(BackgroundFailed(str(exc)))
            return
        stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(saved.created))
        name = f"chat-{stamp}-{conversation_id}.md"
        self._write_file(folder / name, conversation_markdown(saved), "the export", Exported)

    def action_save_screenshot(self) -> None:
        """Palette: an SVG picture of the screen, saved where exports go."""
        # After the palette has closed: the picture is of the chat, not of the palette.
        self.set_timer(0.1, self._take_screenshot)

    def _take_screenshot(self) -> None:
        picture = self.export_screenshot()  # drawing is the UI thread's; writing is not
        name = f"screen-{time.strftime('%Y%m%d-%H%M%S')}.svg"
        self._write_screenshot(self.export_dir / name, picture)

    @work(thread=True, exclusive=True, group="export")
    def _write_screenshot(self, path: Path, picture: str) -> None:
        self._write_file(path, picture, "the screenshot", ScreenshotSaved)

    def _write_file(
        self, path: Path, text: str, what: str, done: type[Exported | ScreenshotSaved]
    ) -> None:
        """Write ``text`` to ``path`` (in a worker) and say how it went."""
        folder = path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            reason = (exc.strerror or str(exc)).lower()
            self.post_message(
                BackgroundFailed(
                    f"could not write {what} to {folder} ({reason}); "
                    "start the app with --export-dir set to a folder you can write"
                )
            )
        else:
            self.post_message(done(str(path)))

    def on_exported(self, message: Exported) -> None:
        self.last_export = Path(message.path)
        self.notify(f"Exported to {message.path}", title="Export")

    def on_screenshot_saved(self, message: ScreenshotSaved) -> None:
        self.notify(f"Saved to {message.path}", title="Screenshot")

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
