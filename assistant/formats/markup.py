"""Markup that exports carry inside their text, turned into the text a reader means.

BibTeX fields and the arXiv snapshot are LaTeX (``{\\"u}``, ``\\textit{…}``, ``$x^2$``).
Abstracts that reference managers fetched from Crossref hold JATS/HTML tags and entities
(``<jats:p>``, ``<i>``, ``&amp;``) in every format. Left in, the markup is what users read
and what the keyword index searches; taken out carelessly, it takes text with it (a bare
``%`` starts a LaTeX comment that would swallow the rest of an abstract).
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pylatexenc.latex2text import LatexNodes2Text
    from pylatexenc.latexwalker import LatexMacroNode

# Text without these has nothing for a LaTeX decoder to do (braces are stripped by the
# BibTeX reader itself); most abstracts have none, and decoding is slow.
_LATEX_SIGNS = re.compile(r"[\\$~]")
# In a field value ``%`` and ``&`` are text: BibTeX treats neither specially, and exports
# by hand or by older tools leave them bare. To LaTeX they are a comment and a column break.
_BARE_SPECIAL = re.compile(r"(?<!\\)([%&])")

_ATTRIBUTES = r"""(?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*/?"""
# Only the names tags of abstracts use (and any namespaced one, ``jats:p``, ``mml:mi``), and
# attributes only in ``name="value"`` form: "if a<b and c>d" is no tag.
_INLINE_TAG = re.compile(
    rf"</?(?:(?:jats:)?(?:i|b|em|strong|sub|sup|sc|u|tt|small|span|a|font|italic|bold|"
    rf"underline|monospace|inline-formula)|(?:mml|m):[\w.-]+){_ATTRIBUTES}>",
    re.IGNORECASE,
)
_BLOCK_TAG = re.compile(
    rf"</?(?:p|br|div|h[1-6]|li|ul|ol|title|sec|list|list-item|abstract|label|"
    rf"[a-z][\w.-]*:[\w.-]+){_ATTRIBUTES}>",
    re.IGNORECASE,
)
# Crossref abstracts open with a heading that only says what the field is.
_ABSTRACT_HEADING = re.compile(
    r"^\s*<(?:jats:)?title>\s*Abstract\s*</(?:jats:)?title>\s*", re.IGNORECASE
)
_TILDE = "\ue000"  # a private-use character stands in for a tilde that is text
_CITATION = "\ue001"  # stands in for a citation command, taken out with the space before it
_CITATION_LEFT = re.compile(rf"\s*{_CITATION}")
_CITE_COMMANDS = ("cite", "citep", "citet", "citealp", "citealt", "citeauthor", "citeyear")
# A "$" before a digit opens math only when what follows it up to the next "$" reads as
# math: "$5 million, or $10" is two prices, "$10^{-3}$" a formula.
_DOLLAR_BEFORE_DIGIT = re.compile(r"(?<![\\$])\$(?=\d)")
_PROSE = re.compile(r"(?<![\\A-Za-z])[A-Za-z]{2,}[,;.]?\s+[A-Za-z]{2,}")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def latex_to_text(value: str, *, tilde_is_space: bool = True) -> str:
    """LaTeX as text: accents as Unicode, commands by their text, math as its symbols
    (``$\\alpha$-helix`` → ``α-helix``); bare ``%`` and ``&`` kept as written. Without
    ``tilde_is_space`` a ``~`` stays one: arXiv abstracts are text with LaTeX in it, where
    "~100x" means "about 100x", not a non-breaking space."""
    signs = value if tilde_is_space else value.replace("~", "")
    if not _LATEX_SIGNS.search(signs):
        return value
    text = _escape_prices(_BARE_SPECIAL.sub(r"\\\1", value))
    if not tilde_is_space:
        text = text.replace("~", _TILDE)
    try:
        decoded = _latex_decoder().latex_to_text(text)
    except Exception:  # a third-party parser on any text: keep what was written
        return value
    return _CITATION_LEFT.sub("", decoded).replace(_TILDE, "~")


def _escape_prices(text: str) -> str:
    """``$`` signs of prices escaped (``\\$5``), so that the text between two prices is not
    read as math."""
    pieces = []
    start = 0
    for match in _DOLLAR_BEFORE_DIGIT.finditer(text):
        closing = text.find("$", match.end())
        between = text[match.end() : closing] if closing != -1 else ""
        if closing == -1 or _PROSE.search(between):
            pieces.append(text[start : match.start()] + "\\$")
            start = match.end()
    return "".join(pieces) + text[start:]


def html_to_text(value: str) -> str:
    """HTML and JATS markup as text: tags dropped (block tags part words), entities
    decoded; text without a tag or an entity is returned as it is."""
    if "<" in value:
        value = _ABSTRACT_HEADING.sub("", value)
        value = _INLINE_TAG.sub("", value)
        value = _BLOCK_TAG.sub(" ", value)
    if "&" in value:
        value = _ENTITY.sub(lambda m: html.unescape(m.group(0)), value)
    return value


@lru_cache(maxsize=1)
def _latex_decoder() -> LatexNodes2Text:
    from pylatexenc.latex2text import (
        LatexNodes2Text,
        MacroTextSpec,
        get_default_latex_context_db,
    )

    context = get_default_latex_context_db()
    # A URL is text to read, not "<https://…>"; a citation is no text at all, not "<cit.>".
    context.add_context_category(
        "paper-text",
        prepend=True,
        macros=[
            MacroTextSpec("url", simplify_repl="%s"),
            *(MacroTextSpec(name, simplify_repl=_CITATION) for name in _CITE_COMMANDS),
        ],
    )
    # Authors' own macros ("\\squad" for SQuAD) are read by their name rather than dropped.
    context.set_unknown_macro_spec(
        MacroTextSpec("", simplify_repl=lambda node, l2tobj=None: _macro_as_text(node))
    )
    return LatexNodes2Text(latex_context=context, math_mode="text")


def _macro_as_text(node: LatexMacroNode) -> str:
    return str(node.macroname) + str(node.macro_post_space or "")
