"""An answer on the terminal: streamed text, then the reference list.

Plain when colour is off (pipes, ``NO_COLOR``, ``--no-color``). On a colour terminal the
answer is rendered as Markdown while it streams (a single newline stays a line break, the
newest lines stay in view: see ``markdown_stream``), ``[n]`` markers stand out, and sources
that were retrieved but not cited are dimmed. Answer text is data: it is sanitised and
rendered as Markdown only, never read as Rich markup.
"""

from __future__ import annotations

import sys
from typing import IO, TYPE_CHECKING

from ..citations import marker_spans
from ..collection import short_citation
from .output import console, one_line, safe

if TYPE_CHECKING:
    from ..results import Answer, Source
    from .markdown_stream import MarkdownStream

CITATION_STYLE = "bold cyan"
THINKING_SHOWN = "the text above was the model's thinking; its answer follows"


def emphasised_citations(markdown: str) -> str:
    """Markdown with each citation marker in bold (the theme colours bold text)."""
    parts: list[str] = []
    shown = 0
    for start, end, _ in marker_spans(markdown):  # an interval ("[0, 1]") is no marker
        parts += [markdown[shown:start], f"**\\{markdown[start : end - 1]}\\]**"]
        shown = end
    return "".join([*parts, markdown[shown:]])


def answer_markdown(text: str) -> str:
    """Answer text as the Markdown shown: sanitised, citation markers emphasised."""
    return emphasised_citations(safe(text))


def reference(source: Source) -> str:
    """How a source reads in the list: "Müller et al. (2021). Title", or the title alone."""
    meta = source.metadata
    who = short_citation(meta.get("authors", ()), meta.get("year"))
    return one_line(f"{who}. {source.title}" if who else source.title)


class AnswerPrinter:
    """Writes one answer to ``stream``; ``delta`` while it streams, then ``finish``."""

    def __init__(self, *, color: bool, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stdout
        self.color = color
        self._text = ""
        self._console = console(self.stream) if color else None
        self._live: MarkdownStream | None = None

    @property
    def text(self) -> str:
        """What has been streamed so far."""
        return self._text

    def delta(self, text: str) -> None:
        """A piece of the answer as it arrives."""
        self._text += text
        if self._console is None:
            self.stream.write(safe(text))
            self.stream.flush()
            return
        if self._live is None:
            from .markdown_stream import MarkdownStream

            self._live = MarkdownStream(self._console, answer_markdown)
        self._live.update(self._text)

    def thinking_ended(self) -> None:
        """What was streamed so far turned out to be the model's thinking (its chat template
        had opened the block, and only now did it close it): it is taken off the screen where
        the screen allows, else marked as thinking, and the answer starts afresh."""
        thought, self._text = self._text, ""
        if self._console is None:
            # Plain output cannot be taken back; stdout gets a blank line, the reader a note.
            self.stream.write("\n" if thought.endswith("\n") else "\n\n")
            self.stream.flush()
            print(f"note: {THINKING_SHOWN}", file=sys.stderr)
            return
        if self._live is not None and not self._live.restart():
            from rich.text import Text

            self._console.print(Text(f"({THINKING_SHOWN})", style="dim"))

    def finish(self, answer: Answer | None) -> None:
        """The stream ended (``answer`` is None when it failed): end the answer's line(s)."""
        if self._console is None:
            if self._text and not self._text.endswith("\n"):
                self.stream.write("\n")
            elif not self._text and answer is not None:
                self.stream.write(safe(answer.text) + "\n")
            self.stream.flush()
            return
        text = answer.text if answer is not None else self._text
        if self._live is not None:
            self._live.finish(text)
            self._live = None
        elif text:
            from .markdown_stream import AnswerMarkdown

            self._console.print(AnswerMarkdown(answer_markdown(text), style="none"))

    def notes(self, lines: list[str]) -> None:
        """Warnings under the answer (unsupported claims, a cut-off answer)."""
        for line in lines:
            if self._console is None:
                self.stream.write(safe(line) + "\n")
            else:
                from rich.text import Text

                self._console.print(Text(safe(line), style="yellow"))

    def references(self, answer: Answer) -> None:
        """The numbered reference list: cited sources first, then the uncited ones, marked."""
        if not answer.sources:
            return
        cited = [s for s in answer.sources if s.cited]
        uncited = [s for s in answer.sources if not s.cited]
        if self._console is None:
            self.stream.write("\nReferences\n")
            for source in cited:
                self.stream.write(f"  [{source.n}] {reference(source)}\n")
            for source in uncited:
                self.stream.write(f"  [{source.n}] {reference(source)}  (retrieved, not cited)\n")
            return
        from rich.text import Text

        lines = [Text("\nReferences", style="bold")]
        for source in cited:
            lines.append(
                Text.assemble("  ", (f"[{source.n}]", CITATION_STYLE), " ", reference(source))
            )
        for source in uncited:
            lines.append(
                Text(f"  [{source.n}] {reference(source)}  (retrieved, not cited)", style="dim")
            )
        for line in lines:
            self._console.print(line)
