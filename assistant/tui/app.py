"""The chat app: a conversation, the sources of the selected answer, a question box.

Widgets only display; every call into the assistant (store, endpoint, history file) runs
off the UI thread and reports back with a message from ``messages.py``. The layout is the
``ChatScreen``; this class holds the chat's state and reacts to the messages.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.actions import SkipAction
from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen

from ..answer_notes import OFFLINE_HINT
from ..errors import AssistantError
from ..history import ChatHistory
from ..redaction import mask_credentials
from ..results import Turn
from ..service import Assistant
from .actions import ChatActions
from .answer_worker import AnswerJob, AnswerRun, save_cancelled, start_answer
from .background import StoreOpening, open_store, start_daemon
from .commands import ChatCommands
from .messages import (
    AnswerDelta,
    AnswerDone,
    AnswerFailed,
    AnswerStarted,
    ConversationLoaded,
    HistoryNotSaved,
    PaperLoaded,
    SourcesFound,
    StoreFailed,
    StoreProgress,
    StoreReady,
    StoreWarning,
)
from .presenting import STOPPED_NOTE, paper_details, saved_note
from .screens.chat import ChatScreen
from .screens.source_detail import SourceDetailScreen
from .widgets.answer_view import AnswerView
from .widgets.prompt_input import PromptInput
from .widgets.sources_panel import SourcesPanel
from .widgets.status_bar import endpoint_host

# How long quitting waits for an ingest under way to stop at its next batch (seconds).
STORE_STOP_WAIT = 5.0


class ChatApp(ChatActions):
    """Ask the papers; read answers with their sources one keystroke away."""

    CSS_PATH = "app.tcss"
    TITLE = "Paper assistant"
    COMMANDS = App.COMMANDS | {ChatCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        # In footer order; F1 lists every key, for what does not fit at 80 columns.
        Binding("escape", "stop", "Stop"),
        Binding("f1", "show_keys", "Keys"),
        Binding("ctrl+r", "pick_conversation", "History"),
        Binding("ctrl+n", "new_chat", "New chat"),
        Binding("ctrl+s", "export", "Export"),
        Binding("ctrl+b", "toggle_sources", "Panel"),
        Binding("ctrl+q", "quit", "Quit"),
        # Priority: the question box would otherwise take every Ctrl+C as "copy".
        Binding("ctrl+c", "copy_or_quit", "Quit", show=False, priority=True),
        # Priority: the conversation takes no focus, so the box or the list has the keys.
        Binding("pageup", "scroll_conversation(-1)", "Scroll up", show=False, priority=True),
        Binding("pagedown", "scroll_conversation(1)", "Scroll down", show=False, priority=True),
    ]

    def __init__(
        self,
        assistant: Assistant,
        *,
        history: ChatHistory | None = None,
        export_dir: Path | None = None,
    ) -> None:
        super().__init__()
        self.assistant = assistant
        self.settings = assistant.settings
        self.chat_history = history or ChatHistory.for_settings(self.settings)
        self.export_dir = export_dir or Path.cwd()
        self.k = self.settings.k
        self.model = self.settings.model
        self.conversation_id: int | None = None
        self.turns: list[Turn] = []
        """Completed exchanges of this chat: the context of a follow-up."""
        self.store_state = "opening"  # opening | ready | failed
        self.last_export: Path | None = None
        self._run: AnswerRun | None = None
        self._runs = 0
        self._selected: AnswerView | None = None
        self._offline_hint_shown = False
        self.history_unsaved = False
        self._store_opening: StoreOpening | None = None
        self.crash: Exception | None = None
        """The unexpected exception that ended the app, if one did (a bug)."""

    @property
    def closed(self) -> bool:
        """Whether the app closed while a handler awaited (its screens are gone then)."""
        return not self.screen_stack

    def get_default_screen(self) -> Screen[None]:
        return ChatScreen()

    @property
    def sources_panel(self) -> SourcesPanel:
        return self.get_screen_widget(SourcesPanel)

    @property
    def prompt_input(self) -> PromptInput:
        return self.get_screen_widget(PromptInput)

    @property
    def streaming(self) -> bool:
        return self._run is not None

    @on(ChatScreen.Ready)
    def _chat_screen_ready(self) -> None:
        status = self.status
        status.mode = self.settings.mode
        status.model = self.model or ""
        status.host = endpoint_host(self.settings.endpoint_url)
        status.k = self.k
        self.prompt_input.focus()
        self.restore_theme()
        self.load_past_questions()
        # After the first paint: opening the store imports chromadb and loads the embedder,
        # which would otherwise hold the GIL while the screen is being drawn.
        self.call_after_refresh(self._open_store)

    async def action_quit(self) -> None:
        """Ctrl+Q: leave at once, even with an answer being written."""
        self._abandon_answer()
        self.exit()

    def _handle_exception(self, error: Exception) -> None:
        # Textual would print the traceback, local variables and all, once the app has
        # exited. A bug here ends like one in any command instead: `assistant chat` prints
        # one line naming a crash log that holds the traceback (see ``crash``).
        if self.crash is None:
            self.crash = error
        super()._handle_exception(error)
        self._exit_renderables.clear()

    def on_unmount(self) -> None:
        self._abandon_answer()
        if self._store_opening is not None:
            self._store_opening.abandon(wait=STORE_STOP_WAIT)

    def _abandon_answer(self) -> None:
        # The request may be stuck waiting for a slow server: do not wait for it. Its thread
        # is a daemon; the partial answer is saved here, marked as stopped.
        run, self._run = self._run, None
        if run is not None:
            run.cancelled.set()
            save_cancelled(run, self.chat_history)

    def action_export(self) -> None:
        if self.streaming:
            # Its half-written answer would be exported as one the app stopped on.
            self.notify(
                "An answer is still being written: export once it is done (Esc stops it).",
                severity="warning",
            )
            return
        super().action_export()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop":
            return self.streaming
        return True

    # -- the store ----------------------------------------------------------------------

    def _open_store(self) -> None:
        self._store_opening = open_store(self.assistant, self.post_message)

    def on_store_progress(self, message: StoreProgress) -> None:
        self.status.show_progress(message.done, message.total, message.label or "Indexing")

    def on_store_ready(self, message: StoreReady) -> None:
        self.store_state = "ready"
        self.status.hide_progress()
        count = message.paper_count
        self.status.papers = f"{count} paper{'' if count == 1 else 's'}"

    def on_store_warning(self, message: StoreWarning) -> None:
        self.notify(message.text, title="Paper store", severity="warning", timeout=10)

    def on_store_failed(self, message: StoreFailed) -> None:
        self.store_state = "failed"
        self.status.hide_progress()
        self.status.papers = "store unavailable"
        self.notify(message.error, title="Paper store", severity="error", timeout=10)

    # -- asking -------------------------------------------------------------------------

    @on(PromptInput.Submitted)
    async def _ask(self, event: PromptInput.Submitted) -> None:
        question = event.text.strip()
        if not question:
            return
        if self.streaming:
            self.notify("An answer is still being written; Esc stops it.", severity="warning")
            return
        if self.store_state != "ready":
            if self.store_state == "failed":
                self.store_state = "opening"
                self.status.papers = "opening store…"
                self._open_store()
            self.notify("The papers are not ready yet; your question stays in the box.")
            return
        event.prompt_input.remember(question)
        event.prompt_input.clear()
        view = await self.conversation.add_exchange(question)
        self._runs += 1
        run = AnswerRun(self._runs, question, view)
        self._run = run
        self._select(view)
        self.refresh_bindings()
        job = AnswerJob(
            run=run,
            assistant=self.assistant,
            history=self.chat_history,
            context=list(self.turns),
            conversation_id=self.conversation_id,
            k=self.k,
            model=self.model,
            post=self.post_message,
        )
        start_answer(job)

    def _current(self, run_id: int) -> AnswerRun | None:
        run = self._run
        return run if run is not None and run.run_id == run_id else None

    def on_answer_started(self, message: AnswerStarted) -> None:
        if self._current(message.run_id) is not None and message.conversation_id is not None:
            self.conversation_id = message.conversation_id

    def on_history_not_saved(self, message: HistoryNotSaved) -> None:
        # Told once a session: the cause (a read-only or full disk) outlasts one answer, and a
        # notice on every turn would bury the answers it is about.
        if self.history_unsaved:
            return
        self.history_unsaved = True
        reason = message.error.rstrip(".")
        self.notify(
            f"The answer is shown, but this conversation is not being saved: {reason}. "
            "Ctrl+S exports what the screen shows.",
            title="Chat history not saved",
            severity="warning",
            timeout=15,
        )

    def on_sources_found(self, message: SourcesFound) -> None:
        run = self._current(message.run_id)
        if run is None:
            return
        asking = "Asking the model…" if self.settings.mode == "llm" else "Choosing sentences…"
        run.view.show_sources(message.sources, asking if message.sources else "Declining…")
        if self._selected is run.view:
            self.sources_panel.show(run.view.sources)

    async def on_answer_delta(self, message: AnswerDelta) -> None:
        run = self._current(message.run_id)
        if run is not None:
            if message.restart:
                await run.view.restart()
            await run.view.append(message.text)

    async def on_answer_done(self, message: AnswerDone) -> None:
        run = self._current(message.run_id)
        if run is None:
            return
        await run.view.finish(message.answer)
        if self.closed:
            return
        if message.answer.extractive and not self._offline_hint_shown:
            # Said once per session: every offline answer would repeat it otherwise.
            self._offline_hint_shown = True
            self.notify(OFFLINE_HINT, title="No model connected", timeout=12)
        self.turns.append(Turn(run.question, message.answer.text))
        # Only now is the run over: "not streaming" means the answer is fully shown (the
        # app may be quit the moment it is, and the view must not be half-updated then).
        self._run = None
        if self._selected is run.view:
            self._select(run.view)
        self.refresh_bindings()

    async def on_answer_failed(self, message: AnswerFailed) -> None:
        run = self._current(message.run_id)
        if run is None:
            return
        self._run = None
        await self.conversation.remove_exchange(run.view)
        if self.closed:
            return
        if self._selected is run.view:
            self._selected = None
            self.sources_panel.show([])
        box = self.prompt_input
        if not box.text.strip():
            box.set_text(run.question)
        self.notify(message.error, title="Could not answer", severity="error", timeout=10)
        box.focus()
        self.refresh_bindings()

    async def action_stop(self) -> None:
        """Esc: stop the answer being written; keep what arrived, marked as partial."""
        if await self.stop_answer() is not None:
            self.prompt_input.focus()

    async def stop_answer(self) -> AnswerRun | None:
        """Stop the answer being written, if one is; its run (``None`` if none was)."""
        run = self._run
        if run is None:
            return None
        run.cancelled.set()
        self._run = None
        await run.view.stop(STOPPED_NOTE)
        self.refresh_bindings()
        return run

    # -- sources ------------------------------------------------------------------------

    def _select(self, view: AnswerView | None) -> None:
        if self._selected is not None and self._selected is not view:
            self._selected.remove_class("-selected")
        self._selected = view
        if view is None:
            self.sources_panel.show([])
            return
        view.add_class("-selected")
        self.sources_panel.show(view.sources)

    @on(AnswerView.Selected)
    def _answer_clicked(self, event: AnswerView.Selected) -> None:
        self._select(event.answer_view)

    @on(AnswerView.CitationClicked)
    def _citation_clicked(self, event: AnswerView.CitationClicked) -> None:
        self._select(event.answer_view)
        self.open_source(event.n)

    @on(SourcesPanel.SourceChosen)
    def _source_chosen(self, event: SourcesPanel.SourceChosen) -> None:
        self.open_source(event.n)

    def action_select_answer(self, step: int) -> None:
        """Show the sources of the previous (-1) or next (+1) answer."""
        answers = self.conversation.answers()
        if not answers:
            return
        index = answers.index(self._selected) if self._selected in answers else len(answers)
        target = answers[max(0, min(len(answers) - 1, index + step))]
        self._select(target)
        self.conversation.scroll_to_widget(target, animate=False)

    def action_scroll_conversation(self, pages: int) -> None:
        """PgUp/PgDn: scroll the conversation a page, wherever the focus is."""
        if self.screen is not self.screen_stack[0]:
            raise SkipAction()  # a dialog is open: the key is its own (the abstract scrolls)
        if pages < 0:
            self.conversation.scroll_page_up()
        else:
            self.conversation.scroll_page_down()

    async def action_back_to_question(self) -> None:
        """Esc in the sources list: back to the question box, stopping an answer being
        written as Esc does everywhere else."""
        await self.stop_answer()
        self.prompt_input.focus()

    def action_focus_sources(self) -> None:
        self.sources_panel.display = True
        self.sources_panel.option_list.focus()

    def open_source(self, n: int) -> None:
        """Open the full abstract behind citation ``[n]`` of the selected answer."""
        view = self._selected
        source = next((s for s in (view.sources if view else []) if s.n == n), None)
        if source is None:
            self.notify(f"No source [{n}] for this answer.", severity="warning")
            return
        self._load_paper(source.n, source.paper_id, source.title, source.passage, source.cited)

    def _load_paper(self, n: int, paper_id: str, title: str, passage: str, cited: bool) -> None:
        start_daemon("load-paper", self._read_paper, n, paper_id, title, passage, cited)

    def _read_paper(self, n: int, paper_id: str, title: str, passage: str, cited: bool) -> None:
        try:
            paper = self.assistant.paper(paper_id)
        except Exception as exc:  # show the passage we have rather than nothing
            reason = str(exc) if isinstance(exc, AssistantError) else type(exc).__name__
            details = f"full abstract unavailable ({mask_credentials(reason)})"
            self.post_message(PaperLoaded(n, title, passage, details, passage, cited))
            return
        self.post_message(
            PaperLoaded(n, paper.title, paper.abstract, paper_details(paper), passage, cited)
        )

    def on_paper_loaded(self, message: PaperLoaded) -> None:
        self.push_screen(
            SourceDetailScreen(
                n=message.source_n,
                title=message.title,
                details=message.details,
                abstract=message.abstract,
                passage=message.passage,
                cited=message.cited,
            )
        )

    def action_toggle_sources(self) -> None:
        panel = self.sources_panel
        panel.display = not panel.display
        if not panel.display:
            self.prompt_input.focus()

    # -- chats --------------------------------------------------------------------------

    async def action_new_chat(self) -> None:
        """Start an empty conversation (the current one stays in history)."""
        await self.action_stop()
        await self.conversation.clear()
        self.turns = []
        self.conversation_id = None
        self._select(None)
        self.prompt_input.focus()

    async def on_conversation_loaded(self, message: ConversationLoaded) -> None:
        await self.action_new_chat()
        saved = message.conversation
        last: AnswerView | None = None
        for turn in saved.turns:
            last = await self.conversation.add_exchange(turn.question)
            await last.show_saved(turn, saved_note(turn))
            if turn.partial:
                last.add_class("-partial")
        self.conversation_id = saved.id
        self.turns = saved.as_history()
        self._select(last)


def make_app(
    assistant: Assistant, *, history: ChatHistory | None = None, export_dir: Path | None = None
) -> ChatApp:
    """The chat app over ``assistant``; shared by ``assistant chat``, tests and benchmarks."""
    return ChatApp(assistant, history=history, export_dir=export_dir)
