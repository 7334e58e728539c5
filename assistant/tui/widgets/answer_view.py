"""One answer of the conversation.

An answer streams through Textual's ``MarkdownStream``: each piece is appended to the
document and only the last block is re-parsed, so a long answer costs O(n), not O(n²).
When the final ``Answer`` arrives the text is replaced once by the citation-checked text,
with every ``[n]`` turned into a link to source n. A single newline is a line break, as the
answer was written. All text is sanitised first: control characters from a model or a paper
never reach the terminal.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass

from markdown_it import MarkdownIt
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.css.query import NoMatches
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Collapsible, Markdown, Static
from textual.widgets.markdown import MarkdownStream

from ...answer_notes import claim_warnings, mark_unsupported
from ...citations import marker_spans
from ...history import StoredTurn
from ...results import Answer, Claim, Source
from ...terminal import printable
from ...terminal_markdown import as_written
from ..presenting import answer_note

CITE_SCHEME = "cite:"
WAITING_NOTE = "Searching the papers…"


def link_citations(text: str) -> str:
    """Markdown with each cited source number a ``cite:n`` link (rendered as ``[n]``)."""
    text = printable(text)
    pieces: list[str] = []
    last = 0
    for start, end, numbers in marker_spans(text):
        links = ", ".join(f"[{n}]({CITE_SCHEME}{n})" for n in dict.fromkeys(numbers))
        pieces += [text[last:start], r"\[" + links + r"\]"]
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def answer_parser() -> MarkdownIt:
    """Textual's Markdown parser, with a single newline in a paragraph shown as a line break
    (answers are often one point per line), and HTML-like text (``<mask>``, ``a<b>c``) and
    link definitions shown as written, not swallowed."""
    return as_written(MarkdownIt("gfm-like"))


def _folded_reasoning(reasoning: str) -> Collapsible:
    """What a reasoning model thought, folded away above its answer."""
    body = Static(Content(printable(reasoning)), markup=False, classes="answer-reasoning")
    return Collapsible(body, title="Model's reasoning", collapsed=True)


class AnswerView(Vertical):
    """An answer: streamed Markdown, then the final text with linked citations."""

    @dataclass
    class Selected(Message):
        """The answer was clicked: show its sources."""

        answer_view: AnswerView

    @dataclass
    class CitationClicked(Message):
        """A ``[n]`` marker of the answer was clicked."""

        answer_view: AnswerView
        n: int

    def __init__(self, question: str) -> None:
        super().__init__(classes="answer")
        self.question = question
        self.answer: Answer | None = None
        self.sources: list[Source] = []
        self.partial_text = ""
        self.saved: StoredTurn | None = None
        """The turn this view shows, when it was reopened from history."""
        self._stream: MarkdownStream | None = None
        self._started = time.monotonic()
        self._clock: Timer | None = None
        self._waiting = WAITING_NOTE

    def compose(self) -> ComposeResult:
        yield Markdown("", open_links=False, classes="answer-text", parser_factory=answer_parser)
        yield Static("", classes="answer-claims", markup=False)
        yield Static(WAITING_NOTE, classes="answer-note", markup=False)

    def on_mount(self) -> None:
        self._clock = self.set_interval(1.0, self._tick)

    def _tick(self) -> None:
        # Until the first words arrive, the note counts the seconds spent waiting.
        self.set_note(f"{self._waiting} {time.monotonic() - self._started:.0f} s")

    def _stop_clock(self) -> None:
        if self._clock is not None:
            self._clock.stop()
            self._clock = None

    @property
    def markdown(self) -> Markdown:
        return self.query_one(Markdown)

    def set_note(self, note: str) -> None:
        """The line under the answer (progress, model, stopped …), shown as plain text."""
        # NoMatches: the view is being torn down (the app is quitting).
        with contextlib.suppress(NoMatches):
            self.query_one(".answer-note", Static).update(Content(printable(note)))

    def show_sources(self, sources: list[Source], waiting: str) -> None:
        """Retrieval is done: these are the sources; ``waiting`` says what comes next."""
        self.sources = list(sources)
        self._waiting = waiting
        if self._stream is None:
            self.set_note(f"{waiting} {time.monotonic() - self._started:.0f} s")

    async def append(self, text: str) -> None:
        """Add a streamed piece of the answer."""
        if self._stream is None:
            self._stop_clock()
            self._stream = Markdown.get_stream(self.markdown)
            self.set_note("Writing…")
        self.partial_text += text
        await self._stream.write(printable(text))

    async def restart(self) -> None:
        """What was shown was the model's thinking (the final answer keeps it folded): the
        answer starts afresh."""
        await self._end_stream()
        self.partial_text = ""
        await self.markdown.update("")

    async def _end_stream(self) -> None:
        self._stop_clock()
        if self._stream is not None:
            await self._stream.stop()
            self._stream = None

    async def finish(self, answer: Answer) -> None:
        """Show the final answer: checked citations as links, and what produced it."""
        await self._end_stream()
        self.answer = answer
        self.sources = list(answer.sources)
        await self._show_checked(answer.text, answer.claims, answer.reasoning)
        self.set_note(answer_note(answer))
        self.add_class("-done")

    async def show_saved(self, turn: StoredTurn, note: str) -> None:
        """Fill the view from history (a reopened conversation), with what to trust in it."""
        self._stop_clock()
        self.saved = turn
        self.sources = list(turn.sources)
        self.partial_text = turn.answer
        if turn.answer:
            await self._show_checked(turn.answer, turn.claims, turn.reasoning)
        else:
            await self.markdown.update("*(no answer text)*")
        self.set_note(note)
        self.add_class("-done")

    async def _show_checked(self, text: str, claims: list[Claim], reasoning: str) -> None:
        """The answer with its unsupported sentences marked and listed, and the model's
        reasoning folded above it."""
        await self.markdown.update(link_citations(mark_unsupported(text, claims)))
        warnings = claim_warnings(claims)
        if warnings:
            self.query_one(".answer-claims", Static).update(Content(printable("\n".join(warnings))))
            self.add_class("-unsupported")
        if reasoning:
            await self.mount(_folded_reasoning(reasoning), before=self.markdown)

    async def stop(self, note: str) -> None:
        """The answer was cut short: keep the partial text and say so."""
        await self._end_stream()
        if not self.partial_text:
            await self.markdown.update("*(no answer text had arrived)*")
        self.set_note(note)
        self.add_class("-partial")

    @on(Markdown.LinkClicked)
    def _citation_clicked(self, event: Markdown.LinkClicked) -> None:
        event.stop()
        if event.href.startswith(CITE_SCHEME) and event.href[len(CITE_SCHEME) :].isdigit():
            self.post_message(self.CitationClicked(self, int(event.href[len(CITE_SCHEME) :])))

    def on_click(self, event: events.Click) -> None:
        self.post_message(self.Selected(self))
