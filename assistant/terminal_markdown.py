"""Markdown as answers are written: a single newline is a line break.

An answer is often one point per line without blank lines between them (the offline answer
is one line per paper, and models write that way too). CommonMark joins such lines into one
paragraph; a chat shows them as written. markdown-it's ``breaks`` option does this only in
its HTML renderer, while the terminal renderers (Rich's, Textual's) read the tokens and show
a ``softbreak`` as a space, so the tokens themselves are changed. Lists, tables, code blocks
and headings parse as usual: only the line ends inside a paragraph change.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore


def _softbreaks_to_hardbreaks(state: StateCore) -> None:
    for token in state.tokens:
        for child in token.children or ():
            if child.type == "softbreak":
                child.type, child.tag = "hardbreak", "br"


def with_line_breaks(parser: MarkdownIt) -> MarkdownIt:
    """``parser`` (changed in place) reading a single newline in a paragraph as a line break."""
    parser.options["breaks"] = True  # the same in its own HTML renderer
    parser.core.ruler.push("line_breaks", _softbreaks_to_hardbreaks)
    return parser
