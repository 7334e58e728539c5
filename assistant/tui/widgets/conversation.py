"""The scrolling conversation: questions and answers, newest at the bottom.

The container is anchored: it follows the bottom while an answer streams, and stops
following as soon as the user scrolls up (Textual re-anchors when they scroll back down).
"""

from __future__ import annotations

import time
from dataclasses import replace

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

from ...answer_notes import shortened
from ...history import CANCELLED, COMPLETE, StoredTurn
from ...history import Conversation as SavedConversation
from .answer_view import AnswerView
from .question_view import QuestionView

WELCOME = (
    "Ask a question about the papers. Answers cite their sources as [n]: "
    "Tab moves to the sources, Enter opens one. Ctrl+P lists every command."
)


class Conversation(VerticalScroll):
    """Questions and answers of the current chat."""

    can_focus = False

    def on_mount(self) -> None:
        self.anchor()

    def compose(self) -> ComposeResult:
        yield Static(WELCOME, classes="welcome", markup=False)

    async def add_exchange(self, question: str) -> AnswerView:
        """Show a question and an empty answer below it; returns the answer view."""
        self.query(".welcome").remove()
        answer = AnswerView(question)
        await self.mount_all([QuestionView(question), answer])
        self.anchor()
        return answer

    async def remove_exchange(self, answer: AnswerView) -> None:
        """Take back a question whose answer failed (the question returns to the input)."""
        children = list(self.children)
        index = children.index(answer)
        doomed: list[Widget] = [answer]
        if index > 0 and isinstance(children[index - 1], QuestionView):
            doomed.append(children[index - 1])
        await self.remove_children(doomed)
        if not self.query(AnswerView):
            await self.mount(Static(WELCOME, classes="welcome", markup=False))

    async def clear(self) -> None:
        """Start over with the welcome line."""
        await self.remove_children()
        await self.mount(Static(WELCOME, classes="welcome", markup=False))

    def answers(self) -> list[AnswerView]:
        return list(self.query(AnswerView))

    def transcript(self) -> SavedConversation:
        """The exchanges shown, as a conversation to export when the history could not
        keep them (an answer not finished is marked stopped)."""
        turns = []
        for number, view in enumerate(self.answers(), start=1):
            whole = view.has_class("-done") and not view.has_class("-partial")
            status = COMPLETE if whole else CANCELLED
            turns.append(_shown_turn(number, view, status))
        title = shortened(turns[0].question, 60) if turns else "Conversation"
        return SavedConversation(0, title, time.time(), turns)


def _shown_turn(number: int, view: AnswerView, status: str) -> StoredTurn:
    """An exchange on screen as a turn, with what to trust in its answer (unsupported
    sentences, a cut, no grounded answer) as the history would have kept it."""
    answer = view.answer
    if answer is None and view.saved is not None:
        return replace(view.saved, id=number)  # reopened from history: as it was kept
    if answer is None:
        return StoredTurn(
            number, view.question, view.partial_text, status, sources=list(view.sources)
        )
    return StoredTurn(
        id=number,
        question=view.question,
        answer=answer.text,
        status=status,
        mode=answer.mode,
        model=answer.model,
        sources=list(view.sources),
        claims=list(answer.claims),
        reasoning=answer.reasoning,
        truncated=answer.truncated,
        answered=answer.answered,
    )
