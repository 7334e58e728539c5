"""The researcher's question, as plain text (never parsed as markup)."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from ...terminal import printable


class QuestionView(Static):
    """One question of the conversation."""

    def __init__(self, question: str) -> None:
        super().__init__(Content(printable(question)), classes="question")
        self.question = question
