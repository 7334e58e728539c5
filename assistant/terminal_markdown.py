"""Markdown as answers are written: a single newline is a line break, and angle brackets
or a line like ``[x]: url`` are text.

An answer is often one point per line without blank lines between them (the offline answer
is one line per paper, and models write that way too). CommonMark joins such lines into one
paragraph; a chat shows them as written. markdown-it's ``breaks`` option does this only in
its HTML renderer, while the terminal renderers (Rich's, Textual's) read the tokens and show
a ``softbreak`` as a space, so the tokens themselves are changed. Lists, tables, code blocks
and headings parse as usual: only the line ends inside a paragraph change.

Answer text is data (a model's reply, sentences of abstracts), and papers on language models
write ``<mask>``, ``<s>`` or ``a<b and c>d``: read as HTML these would vanish from the answer
(terminal renderers drop HTML), and a line ``[1]: …`` would vanish as a link definition.
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


def as_written(parser: MarkdownIt) -> MarkdownIt:
    """``parser`` (changed in place) for answer text: single newlines are line breaks, and
    HTML and link reference definitions are shown as the text they are."""
    parser.options["html"] = False
    parser.disable("reference")
    return with_line_breaks(parser)
