"""Answers as Markdown on a colour terminal: line breaks kept, the newest lines in view.

Answers are written one point per line (the offline answer is one line per paper; models
often write that way too), but Markdown joins single newlines into one paragraph. Here a
single newline is a line break (see ``terminal_markdown``); lists, tables, code blocks and
headings are parsed as usual.

Rich's ``Live`` redraws its whole renderable: taller than the terminal it shows only the top
(``ellipsis``, ``crop``), or leaves a copy of the lines that scrolled off in the scrollback at
every refresh (``visible``, since they can no longer be erased). So ``MarkdownStream`` prints
each finished block once, above the live view, and the live view holds only the block still
being written, cut to its newest lines. When the answer ends, that block is printed in full.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from markdown_it import MarkdownIt
from rich.markdown import Markdown
from rich.segment import Segment

from ..terminal_markdown import as_written

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions

Line = list[Segment]


def answer_parser() -> MarkdownIt:
    """Rich's Markdown parser (CommonMark with tables and strikethrough), with a single
    newline inside a paragraph read as a line break and HTML read as text."""
    return as_written(MarkdownIt().enable("strikethrough").enable("table"))


class AnswerMarkdown(Markdown):
    """Rich ``Markdown`` in which a single newline is a line break, and a link shows where
    it leads: the text is data (a model's reply, an abstract), and a terminal hyperlink
    would hide its target behind words of that data's choosing."""

    def __init__(self, markup: str, **options: Any) -> None:
        super().__init__("", **{"hyperlinks": False, **options})
        # Rich builds its parser inside __init__ with no way to pass options; what it
        # renders is ``parsed``, so the text is parsed again with breaks on.
        self.markup = markup
        self.parsed = answer_parser().parse(markup)


class RenderedLines:
    """Lines already rendered to segments, printed as they are."""

    def __init__(self, lines: Iterable[Line]) -> None:
        self.lines = list(lines)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterable[Segment]:
        for line in self.lines:
            yield from line
            yield Segment.line()


def last_block_line(markdown: str) -> int:
    """The line on which the last top-level block of ``markdown`` starts (0 if none)."""
    starts = [
        token.map[0]
        for token in answer_parser().parse(markdown)
        if token.level == 0 and token.nesting >= 0 and token.map is not None
    ]
    return starts[-1] if starts else 0


def line_offset(text: str, line: int) -> int:
    """Where line ``line`` (counted from 0, split at ``\\n`` as markdown-it does) starts."""
    offset = 0
    for _ in range(line):
        offset = text.index("\n", offset) + 1
    return offset


class MarkdownStream:
    """A growing Markdown answer on ``console``: ``update`` with the text so far, then
    ``finish`` with the final text.

    ``to_markdown`` turns answer text into the Markdown to render (sanitised, citations
    emphasised); it must keep every newline where it is, as block boundaries are found in
    its output and cut in the answer text by line number.
    """

    def __init__(self, console: Console, to_markdown: Callable[[str], str]) -> None:
        self._console = console
        self._to_markdown = to_markdown
        self._live: Any = None
        self._seen = ""
        # The text is rendered from ``_anchor`` on (the start of the last block printed, so
        # that what separates it from the next block is rendered in context), and the first
        # ``_shown`` lines of that rendering are printed already.
        self._anchor = 0
        self._shown = 0
        self._printed_text = ""
        """The answer text whose blocks are printed."""

    def update(self, text: str) -> None:
        """Show ``text``, the answer so far: finished blocks printed, the last one live."""
        self._seen = text
        document = text[self._anchor :]
        lines = self._render(document)
        room = max(self._console.height - 1, 1)
        start = last_block_line(self._to_markdown(document))
        # Blocks stay in the live view while it holds them all: until then the text can
        # still be taken back (see ``restart``).
        if start > 0 and len(lines) - self._shown > room:
            self._print_finished(document[: line_offset(document, start)], lines)
        self._start()
        self._live.update(RenderedLines(lines[self._shown :][-room:]), refresh=True)

    def restart(self) -> bool:
        """Forget the text shown so far: the answer starts again with the next ``update``.

        Returns whether the text is gone from the screen: it is unless blocks of it were
        printed above the live view already (only once it outgrew the view), which no
        redraw can reach."""
        erased = not self._printed_text
        if self._live is not None:
            self._live.update(RenderedLines([]), refresh=True)
        self._seen = self._printed_text = ""
        self._anchor = self._shown = 0
        return erased

    def finish(self, text: str) -> None:
        """The answer is complete (or cut off): show what is not printed yet, all of it."""
        if not text.startswith(self._printed_text):
            # The final text differs in blocks already printed, which cannot be taken back:
            # finish the text that was shown rather than print a mixture of the two.
            text = self._seen
        lines = self._render(text[self._anchor :])[self._shown :]
        if self._live is None:
            if lines:
                self._console.print(RenderedLines(lines))
            return
        # Stopping a Live draws its renderable once more, all of it (overflow "visible").
        self._live.update(RenderedLines(lines))
        self._live.stop()
        self._live = None

    def _print_finished(self, finished: str, lines: list[Line]) -> None:
        """Print the blocks of ``finished`` (all blocks but the last) not printed yet.

        A block only changes while it is the last one, but what separates it from the next
        depends on both (a paragraph can turn into a table), so the separator is left to the
        live view. Lines are printed only if the finished blocks render alone exactly as they
        do within the whole, which holds for the Markdown answers hold but is cheap to check.
        """
        rendered = self._render(finished)
        if len(rendered) < self._shown or lines[: len(rendered)] != rendered:
            return
        self._start()
        if len(rendered) > self._shown:
            self._console.print(RenderedLines(rendered[self._shown :]))
        self._shown = len(rendered)
        self._printed_text = self._seen[: self._anchor] + finished
        # Render from the last printed block on, if it renders the same alone.
        last = last_block_line(self._to_markdown(finished))
        if last > 0:
            offset = line_offset(finished, last)
            alone = self._render(finished[offset:])
            if len(alone) <= len(rendered) and rendered[len(rendered) - len(alone) :] == alone:
                self._anchor += offset
                self._shown = len(alone)

    def _start(self) -> None:
        if self._live is None:
            from rich.live import Live

            self._live = Live(console=self._console, auto_refresh=False, transient=False)
            self._live.start()

    def _render(self, text: str) -> list[Line]:
        if not text:
            return []
        markdown = AnswerMarkdown(self._to_markdown(text), style="none")
        return self._console.render_lines(markdown, self._console.options, pad=False)
