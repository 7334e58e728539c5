"""A source in full: title, details, and the abstract with the passage the answer used lit up."""

from __future__ import annotations

import re
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from ...terminal import printable, printable_line

HIGHLIGHT = "bold $text-accent on $accent 25%"


def passage_span(abstract: str, passage: str) -> tuple[int, int] | None:
    """Where ``passage`` sits in ``abstract`` (whitespace-insensitive), or None."""
    passage = passage.strip()
    if not passage:
        return None
    start = abstract.find(passage)
    if start >= 0:
        return start, start + len(passage)
    # Chunking may have normalised spaces and line breaks: match word by word.
    words = passage.split()
    pattern = r"\s+".join(re.escape(w) for w in words)
    match = re.search(pattern, abstract)
    return (match.start(), match.end()) if match else None


def passage_spans(abstract: str, passage: str) -> list[tuple[int, int]]:
    """Spans of the abstract the answerer read, when it read less than the whole abstract.

    Long texts are given to the model as best passages joined by " … "; each is located.
    """
    spans = [span for piece in passage.split(" … ") if (span := passage_span(abstract, piece))]
    covered = sum(end - start for start, end in spans)
    return [] if covered >= len(abstract.strip()) else spans


def highlighted_abstract(abstract: str, passage: str) -> Content:
    """The abstract with the passages the answer drew on styled."""
    content = Content(abstract)
    for start, end in passage_spans(abstract, passage):
        content = content.stylize(HIGHLIGHT, start, end)
    return content


class SourceDetailScreen(ModalScreen[None]):
    """Full title and abstract of source ``[n]``; Esc closes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss_screen", "Close"),
        Binding("up", "scroll('up')", "Scroll", show=False),
        Binding("down", "scroll('down')", "Scroll", show=False),
    ]

    def __init__(
        self, *, n: int, title: str, details: str, abstract: str, passage: str, cited: bool
    ) -> None:
        super().__init__()
        # Everything here comes from the collection: controls shown, never emitted.
        self.n = n
        self.paper_title = printable_line(title)
        self.details = printable_line(details)
        self.abstract = printable(abstract)
        self.passage = printable(passage)
        self.cited = cited

    def compose(self) -> ComposeResult:
        state = "cited in the answer" if self.cited else "retrieved, not cited"
        with Vertical(id="source-detail"):
            yield Static(Content(f"[{self.n}] {self.paper_title}"), id="source-title", markup=False)
            yield Static(Content(f"{self.details} · {state}".strip(" ·")), id="source-details")
            with VerticalScroll(id="source-abstract"):
                yield Static(highlighted_abstract(self.abstract, self.passage), id="abstract")
            yield Static(Content(_reading_note(self.abstract, self.passage)), id="source-passage")
        yield Footer()

    def action_dismiss_screen(self) -> None:
        self.dismiss(None)

    def action_scroll(self, direction: str) -> None:
        scroller = self.query_one("#source-abstract", VerticalScroll)
        if direction == "up":
            scroller.scroll_up()
        else:
            scroller.scroll_down()


def _reading_note(abstract: str, passage: str) -> str:
    if passage_spans(abstract, passage):
        return "Highlighted: the passage the answer drew on."
    if passage_span(abstract, passage) is not None:
        return "The answer drew on the whole abstract."
    return f"Passage used: {passage}"
