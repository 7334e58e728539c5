"""What may reach a terminal: text from papers, users and endpoints, with its controls defused.

A title holding ``ESC]0;…BEL`` would rename the terminal window, ``ESC[2J`` would blank the
screen; a non-UTF-8 byte in an argument arrives as a lone surrogate that cannot even be
encoded for output. Every string shown by the CLI or the chat app passes through
``printable``: newline and tab stay, every other C0/C1 control character (and DEL) is shown
as a visible escape such as ``\\x1b``, bidirectional overrides as ``\\u202e``, and lone
surrogates as ``\\xff`` (the byte they stood for) or ``\\udXXX``.
"""

from __future__ import annotations

import re

BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
"""Bidirectional embeddings, overrides and isolates, as ranges of a regex character class:
``U+202E`` shows the text after it reversed, so a title could read as something it is not."""
# C0 controls except \t (0x09) and \n (0x0a); DEL; C1 controls; bidi controls; lone surrogates.
_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI_CONTROLS}\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the undecodable byte itself
        return f"\\x{code - 0xDC00:02x}"
    if code > 0xFF:
        return f"\\u{code:04x}"
    return f"\\x{code:02x}"


def printable(text: object) -> str:
    """``text`` (or its ``str``) safe to write to a terminal: controls shown, never emitted."""
    return _UNSAFE.sub(_escape, text if isinstance(text, str) else str(text))


def printable_line(text: object) -> str:
    """Like ``printable``, and newlines and tabs shown escaped too (for one-line fields)."""
    return printable(text).replace("\n", "\\n").replace("\t", "\\t")


def is_printable(text: str) -> bool:
    """True when ``text`` holds nothing ``printable`` would change."""
    return _UNSAFE.search(text) is None


def repaired(text: str) -> str:
    """``text`` as valid Unicode: bytes that were not UTF-8 (lone surrogates, as Python
    decodes a bad command-line byte) become U+FFFD, so they cannot break encoding later."""
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # surrogates that did not come from a byte
        raw = text.encode("utf-8", "replace")
    return raw.decode("utf-8", "replace")
