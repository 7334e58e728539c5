"""The scrolling conversation: questions and answers, newest at the bottom.

The container is anchored: it follows the bottom while an answer streams, and stops
following as soon as the user scrolls up (Textual re-anchors when they scroll back down).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

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
